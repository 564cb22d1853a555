"""Reads of an artwork's remix family: the artwork it was remixed from, its remixes, and the
family tree (ancestors up the `remix_of` chain, descendants a few levels down).

Every relative passes the one visibility rule (`selectors.artworks_visible_to` /
`artwork_is_visible_to`) for the viewer. One the viewer may not see (a draft, a hidden one,
one of a suspended author) is a `Relative` without an artwork: pages and the API show it as
"removed" and say nothing else about it — no title, author, image, prompt or id. A deleted one
is gone from the chain (`remix_of` is SET_NULL).

Query counts are bounded by the depth limits, never by the number of relatives: the ancestors
cost two queries (their ids in one recursive query, their rows in one), the descendants one
query per level, each level at most `LEVEL_LIMIT` artworks.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Window

from .models import Artwork
from .selectors import artwork_get_visible_cached, artwork_is_visible_to, artworks_visible_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    Viewer = User | AnonymousUser | None

ANCESTOR_DEPTH = 10
DESCENDANT_DEPTH = 3
LEVEL_LIMIT = 50
PREVIEW_LIMIT = 6
DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 60


@dataclass
class Relative:
    """One artwork of the family as the viewer may know it: `artwork` is None when it is
    removed for them. `children` are its remixes (descendants only)."""

    artwork: Artwork | None
    children: list[Relative] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        return self.artwork is None


@dataclass
class Family:
    ancestors: list[Relative]  # the oldest first, ending with the artwork's parent
    remixes: list[Relative]  # the artwork's direct remixes, their own nested below
    ancestors_cut: bool  # the chain goes on above ANCESTOR_DEPTH
    levels_cut: bool  # a level held more than LEVEL_LIMIT, or the tree goes deeper


def artwork_parent_for(*, artwork: Artwork, viewer: Viewer) -> Relative | None:
    """The artwork `artwork` was remixed from, as the viewer may know it; None when it is no
    remix (or its parent was deleted). Read through the artwork cache: no query when warm."""
    if artwork.remix_of_id is None:
        return None
    try:
        return Relative(artwork_get_visible_cached(artwork_id=artwork.remix_of_id, viewer=viewer))
    except Artwork.DoesNotExist:
        return Relative(None)


def artwork_remixes_preview(
    *, artwork: Artwork, viewer: Viewer, limit: int = PREVIEW_LIMIT
) -> tuple[list[Artwork], int]:
    """The first `limit` remixes of `artwork` the viewer may see, newest first, and how many
    they may see in all: one query (the count is a window over the same rows)."""
    rows = list(
        artworks_visible_to(viewer=viewer)
        .filter(remix_of_id=artwork.pk)
        .annotate(family_total=Window(Count("pk")))
        .order_by("-id")[:limit]
    )
    return rows, (rows[0].family_total if rows else 0)


def visible_parent_ids(*, viewer: Viewer, artworks: Iterable[Artwork]) -> set[int]:
    """The parents (`remix_of`) of these artworks that the viewer may see: one query, none
    when no artwork among them is a remix."""
    parent_ids = {a.remix_of_id for a in artworks if a.remix_of_id is not None}
    if not parent_ids:
        return set()
    visible = artworks_visible_to(viewer=viewer).filter(pk__in=parent_ids)
    return set(visible.values_list("pk", flat=True))


# The chain up from a parent, one row per generation (the `artworks` table of Artwork).
_ANCESTORS_SQL = """
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, remix_of_id, 1 FROM artworks WHERE id = %s
    UNION ALL
    SELECT a.id, a.remix_of_id, chain.depth + 1
    FROM artworks a JOIN chain ON a.id = chain.parent_id
    WHERE chain.depth <= %s
)
SELECT id FROM chain ORDER BY depth
"""


def _ancestor_ids(artwork: Artwork) -> list[int]:
    """The ids up the `remix_of` chain, the parent first (at most ANCESTOR_DEPTH + 1, so the
    caller can tell that the chain goes on); one recursive query. The depth bound also ends a
    cycle, should one ever be written by hand."""
    if artwork.remix_of_id is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_ANCESTORS_SQL, [artwork.remix_of_id, ANCESTOR_DEPTH])
        ids = [row[0] for row in cursor.fetchall()]
    seen: list[int] = []
    for artwork_id in ids:
        if artwork_id in seen or artwork_id == artwork.pk:
            break
        seen.append(artwork_id)
    return seen


def artwork_ancestors(*, artwork: Artwork, viewer: Viewer) -> tuple[list[Relative], bool]:
    """The artworks up the `remix_of` chain as the viewer may know them, the oldest first and
    the parent last (at most ANCESTOR_DEPTH), and whether the chain goes on above them. Two
    queries at most."""
    ids = _ancestor_ids(artwork)
    cut = len(ids) > ANCESTOR_DEPTH
    ids = ids[:ANCESTOR_DEPTH]
    visible = artworks_visible_to(viewer=viewer).in_bulk(ids) if ids else {}
    return [Relative(visible.get(artwork_id)) for artwork_id in reversed(ids)], cut


def _descendants(artwork: Artwork, viewer: Viewer) -> tuple[list[Relative], bool]:
    """The remixes, DESCENDANT_DEPTH levels down, oldest first: one query per level."""
    top: list[Relative] = []
    parents: dict[int, list[Relative]] = {artwork.pk: top}
    seen = {artwork.pk}
    cut = False
    for _level in range(DESCENDANT_DEPTH):
        rows = list(
            Artwork.objects.filter(remix_of_id__in=list(parents))
            .exclude(pk__in=seen)
            .select_related("user")
            .order_by("id")[: LEVEL_LIMIT + 1]
        )
        cut = cut or len(rows) > LEVEL_LIMIT
        next_parents: dict[int, list[Relative]] = {}
        for row in rows[:LEVEL_LIMIT]:
            shown = row if artwork_is_visible_to(artwork=row, viewer=viewer) else None
            node = Relative(shown)
            parents[row.remix_of_id].append(node)
            next_parents[row.pk] = node.children
            seen.add(row.pk)
        parents = next_parents
        if not parents:
            return top, cut
    deeper = Artwork.objects.filter(remix_of_id__in=list(parents)).exists()
    return top, cut or deeper


def artwork_family(*, artwork: Artwork, viewer: Viewer) -> Family:
    """The family tree around `artwork` (which the viewer may see) for the viewer."""
    ancestors, ancestors_cut = artwork_ancestors(artwork=artwork, viewer=viewer)
    remixes, levels_cut = _descendants(artwork, viewer)
    return Family(
        ancestors=ancestors, remixes=remixes, ancestors_cut=ancestors_cut, levels_cut=levels_cut
    )


def family_ids(family: Family) -> list[int]:
    """Every artwork id in the tree, removed ones too (what a cached page of it depends on)."""
    ids: list[int] = []

    def walk(nodes: list[Relative]) -> None:
        for node in nodes:
            if node.artwork is not None:
                ids.append(node.artwork.pk)
            walk(node.children)

    walk(family.ancestors)
    walk(family.remixes)
    return ids


# --- the API's page of direct remixes ------------------------------------------------------


class InvalidRemixCursor(ValueError):
    """A cursor this module did not make."""


@dataclass(frozen=True)
class RemixPage:
    items: list[Artwork]
    next_cursor: str | None


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"remix|{last_id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        kind, _sep, last_id = raw.partition("|")
        if kind != "remix":
            raise ValueError(kind)
        return int(last_id)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidRemixCursor(
            "This page link is invalid; start again from the first page."
        ) from exc


def artwork_remixes_page(
    *, artwork: Artwork, viewer: Viewer, cursor: str | None = None, limit: int | None = None
) -> RemixPage:
    """The direct remixes of `artwork` the viewer may see, newest first, a page at a time
    (keyset on the id). Raises InvalidRemixCursor for a cursor this module did not make."""
    limit = max(1, min(MAX_PAGE_SIZE, limit or DEFAULT_PAGE_SIZE))
    rows = artworks_visible_to(viewer=viewer).filter(remix_of_id=artwork.pk)
    if cursor:
        rows = rows.filter(pk__lt=_decode(cursor))
    items = list(rows.order_by("-id")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return RemixPage(items=items, next_cursor=_encode(items[-1].pk) if more and items else None)
