"""How the list pages describe themselves to search engines and link previews (meta and
JSON-LD): the landing page, features, /feed and profiles. Artwork pages have artworks.seo; both
build their JSON-LD from common.seo's nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from artworks.images import artwork_image_url
from artworks.models import Artwork, Tag
from common.seo import (
    PageMeta,
    absolute_url,
    interaction_counters,
    jsonld_thing,
    person_jsonld,
    unindexed_when_empty,
)

from .page_selectors import FOLLOWING, MEMBER_FEED_TABS, OWNER_ONLY_TABS

if TYPE_CHECKING:
    from accounts.models import User


def _with_preview_image(meta: PageMeta, artworks: list[Artwork]) -> PageMeta:
    """Link previews of list pages show their first `general` artwork (or the site's card):
    a preview is seen by whoever a link is shared with, whatever they opted in to."""
    artworks = [a for a in artworks if a.rating == Artwork.Rating.GENERAL]
    if artworks:
        meta.image, meta.image_width, meta.image_height = artwork_image_url(artworks[0])
        meta.image_alt = artworks[0].alt_text or artworks[0].title
    if not meta.image:
        meta.image = absolute_url(settings.STATIC_URL + "img/og-default.png")
        meta.image_width, meta.image_height = 1200, 630
        meta.image_alt = settings.SITE_NAME
    return meta


def _list_params(*, tab: str, default_tab: str, cursor: str | None) -> dict[str, str]:
    """The query a list page's canonical URL keeps: a tab other than the default, a cursor."""
    return {"tab": tab if tab != default_tab else "", "cursor": cursor or ""}


def _site_page_jsonld(type_: str, *, name: str, path: str) -> dict[str, Any]:
    return jsonld_thing(
        type_,
        name=name,
        url=absolute_url(path),
        isPartOf={"@type": "WebSite", "url": absolute_url("/")},
    )


def _site_jsonld() -> dict[str, Any]:
    return jsonld_thing(
        "WebSite",
        name=settings.SITE_NAME,
        url=absolute_url("/"),
        inLanguage=[code for code, _name in settings.LANGUAGES],
        publisher={"@type": "Organization", "name": settings.SITE_NAME},
    )


def tag_meta(*, tag: Tag, tab: str, cursor: str | None, items: list[Artwork]) -> PageMeta:
    """A tag page's meta: its Hot tab is the canonical page of the subject (not indexed
    while it shows nothing)."""
    path = tag.get_absolute_url()
    title = _("#%(tag)s: AI art tagged %(tag)s") % {"tag": tag.name}
    meta = PageMeta(
        title=f"{title} · {settings.SITE_NAME}",
        description=_("AI artworks tagged “%(tag)s” on %(site)s, the most loved and the newest.")
        % {"tag": tag.name, "site": settings.SITE_NAME},
        path=path,
        params=_list_params(tab=tab, default_tab="hot", cursor=cursor),
        jsonld=[_site_page_jsonld("CollectionPage", name=f"#{tag.name}", path=path)],
        feeds=[tag_feed(tag)],
    )
    return _with_preview_image(unindexed_when_empty(meta, items), items)


def tag_feed(tag: Tag) -> tuple[str, str]:
    """(title, URL) of a tag's Atom feed."""
    title = _("New work tagged %(tag)s") % {"tag": tag.name}
    return title, absolute_url(reverse("feed:tag_atom", args=[tag.name]))


def site_feed() -> tuple[str, str]:
    """(title, URL) of the site's Atom feed of new work."""
    title = _("New on %(site)s") % {"site": settings.SITE_NAME}
    return title, absolute_url(reverse("feed:atom"))


def member_feed(author: User) -> tuple[str, str]:
    """(title, URL) of a member's Atom feed."""
    title = _("New work by %(name)s") % {"name": author.display_name}
    return title, absolute_url(reverse("feed:profile_atom", args=[author.username]))


def landing_meta(showcase: list[Artwork]) -> PageMeta:
    meta = PageMeta(
        title=_("%(site)s — create, share and discover AI art") % {"site": settings.SITE_NAME},
        description=_(
            "A community for AI art: generate images from a prompt or upload your own, "
            "publish them, and discover the most loved work of other creators."
        ),
        path=reverse("feed:landing"),
        jsonld=[_site_jsonld()],
        feeds=[site_feed()],
    )
    return _with_preview_image(meta, showcase)


def features_meta(showcase: list[Artwork]) -> PageMeta:
    path = reverse("feed:features")
    meta = PageMeta(
        title=_("Features · %(site)s") % {"site": settings.SITE_NAME},
        description=_(
            "Generate and upload, keep drafts, publish, like and favorite, a hot-ranked "
            "feed, a JSON API and a server you can host yourself."
        ),
        path=path,
        jsonld=[_site_page_jsonld("WebPage", name=_("Features"), path=path)],
    )
    return _with_preview_image(meta, showcase)


def feed_title(tab: str) -> str:
    if tab == FOLLOWING:
        return _("Following")
    return _("Hot AI art") if tab == "hot" else _("New AI art")


def _feed_description(tab: str) -> str:
    if tab == "hot":
        return _(
            "The most loved AI artworks of the community, ranked by likes, favorites and freshness."
        )
    if tab == FOLLOWING:
        return _("New AI artworks from the creators you follow.")
    return _("The newest AI artworks published by the community.")


def feed_meta(*, tab: str, cursor: str | None, items: list[Artwork]) -> PageMeta:
    """A feed tab's meta; a member's own tab (following) is never indexed, nor an empty one."""
    path = reverse("feed:feed")
    title = feed_title(tab)
    meta = PageMeta(
        title=f"{title} · {settings.SITE_NAME}",
        description=_feed_description(tab),
        path=path,
        params=_list_params(tab=tab, default_tab="hot", cursor=cursor),
        noindex=tab in MEMBER_FEED_TABS,
        jsonld=[_site_page_jsonld("CollectionPage", name=title, path=path)],
        feeds=[] if tab in MEMBER_FEED_TABS else [site_feed()],
    )
    return _with_preview_image(unindexed_when_empty(meta, items), items)


def _profile_jsonld(author: User, counts: dict[str, int | None]) -> dict[str, Any]:
    person = person_jsonld(
        author,
        identifier=str(author.pk),
        counters=interaction_counters(
            WriteAction=counts["published"], LikeAction=counts["likes"] or 0
        ),
    )
    return jsonld_thing(
        "ProfilePage",
        url=absolute_url(author.get_absolute_url()),
        dateCreated=author.date_joined.isoformat(),
        mainEntity=person,
    )


def profile_meta(
    *,
    author: User,
    tab: str,
    cursor: str | None,
    counts: dict[str, int | None],
    items: list[Artwork],
) -> PageMeta:
    """A profile tab's meta; the private tabs (drafts, favorites) are never indexed, nor an
    empty one."""
    names = {"name": author.display_name, "username": author.username}
    meta = PageMeta(
        title=_("%(name)s (@%(username)s) · %(site)s") % {**names, "site": settings.SITE_NAME},
        description=_("AI artworks by %(name)s (@%(username)s): %(count)s published.")
        % {**names, "count": counts["published"]},
        path=author.get_absolute_url(),
        params=_list_params(tab=tab, default_tab="artworks", cursor=cursor),
        og_type="profile",
        noindex=tab in OWNER_ONLY_TABS,
        noai=author.noai,
        jsonld=[_profile_jsonld(author, counts)],
        feeds=[member_feed(author)],
    )
    meta = unindexed_when_empty(meta, items)
    meta = _with_preview_image(meta, items if tab == "artworks" else [])
    meta.extra_og["profile:username"] = author.username
    if author.profile_pic and tab == "artworks" and not items:
        meta.image = absolute_url(author.profile_pic.url)
    return meta


def search_meta(*, query: str, kind: str, searched: bool) -> PageMeta:
    """Search results are never indexed (noindex): they are endless and thin. A query that
    searched nothing (too short, too long) is titled as the page heads it: Search."""
    title = _("Search results for “%(query)s”") % {"query": query} if searched else _("Search")
    return PageMeta(
        title=f"{title} · {settings.SITE_NAME}",
        description=_("Search artworks, prompts, tags and creators on %(site)s.")
        % {"site": settings.SITE_NAME},
        path=reverse("feed:search"),
        params={"q": query, "type": kind if kind != "artworks" else ""},
        noindex=True,
    )
