"""List readers for the feed, profiles and favorites: keyset (cursor) pagination, never OFFSET.

Each reader returns a `Page` of artworks with their authors loaded (one query for the rows).
Visibility always comes from `artworks.selectors` — the one rule. Feed and profile pages take
their ids from the Redis index (feed.redis_index) when it can answer and check the rows
against it; on a miss they read the database and announce the miss (feed.signals), and the
index is refilled (feed.receivers → feed.services). Readers never write.

The index holds listed work of every rating; a page read from it keeps the rows the rule lets
its viewer see (`artwork_is_visible_to`, on the rows already loaded: no query, no round trip
more). A viewer who does not see every rating asks the index for more ids than a page needs,
so that a few leaving do not shorten it; when too many left, the database decides the page
(without a miss: the index is fine).
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Literal, TypeAlias, TypeVar

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in
from artworks.models import Artwork, Favorite, Tag
from artworks.selectors import (
    ALL_RATINGS,
    artwork_is_visible_to,
    artwork_staff_sees_all,
    artworks_listed,
    artworks_public,
    artworks_visible_to,
    ratings_shown_to,
)
from social.selectors import followees_of, muted_by

from .redis_index import feed_index
from .signals import index_missed, index_stale

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from accounts.models import User

Row = TypeVar("Row", Artwork, Favorite)
Viewer: TypeAlias = "User | AnonymousUser | None"
FeedTab = Literal["hot", "new"]
FEED_TABS: tuple[FeedTab, ...] = ("hot", "new")
DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 60


class InvalidCursor(ValueError):
    """A cursor that was not made by this module (or was tampered with)."""


@dataclass(frozen=True)
class Page:
    items: list[Artwork]
    next_cursor: str | None


def encode_cursor(*parts: object) -> str:
    raw = "|".join(str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_part(text: str, kind: type) -> object:
    if kind is datetime:
        # In UTC here: a time that leaves the calendar when moved there fails now, not in the
        # query.
        return datetime.fromisoformat(text).astimezone(UTC)
    value = kind(text)
    if kind is float and not math.isfinite(value):
        # No score or rank the site writes: inf would come before every row (the first page
        # again), nan after none.
        raise ValueError("not a finite number")
    return value


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        if len(parts) != len(kinds):
            raise ValueError("wrong number of parts")
        return tuple(_cursor_part(p, kind) for p, kind in zip(parts, kinds, strict=True))
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCursor(
            _("This page link is invalid; start again from the first page.")
        ) from exc


def clamp_limit(limit: int | None) -> int:
    return max(1, min(MAX_PAGE_SIZE, limit or DEFAULT_PAGE_SIZE))


def _page(rows: list[Row], limit: int, cursor_of: Callable[[Row], str]) -> Page:
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=cursor_of(rows[-1]) if has_more and rows else None)


def _hot_cursor(artwork: Artwork) -> str:
    return encode_cursor(repr(artwork.hot_score), artwork.id)


def _published_cursor(artwork: Artwork) -> str:
    return encode_cursor(artwork.published_at.isoformat(), artwork.id)


class _TooFewShown:
    """The index answered, but too few of its ids were for this viewer: the database decides
    this page, and nothing is announced (the index is right)."""


TOO_FEW_SHOWN = _TooFewShown()
IndexAnswer = Page | _TooFewShown | None


def _index_count(limit: int, viewer: Viewer) -> int:
    """How many ids to ask the index for: one page and one more, or twice that for a viewer
    who does not see every rating."""
    return limit + 1 if ratings_shown_to(viewer) == ALL_RATINGS else 2 * (limit + 1)


def _listed_rows(ids: list[int]) -> dict[int, Artwork]:
    """The listed rows for ids from Redis, authors included: one query."""
    return artworks_listed().in_bulk(ids) if ids else {}


def _shown_page(
    items: list[Artwork], *, viewer: Viewer, count: int, limit: int, cursor_of: Callable
) -> IndexAnswer:
    """The page of `items` (in the index's order) that `viewer` may see."""
    shown = [a for a in items if artwork_is_visible_to(artwork=a, viewer=viewer)]
    if len(shown) <= limit and len(items) == count and len(shown) < len(items):
        return TOO_FEW_SHOWN  # the index has more, but this walk would need another read
    return _page(shown, limit, cursor_of)


def _hot_page_from_index(
    after: tuple[float, int] | None, limit: int, viewer: Viewer
) -> IndexAnswer:
    count = _index_count(limit, viewer)
    entries = feed_index.hot_page(after=after, count=count)
    if entries is None:
        return None
    rows = _listed_rows([artwork_id for artwork_id, _ in entries])
    gone = [artwork_id for artwork_id, _ in entries if artwork_id not in rows]
    if gone:
        index_stale.send(sender=None, artwork_ids=gone)
        return None
    if any(rows[artwork_id].hot_score != score for artwork_id, score in entries):
        return None  # a reaction's sync has not landed yet: the database decides this page
    items = [rows[artwork_id] for artwork_id, _ in entries]
    return _shown_page(items, viewer=viewer, count=count, limit=limit, cursor_of=_hot_cursor)


def _newest_first_page_from_ids(
    ids: list[int] | None,
    after: tuple[datetime, int] | None,
    limit: int,
    *,
    viewer: Viewer,
    count: int,
) -> IndexAnswer:
    """A page from a Redis list of ids, if it agrees with the database's order."""
    if ids is None:
        return None
    rows = _listed_rows(ids)
    gone = [artwork_id for artwork_id in ids if artwork_id not in rows]
    if gone:
        index_stale.send(sender=None, artwork_ids=gone)
        return None
    items = [rows[artwork_id] for artwork_id in ids]
    keys = [(a.published_at, a.id) for a in items]
    if after is not None:
        keys.insert(0, after)
    if any(earlier <= later for earlier, later in pairwise(keys)):
        return None  # out of order: a sync is pending, the database decides this page
    return _shown_page(items, viewer=viewer, count=count, limit=limit, cursor_of=_published_cursor)


def _from_database(answer: IndexAnswer, collection: str, **where: object) -> None:
    """After the index could not give the page: announce the miss, unless it answered."""
    if answer is None:
        index_missed.send(sender=None, collection=collection, **where)


def feed_page(
    *,
    tab: FeedTab,
    cursor: str | None = None,
    limit: int | None = None,
    viewer: Viewer = None,
) -> Page:
    """Published, visible artworks of the ratings `viewer` sees (no viewer: a visitor's):
    Hot by hot_score, New by published_at (ties by id).

    Ids come from the Redis index (hot_rank, feed_queue) when it can answer, then the rows in
    one query; otherwise from the database, and the miss is announced so that the index is
    refilled (cache-aside). Both give the same order and the same cursors, so a walk may
    switch between them."""
    limit = clamp_limit(limit)
    if tab == "hot":
        after = decode_cursor(cursor, (float, int)) if cursor else None
        answer = _hot_page_from_index(after, limit, viewer)
        if isinstance(answer, Page):
            return answer
        qs = artworks_public(viewer=viewer).order_by("-hot_score", "-id")
        if after:
            score, last_id = after
            qs = qs.filter(Q(hot_score__lt=score) | Q(hot_score=score, id__lt=last_id))
        page = _page(list(qs[: limit + 1]), limit, _hot_cursor)
        _from_database(answer, "hot_rank")
        return page
    if tab == "new":
        after = decode_cursor(cursor, (datetime, int)) if cursor else None
        count = _index_count(limit, viewer)
        ids = feed_index.feed_queue_page(after_id=after[1] if after else None, count=count)
        answer = _newest_first_page_from_ids(ids, after, limit, viewer=viewer, count=count)
        if isinstance(answer, Page):
            return answer
        qs = artworks_public(viewer=viewer).order_by("-published_at", "-id")
        if after:
            published_at, last_id = after
            qs = qs.filter(
                Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=last_id)
            )
        page = _page(list(qs[: limit + 1]), limit, _published_cursor)
        _from_database(answer, "feed_queue")
        return page
    raise ValueError(f"unknown feed tab {tab!r}")


def tag_artworks_page(
    *,
    tag: Tag,
    tab: FeedTab,
    cursor: str | None = None,
    limit: int | None = None,
    viewer: Viewer = None,
) -> Page:
    """The public artworks with `tag` (of the ratings `viewer` sees, less the work of members
    they mute): Hot by hot score, New by publication (ties by id), with the same cursors as the
    feed. One query (the tag's rows are joined through their index). Raises InvalidCursor."""
    limit = clamp_limit(limit)
    qs = artworks_public(viewer=viewer).filter(tag_rows__tag=tag)
    if user_is_signed_in(viewer) and viewer.muting_count:
        qs = qs.exclude(user_id__in=muted_by(viewer_id=viewer.pk))
    if tab == "hot":
        qs = qs.order_by("-hot_score", "-id")
        if cursor:
            score, last_id = decode_cursor(cursor, (float, int))
            qs = qs.filter(Q(hot_score__lt=score) | Q(hot_score=score, id__lt=last_id))
        return _page(list(qs[: limit + 1]), limit, _hot_cursor)
    qs = qs.order_by("-published_at", "-id")
    if cursor:
        published_at, last_id = decode_cursor(cursor, (datetime, int))
        qs = qs.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=last_id),
            published_at__lte=published_at,
        )
    return _page(list(qs[: limit + 1]), limit, _published_cursor)


def _following_authors(*, viewer: User) -> QuerySet:
    """The authors whose work fills `viewer`'s following feed, as a subquery: whom they follow,
    less whom they mute. The one place that decides it (a block needs no rule here: it takes
    the follows between the two members with it, both ways)."""
    muted = muted_by(viewer_id=viewer.pk)
    return followees_of(follower_id=viewer.pk).exclude(followee_id__in=muted)


def following_page(
    *, viewer: User | AnonymousUser | None, cursor: str | None = None, limit: int | None = None
) -> Page:
    """The published, visible artworks of the members `viewer` follows, newest publication
    first (ties by id), with the same cursors as the "new" tab. One query whatever the number
    of followees: the follows are a subquery of the page's own (fan-out on read; nothing is
    written per follower when a member publishes). Read from the database only. A visitor
    follows nobody: an empty page. Raises InvalidCursor."""
    limit = clamp_limit(limit)
    after = decode_cursor(cursor, (datetime, int)) if cursor else None
    if viewer is None or not viewer.is_authenticated:
        return Page(items=[], next_cursor=None)
    qs = artworks_public(viewer=viewer).filter(user_id__in=_following_authors(viewer=viewer))
    if after:
        published_at, last_id = after
        # The redundant bound lets PostgreSQL start the index walk at the cursor (the OR alone
        # is only a filter: every earlier row would be read again, page after page).
        qs = qs.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=last_id),
            published_at__lte=published_at,
        )
    rows = list(qs.order_by("-published_at", "-id")[: limit + 1])
    return _page(rows, limit, _published_cursor)


def user_artworks_page(
    *,
    author: User,
    viewer: User | None,
    drafts: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """An author's published artworks (newest publication first), or — for the author and
    staff only — their drafts (newest first). Others asking for drafts get an empty page.

    Published pages read ids from user:{id}:artworks when Redis can answer (staff, who also
    see hidden work, and drafts always read the database)."""
    limit = clamp_limit(limit)
    qs = artworks_visible_to(viewer=viewer).filter(user=author)
    if drafts:
        qs = qs.filter(status=Artwork.Status.DRAFT).order_by("-created_at", "-id")
        if cursor:
            created_at, last_id = decode_cursor(cursor, (datetime, int))
            qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id))
        return _page(
            list(qs[: limit + 1]), limit, lambda a: encode_cursor(a.created_at.isoformat(), a.id)
        )
    after = decode_cursor(cursor, (datetime, int)) if cursor else None
    from_index = not artwork_staff_sees_all(viewer)
    answer = None
    if from_index:
        count = _index_count(limit, viewer)
        ids = feed_index.user_artworks_page(
            user_id=author.pk, after_id=after[1] if after else None, count=count
        )
        answer = _newest_first_page_from_ids(ids, after, limit, viewer=viewer, count=count)
        if isinstance(answer, Page):
            return answer
    qs = qs.filter(status=Artwork.Status.PUBLISHED).order_by("-published_at", "-id")
    if after:
        published_at, last_id = after
        qs = qs.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=last_id)
        )
    page = _page(list(qs[: limit + 1]), limit, _published_cursor)
    if from_index:
        _from_database(answer, "user_artworks", user_id=author.pk)
    return page


def user_favorites_page(
    *, owner: User, viewer: User | None, cursor: str | None = None, limit: int | None = None
) -> Page:
    """The owner's favorites, most recently favorited first, limited to what the viewer may
    see. Whether the viewer may list them at all is the caller's decision."""
    limit = clamp_limit(limit)
    visible_ids = artworks_visible_to(viewer=viewer).values("id")
    qs = (
        Favorite.objects.filter(user=owner, artwork_id__in=visible_ids)
        .select_related("artwork", "artwork__user")
        .order_by("-created_at", "-id")
    )
    if cursor:
        created_at, last_id = decode_cursor(cursor, (datetime, int))
        qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id))
    favorites = list(qs[: limit + 1])
    page = _page(favorites, limit, lambda f: encode_cursor(f.created_at.isoformat(), f.id))
    return Page(items=[f.artwork for f in page.items], next_cursor=page.next_cursor)


def hot_strip(*, limit: int = 12, viewer: Viewer = None) -> list[Artwork]:
    """The landing page's strip of hot artworks (of the ratings `viewer` sees)."""
    return feed_page(tab="hot", limit=limit, viewer=viewer).items
