"""How the followers / following pages describe themselves: a title and a description, and
noindex (a list of names is no page to find in a search engine; the profile is). And the
collections' pages: a member's list, and each collection (JSON-LD CollectionPage; a private
one is never indexed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from artworks.images import artwork_image_url
from artworks.seo import rated_preview
from common.seo import (
    PageMeta,
    absolute_url,
    jsonld_thing,
    person_jsonld,
    shorten,
    unindexed_when_empty,
)

from .registry import collection_feed_url

if TYPE_CHECKING:
    from accounts.models import User
    from artworks.models import Artwork

    from .models import Collection
    from .page_selectors import Direction


def follow_list_heading(*, user: User, direction: Direction) -> str:
    if direction == "followers":
        return _("Followers of %(name)s") % {"name": user.display_name}
    return _("Followed by %(name)s") % {"name": user.display_name}


def _follow_list_title(*, user: User, direction: Direction) -> str:
    """The heading with the member's @username, as one sentence: languages order them apart."""
    names = {"name": user.display_name, "username": user.username}
    if direction == "followers":
        return _("Followers of %(name)s (@%(username)s)") % names
    return _("Followed by %(name)s (@%(username)s)") % names


def _description(*, user: User, direction: Direction) -> str:
    names = {"name": user.display_name, "username": user.username}
    if direction == "followers":
        count = user.follower_count
        text = ngettext(
            "%(count)s member follows %(name)s (@%(username)s).",
            "%(count)s members follow %(name)s (@%(username)s).",
            count,
        )
    else:
        count = user.following_count
        text = ngettext(
            "%(name)s (@%(username)s) follows %(count)s member.",
            "%(name)s (@%(username)s) follows %(count)s members.",
            count,
        )
    return text % {**names, "count": count}


def follow_list_meta(*, user: User, direction: Direction, cursor: str | None) -> PageMeta:
    meta = PageMeta(
        title=f"{_follow_list_title(user=user, direction=direction)} · {settings.SITE_NAME}",
        description=_description(user=user, direction=direction),
        path=reverse(f"social:{direction}", args=[user.username]),
        params={"cursor": cursor or ""},
        og_type="profile",
        noindex=True,
    )
    if user.profile_pic:
        meta.image = absolute_url(user.profile_pic.url)
        meta.image_alt = user.display_name
    else:
        meta.image = absolute_url(settings.STATIC_URL + "img/og-default.png")
        meta.image_width, meta.image_height = 1200, 630
        meta.image_alt = settings.SITE_NAME
    meta.extra_og["profile:username"] = user.username
    return meta


# --- collections ------------------------------------------------------------------------


def _with_image(meta: PageMeta, artwork: Artwork | None, user: User) -> PageMeta:
    """Link previews show the first artwork, else the member's picture or the site's card."""
    if artwork is not None:
        if artwork.rating != "general":
            return rated_preview(meta, artwork.rating)  # a preview is anyone's: never the work
        meta.image, meta.image_width, meta.image_height = artwork_image_url(artwork)
        meta.image_alt = artwork.alt_text or artwork.title
    if not meta.image and user.profile_pic:
        meta.image = absolute_url(user.profile_pic.url)
        meta.image_alt = user.display_name
    if not meta.image:
        meta.image = absolute_url(settings.STATIC_URL + "img/og-default.png")
        meta.image_width, meta.image_height = 1200, 630
        meta.image_alt = settings.SITE_NAME
    return meta


def collection_list_heading(*, owner: User) -> str:
    return _("Collections by %(name)s") % {"name": owner.display_name}


def collection_list_meta(*, owner: User, collections: list[Collection]) -> PageMeta:
    """A member's collections: indexed when it lists a public one."""
    heading = collection_list_heading(owner=owner)
    public = [c for c in collections if c.is_public]
    path = reverse("social:collections", args=[owner.username])
    names = {"name": owner.display_name, "username": owner.username}
    title = _("Collections by %(name)s (@%(username)s)") % names
    meta = PageMeta(
        title=f"{title} · {settings.SITE_NAME}",
        description=ngettext(
            "%(count)s collection of AI art put together by %(name)s (@%(username)s).",
            "%(count)s collections of AI art put together by %(name)s (@%(username)s).",
            len(public),
        )
        % {"count": len(public), **names},
        path=path,
        noindex=not public,
        jsonld=[
            jsonld_thing(
                "CollectionPage",
                name=heading,
                url=absolute_url(path),
                author=person_jsonld(owner),
            )
        ],
    )
    cover = next((c.cover for c in public if c.cover is not None), None)
    return _with_image(meta, cover, owner)


def collection_feed(collection: Collection) -> tuple[str, str]:
    """(title, URL) of a public collection's Atom feed (served by the read side)."""
    title = _("New in %(name)s") % {"name": collection.name}
    return title, absolute_url(collection_feed_url(collection.owner.username, collection.slug))


def collection_meta(
    *, collection: Collection, cursor: str | None, items: list[Artwork]
) -> PageMeta:
    """A collection's page: never indexed when private (its owner's alone) or empty."""
    owner = collection.owner
    names = {"name": collection.name, "owner": owner.display_name}
    path = collection.get_absolute_url()
    description = collection.description or (
        _("“%(name)s”, a collection of AI art by %(owner)s.") % names
    )
    meta = PageMeta(
        title=_("%(name)s · a collection by %(owner)s") % names + f" · {settings.SITE_NAME}",
        description=description,
        path=path,
        params={"cursor": cursor or ""},
        noindex=not collection.is_public,
        jsonld=[
            jsonld_thing(
                "CollectionPage",
                name=collection.name,
                description=shorten(description),
                url=absolute_url(path),
                author=person_jsonld(owner),
                dateCreated=collection.created_at.isoformat(),
                dateModified=collection.updated_at.isoformat(),
                numberOfItems=collection.shown_count,
            )
        ],
        feeds=[collection_feed(collection)] if collection.is_public else [],
    )
    meta = unindexed_when_empty(meta, items)
    return _with_image(meta, items[0] if items else None, owner)
