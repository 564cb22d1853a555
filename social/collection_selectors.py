"""Reads of collections, and the rules of who may see, change and fill one (one predicate
each, asked by the pages, the API, the feeds, the sitemap and the services alike).

- A public collection is seen by everyone while its owner is active; a private one by its
  owner alone (staff included: a private collection is nobody else's business; the admin
  is where staff look).
- Only the owner changes a collection, and fills it with artworks they may see (the one
  visibility rule, `artworks.selectors`), except the work of a member who blocks them.
- A collection shows each viewer only the artworks that viewer may see: a draft or a hidden
  artwork in someone's collection stays out of everyone else's sight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in
from artworks.models import Artwork
from artworks.selectors import artwork_is_visible_to, artwork_visibility_q
from common.querysets import count_per_row

from .models import Collection, CollectionItem
from .page_selectors import decode_cursor, encode_cursor
from .selectors import is_blocked_by

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    Viewer = User | AnonymousUser | None

COLLECTION_PAGE_SIZE = 24
MAX_PAGE_SIZE = 60


def _is_owner(viewer: Viewer, collection: Collection) -> bool:
    return user_is_signed_in(viewer) and viewer.pk == collection.owner_id


def can_view_collection(*, viewer: Viewer, collection: Collection) -> bool:
    """Whether `viewer` may see `collection` at all (its owner loaded): a public collection of
    an active member, or their own."""
    if not collection.owner.is_active:
        return False
    return collection.is_public or _is_owner(viewer, collection)


def can_edit_collection(*, actor: Viewer, collection: Collection) -> bool:
    """Rename, describe, make public or private, delete, add and remove artworks: the owner
    alone."""
    return _is_owner(actor, collection)


def collection_add_refusal(
    *, actor: Viewer, collection: Collection, artwork: Artwork, blocked_by: bool | None = None
) -> str | None:
    """Why `actor` may not put `artwork` (its author loaded) in `collection`, or None when they
    may. `blocked_by`: whether the artwork's author blocks the actor, when the page knows
    (else one query)."""
    if not can_edit_collection(actor=actor, collection=collection):
        return _("Only its owner can change this collection.")
    if not artwork_is_visible_to(artwork=artwork, viewer=actor):
        return _("No such artwork.")
    if blocked_by is None:
        blocked_by = artwork.user_id != actor.pk and is_blocked_by(viewer=actor, user=artwork.user)
    if blocked_by:
        return _("You cannot save this member's work.")
    return None


def collections_shown_to(*, viewer: Viewer, owner: User) -> QuerySet[Collection]:
    """`owner`'s collections `viewer` may see (`can_view_collection` for a whole list)."""
    rows = Collection.objects.filter(owner=owner, owner__is_active=True)
    if not (user_is_signed_in(viewer) and viewer.pk == owner.pk):
        rows = rows.filter(is_public=True)
    return rows


def _visible_items(viewer: Viewer) -> QuerySet[CollectionItem]:
    return CollectionItem.objects.filter(
        artwork__in=Artwork.objects.filter(artwork_visibility_q(viewer=viewer)).values("pk")
    )


def collection_list(*, viewer: Viewer, owner: User) -> list[Collection]:
    """`owner`'s collections that `viewer` may see, the most recently changed first, each with
    `shown_count` (its artworks the viewer may see) and `cover` (the latest added of them, or
    None): two queries, whatever the number of collections."""
    items = _visible_items(viewer)
    latest = items.filter(collection=OuterRef("pk")).order_by("-added_at", "-id")
    rows = list(
        collections_shown_to(viewer=viewer, owner=owner)
        .select_related("owner")
        .annotate(
            shown_count=count_per_row(items.filter(collection=OuterRef("pk")), per="collection"),
            cover_id=Subquery(latest.values("artwork_id")[:1]),
        )
        .order_by("-updated_at", "-id")
    )
    cover_ids = [row.cover_id for row in rows if row.cover_id]
    covers = Artwork.objects.select_related("user").in_bulk(cover_ids) if cover_ids else {}
    for row in rows:
        row.cover = covers.get(row.cover_id)
    return rows


def collection_find(*, viewer: Viewer, owner: User, slug: str) -> Collection:
    """`owner`'s collection `slug` if `viewer` may see it, with `shown_count`; raises
    Collection.DoesNotExist otherwise (a private collection is indistinguishable from a
    missing one). One query."""
    items = _visible_items(viewer).filter(collection=OuterRef("pk"))
    return (
        collections_shown_to(viewer=viewer, owner=owner)
        .select_related("owner")
        .annotate(shown_count=count_per_row(items, per="collection"))
        .get(slug=slug)
    )


def collection_get_visible(*, viewer: Viewer, collection_id: int) -> Collection:
    """The collection by id if `viewer` may see it, with `shown_count` (the API); raises
    Collection.DoesNotExist otherwise. One query."""
    items = _visible_items(viewer).filter(collection=OuterRef("pk"))
    collection = (
        Collection.objects.select_related("owner")
        .annotate(shown_count=count_per_row(items, per="collection"))
        .get(pk=collection_id)
    )
    if not can_view_collection(viewer=viewer, collection=collection):
        raise Collection.DoesNotExist
    return collection


@dataclass(frozen=True)
class ItemPage:
    items: list[Artwork]  # each with `added_at`, when it joined the collection
    next_cursor: str | None


def collection_items_page(
    *, collection: Collection, viewer: Viewer, cursor: str | None, limit: int | None = None
) -> ItemPage:
    """One page of the collection's artworks that `viewer` may see, the latest added first,
    authors loaded: one query. The caller asked `can_view_collection`. Raises InvalidCursor
    for a cursor this module did not make."""
    limit = max(1, min(MAX_PAGE_SIZE, limit or COLLECTION_PAGE_SIZE))
    rows = (
        _visible_items(viewer)
        .filter(collection=collection)
        .select_related("artwork", "artwork__user")
        .order_by("-added_at", "-id")
    )
    if cursor:
        added_at, last_id = decode_cursor(cursor)
        rows = rows.filter(Q(added_at__lt=added_at) | Q(added_at=added_at, id__lt=last_id))
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    artworks = []
    for row in found:
        row.artwork.added_at = row.added_at
        artworks.append(row.artwork)
    last = found[-1] if more and found else None
    return ItemPage(
        items=artworks, next_cursor=encode_cursor(last.added_at, last.pk) if last else None
    )


@dataclass(frozen=True)
class SaveChoice:
    collection: Collection
    saved: bool


def save_choices(*, member: User, artwork_id: int) -> list[SaveChoice]:
    """Each of `member`'s collections (most recently changed first) and whether it holds the
    artwork: one query (the save control on the artwork page)."""
    holding = CollectionItem.objects.filter(collection=OuterRef("pk"), artwork_id=artwork_id)
    rows = (
        Collection.objects.filter(owner=member)
        .annotate(saved=count_per_row(holding, per="collection"))
        .order_by("-updated_at", "-id")
    )
    choices = []
    for row in rows:
        row.owner = member
        choices.append(SaveChoice(collection=row, saved=bool(row.saved)))
    return choices
