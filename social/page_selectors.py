"""What the followers / following pages read: one page of members with a keyset cursor on the
follow rows' (created_at, id), never OFFSET; and the pages' tabs. Read-only.

The cursor is this module's own (social sits below feed and may not use feed's cursors): an
opaque, URL-safe token of the last row's (created_at, id)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .selectors import follow_rows_page, member_pairs_page

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Follow

Direction = Literal["followers", "following"]
StandingKind = Literal["blocked", "muted"]
DIRECTIONS: tuple[Direction, ...] = ("followers", "following")
FOLLOW_PAGE_SIZE = 30


class InvalidCursor(ValueError):
    """A cursor that this module did not make (or that was tampered with)."""


@dataclass(frozen=True)
class MemberPage:
    items: list[User]
    next_cursor: str | None


def encode_cursor(created_at: datetime, row_id: int) -> str:
    raw = f"{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        # In UTC here: a time that leaves the calendar when moved there fails now, not in the
        # query.
        return datetime.fromisoformat(created_at).astimezone(UTC), int(row_id)
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCursor(
            _("This page link is invalid; start again from the first page.")
        ) from exc


def follow_page(
    *, user: User, direction: Direction, cursor: str | None, limit: int = FOLLOW_PAGE_SIZE
) -> MemberPage:
    """One page of `user`'s followers or of the members they follow, newest follow first
    (one query). Raises InvalidCursor for a cursor this module did not make."""
    after = decode_cursor(cursor) if cursor else None
    rows: list[Follow] = follow_rows_page(user=user, direction=direction, after=after, limit=limit)
    has_more = len(rows) > limit
    rows = rows[:limit]
    other = "follower" if direction == "followers" else "followee"
    last = rows[-1] if rows and has_more else None
    return MemberPage(
        items=[getattr(row, other) for row in rows],
        next_cursor=encode_cursor(last.created_at, last.pk) if last else None,
    )


def standing_page(
    *, user: User, kind: StandingKind, cursor: str | None, limit: int = FOLLOW_PAGE_SIZE
) -> MemberPage:
    """One page of the members `user` blocks (`kind="blocked"`) or mutes (`"muted"`), newest
    first (one query), for their settings. Raises InvalidCursor."""
    after = decode_cursor(cursor) if cursor else None
    pairs = "blocks" if kind == "blocked" else "mutes"
    rows = member_pairs_page(user=user, kind=pairs, after=after, limit=limit)
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows and has_more else None
    return MemberPage(
        items=[getattr(row, kind) for row in rows],
        next_cursor=encode_cursor(last.created_at, last.pk) if last else None,
    )


def follow_tabs(*, user: User) -> list[dict[str, object]]:
    """The two lists of a member, each with its count (components/tabs.html)."""
    return [
        {
            "key": "followers",
            "label": _("Followers"),
            "url": reverse("social:followers", args=[user.username]),
            "count": user.follower_count,
        },
        {
            "key": "following",
            "label": pgettext("follow list", "Following"),
            "url": reverse("social:following", args=[user.username]),
            "count": user.following_count,
        },
    ]
