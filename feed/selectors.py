"""List readers for the feed, profiles and favorites: keyset (cursor) pagination, never OFFSET.

Each reader returns a `Page` of artworks with their authors loaded (one query for the rows).
Visibility always comes from `artworks.selectors` — the one rule.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from django.db.models import Q

from artworks.models import Artwork, Favorite
from artworks.selectors import artworks_public, artworks_visible_to

if TYPE_CHECKING:
    from accounts.models import User

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


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        if len(parts) != len(kinds):
            raise ValueError("wrong number of parts")
        return tuple(
            datetime.fromisoformat(p) if kind is datetime else kind(p)
            for p, kind in zip(parts, kinds, strict=True)
        )
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCursor("This page link is invalid; start again from the first page.") from exc


def clamp_limit(limit: int | None) -> int:
    return max(1, min(MAX_PAGE_SIZE, limit or DEFAULT_PAGE_SIZE))


def _page(rows: list, limit: int, cursor_of) -> Page:
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=cursor_of(rows[-1]) if has_more and rows else None)


def feed_page(*, tab: FeedTab, cursor: str | None = None, limit: int | None = None) -> Page:
    """Published, visible artworks: Hot by hot_score, New by published_at (ties by id)."""
    limit = clamp_limit(limit)
    qs = artworks_public()
    if tab == "hot":
        qs = qs.order_by("-hot_score", "-id")
        if cursor:
            score, last_id = decode_cursor(cursor, (float, int))
            qs = qs.filter(Q(hot_score__lt=score) | Q(hot_score=score, id__lt=last_id))
        return _page(list(qs[: limit + 1]), limit, lambda a: encode_cursor(repr(a.hot_score), a.id))
    if tab == "new":
        qs = qs.order_by("-published_at", "-id")
        if cursor:
            published_at, last_id = decode_cursor(cursor, (datetime, int))
            qs = qs.filter(
                Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=last_id)
            )
        return _page(
            list(qs[: limit + 1]), limit, lambda a: encode_cursor(a.published_at.isoformat(), a.id)
        )
    raise ValueError(f"unknown feed tab {tab!r}")


def user_artworks_page(
    *,
    author: User,
    viewer: User | None,
    drafts: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """An author's published artworks (newest publication first), or — for the author and
    staff only — their drafts (newest first). Others asking for drafts get an empty page."""
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
    qs = qs.filter(status=Artwork.Status.PUBLISHED).order_by("-published_at", "-id")
    if cursor:
        published_at, last_id = decode_cursor(cursor, (datetime, int))
        qs = qs.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=last_id)
        )
    return _page(
        list(qs[: limit + 1]), limit, lambda a: encode_cursor(a.published_at.isoformat(), a.id)
    )


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


def hot_strip(*, limit: int = 12) -> list[Artwork]:
    """The landing page's strip of hot artworks."""
    return feed_page(tab="hot", limit=limit).items
