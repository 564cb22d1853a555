"""Atom 1.0 feeds of new public work, for feed readers: the whole site's (`/feed.atom`), a
member's (`/user/<username>/feed.atom`), a tag's (`/tag/<name>/feed.atom`) and a public
collection's (`/user/<username>/collections/<slug>/feed.atom`). Built on
Django's syndication framework; each entry carries the artwork's file as an enclosure and a
still image as a Media RSS thumbnail. The items are the first page of the same readers as the
pages (the one visibility rule: no draft, hidden artwork or suspended member's work), and the
responses are kept in the page cache with the list pages, so a publication shows at once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import format_html
from django.utils.translation import gettext as _

from artworks.images import artwork_image_url
from artworks.models import Artwork, Tag
from artworks.seo import artwork_description
from common import pagecache
from common.seo import NOAI, absolute_url
from common.text import text_clean
from social.collection_selectors import can_view_collection, collection_items_page
from social.models import Collection

from .page_selectors import tag_find
from .selectors import feed_page, tag_artworks_page, user_artworks_page

if TYPE_CHECKING:
    from xml.sax.saxutils import XMLGenerator

    from accounts.models import User

ITEMS = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"
THUMBNAIL_WIDTH = 480


def _xml_texts(values: dict[str, object]) -> dict[str, object]:
    # Control characters, which XML 1.0 cannot hold (Django's writer refuses them with an
    # error), left out by the rule stored texts follow: a row written before it may hold one.
    return {k: text_clean(v) if isinstance(v, str) else v for k, v in values.items()}


class MediaAtomFeed(Atom1Feed):
    """Atom with Media RSS thumbnails (`<media:thumbnail url width height>`), whose texts leave
    out the control characters XML cannot hold."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**_xml_texts(kwargs))

    def add_item(self, **kwargs: object) -> None:
        super().add_item(**_xml_texts(kwargs))

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler: XMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        url, width, height = item.get("thumbnail") or ("", None, None)
        if url:  # none yet for a video published before its poster was made
            attrs = {"url": url}
            if width and height:
                attrs |= {"width": str(width), "height": str(height)}
            handler.addQuickElement("media:thumbnail", "", attrs)


class _ArtworkFeed(Feed):
    """What every artwork feed says about an artwork."""

    feed_type = MediaAtomFeed

    def item_title(self, item: Artwork) -> str:
        return item.title

    def item_link(self, item: Artwork) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Artwork) -> str:
        # The entry's id must never change (RFC 4287), and the page's address changes with
        # the title (its slug): the short address, which leads there, does not.
        return absolute_url(reverse("artworks:detail_short", args=[item.pk]))

    def item_description(self, item: Artwork) -> str:
        image_url, width, height = artwork_image_url(item, min_width=THUMBNAIL_WIDTH)
        text = artwork_description(item, prompt_visible=not item.prompt_hidden)
        if not image_url:
            return format_html("<p>{}</p>", text)
        return format_html(
            '<p><img src="{}" width="{}" height="{}" alt="{}"></p><p>{}</p>',
            image_url,
            width or "",
            height or "",
            item.alt_text or item.title,
            text,
        )

    def item_author_name(self, item: Artwork) -> str:
        return item.user.display_name

    def item_author_link(self, item: Artwork) -> str:
        return absolute_url(item.user.get_absolute_url())

    def item_pubdate(self, item: Artwork) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Artwork) -> datetime | None:
        return item.updated_at

    def item_enclosures(self, item: Artwork) -> list[Enclosure]:
        if not item.original or not item.content_type:
            return []
        return [Enclosure(absolute_url(item.url), str(item.file_size or 0), item.content_type)]

    def item_extra_kwargs(self, item: Artwork) -> dict[str, Any]:
        return {"thumbnail": artwork_image_url(item, min_width=THUMBNAIL_WIDTH)}


class NewArtworksFeed(_ArtworkFeed):
    """The newest published work on the site."""

    def title(self) -> str:
        return _("New on %(site)s") % {"site": settings.SITE_NAME}

    def subtitle(self) -> str:
        return _("The newest AI artworks published on %(site)s.") % {"site": settings.SITE_NAME}

    def link(self) -> str:
        return absolute_url(reverse("feed:feed") + "?tab=new")

    def feed_url(self) -> str:
        return absolute_url(reverse("feed:atom"))

    def items(self) -> list[Artwork]:
        return feed_page(tab="new", limit=ITEMS).items


class MemberArtworksFeed(_ArtworkFeed):
    """A member's newest published work (404 for a missing or suspended member)."""

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        if getattr(request, "_feed_author_noai", False):
            response["X-Robots-Tag"] = NOAI  # the member asked AI crawlers not to train on it
        return response

    def get_object(self, request: HttpRequest, username: str) -> User:
        author = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if author is None:
            raise Http404("No such member.")
        request._feed_author_noai = author.noai
        return author

    def title(self, obj: User) -> str:
        return _("%(name)s (@%(username)s) on %(site)s") % {
            "name": obj.display_name,
            "username": obj.username,
            "site": settings.SITE_NAME,
        }

    def subtitle(self, obj: User) -> str:
        return _("New AI artworks by %(name)s.") % {"name": obj.display_name}

    def link(self, obj: User) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: User) -> str:
        return absolute_url(reverse("feed:profile_atom", args=[obj.username]))

    def items(self, obj: User) -> list[Artwork]:
        return user_artworks_page(author=obj, viewer=None, limit=ITEMS).items


class TagArtworksFeed(_ArtworkFeed):
    """The newest public work with a tag (404 for a tag no listed work carries, as its
    page)."""

    def get_object(self, request: HttpRequest, name: str) -> Tag:
        tag = tag_find(name=name)
        if tag is None:
            raise Http404("No such tag.")
        return tag

    def title(self, obj: Tag) -> str:
        return _("#%(tag)s on %(site)s") % {"tag": obj.name, "site": settings.SITE_NAME}

    def subtitle(self, obj: Tag) -> str:
        return _("New AI artworks tagged “%(tag)s”.") % {"tag": obj.name}

    def link(self, obj: Tag) -> str:
        return absolute_url(obj.get_absolute_url() + "?tab=new")

    def feed_url(self, obj: Tag) -> str:
        return absolute_url(reverse("feed:tag_atom", args=[obj.name]))

    def items(self, obj: Tag) -> list[Artwork]:
        return tag_artworks_page(tag=obj, tab="new", limit=ITEMS).items


class CollectionArtworksFeed(_ArtworkFeed):
    """The artworks latest added to a public collection that the public may see (404 for a
    private collection, a missing one, or one whose owner is suspended)."""

    def get_object(self, request: HttpRequest, username: str, slug: str) -> Collection:
        owner = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if owner is None:
            raise Http404("No such member.")
        # Read before the collection, so a change meanwhile leaves an outdated copy.
        pagecache.depends_on(request, pagecache.collections_tag(owner.pk))
        collection = Collection.objects.filter(owner=owner, slug=slug).first()
        if collection is not None:
            collection.owner = owner
        if collection is None or not can_view_collection(viewer=None, collection=collection):
            raise Http404("No such collection.")
        return collection

    def title(self, obj: Collection) -> str:
        return _("%(name)s, a collection by %(owner)s on %(site)s") % {
            "name": obj.name,
            "owner": obj.owner.display_name,
            "site": settings.SITE_NAME,
        }

    def subtitle(self, obj: Collection) -> str:
        return obj.description or _("AI artworks collected by %(owner)s.") % {
            "owner": obj.owner.display_name
        }

    def link(self, obj: Collection) -> str:
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj: Collection) -> str:
        return absolute_url(reverse("feed:collection_atom", args=[obj.owner.username, obj.slug]))

    def items(self, obj: Collection) -> list[Artwork]:
        return collection_items_page(collection=obj, viewer=None, cursor=None, limit=ITEMS).items

    def item_pubdate(self, item: Artwork) -> datetime | None:
        # In a collection's feed, an entry is new when it was added.
        return getattr(item, "added_at", None) or item.published_at

    def item_updateddate(self, item: Artwork) -> datetime | None:
        # Readers date and order entries by <updated>: never before the entry was added here
        # (an older work just collected would come dated, and sorted, as of its last edit).
        dates = [d for d in (self.item_pubdate(item), item.updated_at) if d is not None]
        return max(dates, default=None)
