"""Reads of notifications: what a recipient may be told about (the rules of creation and of
reading), their unread count (kept in the cache), and a page of them, grouped.

What a recipient sees is decided when it is read, too: a notification whose actor is now
suspended, muted or blocked by the recipient, or whose artwork or comment the recipient may no
longer see (the visibility rule; a hidden comment, a suspended commenter, and so the replies
under them), is left out, and comes back when that is undone. The one exception is "your
artwork was hidden": it is about an artwork its author may no longer open."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from artworks.selectors import artworks_visible_to
from social.models import Block
from social.selectors import comments_readable_by, member_standing, muted_by

from .models import Notification, NotificationSettings

if TYPE_CHECKING:
    from accounts.models import User

Kind = Notification.Kind
# Kinds shown as one line per (kind, artwork, day): "ada and 3 others liked …".
GROUPED_KINDS = frozenset({Kind.FOLLOW, Kind.LIKE, Kind.FAVORITE})
PAGE_SIZE = 30
# A count read from the database is kept this long at most: the changes it does not follow
# (an actor suspended, an artwork hidden after the fact) show within this time.
UNREAD_SECONDS = 300


def disabled_kinds(*, user_id: int) -> set[str]:
    """The kinds the member turned off (one query)."""
    rows = NotificationSettings.objects.filter(user_id=user_id)
    return set(rows.values_list("disabled_kinds", flat=True).first() or ())


def notification_refusal(*, recipient: User, actor: User | None, kind: str) -> str | None:
    """Why `recipient` is not told about `actor`'s `kind` event (for the logs), or None: never
    an inactive recipient, never the actor themselves, never from a suspended actor or one the
    recipient blocks or mutes, never a kind the recipient turned off. (Whether the recipient
    may see the artwork or comment is asked by the caller: the visibility rule.)"""
    if not recipient.is_active:
        return "inactive recipient"
    if actor is not None:
        if actor.pk == recipient.pk:
            return "the actor"
        if not actor.is_active:
            return "inactive actor"
        standing = member_standing(viewer=recipient, user=actor)
        if standing["blocking"] or standing["muting"]:
            return "blocked or muted"
    if kind in disabled_kinds(user_id=recipient.pk):
        return "turned off"
    return None


def actors_refused_by(*, recipient_id: int) -> QuerySet:
    """The ids of the members `recipient` is never told about because they block or mute
    them, as a subquery: `notification_refusal`'s blocking and muting rule for many actors at
    once, when notifications are made in a batch and when they are read (the caller leaves out
    the recipient and suspended actors, as that rule does)."""
    blocked = Block.objects.filter(blocker_id=recipient_id).values("blocked_id")
    return muted_by(viewer_id=recipient_id).union(blocked, all=True)


def notifications_shown_to(*, recipient: User) -> QuerySet[Notification]:
    """The recipient's notifications they may read now (see the module's docstring): one
    query with its subqueries."""
    me = recipient.pk
    visible_artworks = artworks_visible_to(viewer=recipient).values("id")
    shown_comments = comments_readable_by(viewer=recipient).values("id")
    return (
        Notification.objects.filter(recipient_id=me)
        .filter(Q(actor__isnull=True) | Q(actor__is_active=True))
        .exclude(actor_id__in=actors_refused_by(recipient_id=me))
        .filter(Q(artwork__isnull=True) | Q(kind=Kind.HIDDEN) | Q(artwork_id__in=visible_artworks))
        .filter(Q(comment__isnull=True) | Q(comment_id__in=shown_comments))
    )


# --- the unread count ---------------------------------------------------------------------


def newest_notification_id(*, recipient: User) -> int | None:
    """The id of the recipient's newest notification (None without any): what "Mark all as
    read" marks up to, so that one made after the page was shown stays unread. One query."""
    newest = Notification.objects.filter(recipient=recipient).order_by("-id")
    return newest.values_list("pk", flat=True).first()


def unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(*, user: User) -> int:
    """How many notifications the member has not read: from the cache (no query when warm),
    else counted (one query) and kept. `unread_count_forget` drops it on every change."""
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = notifications_shown_to(recipient=user).filter(read_at__isnull=True).count()
        cache.set(key, count, timeout=UNREAD_SECONDS)
    return int(count)


def unread_count_forget(*user_ids: int) -> None:
    cache.delete_many([unread_key(user_id) for user_id in user_ids])


# --- a page, grouped ----------------------------------------------------------------------


class InvalidCursor(ValueError):
    """A cursor that this module did not make."""


def encode_cursor(row: Notification) -> str:
    raw = f"{row.created_at.isoformat()}|{row.pk}"
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


@dataclass
class NotificationGroup:
    """One line of the page: a notification, or several of one kind about one thing on one
    day (newest first)."""

    items: list[Notification] = field(default_factory=list)

    @property
    def newest(self) -> Notification:
        return self.items[0]

    @property
    def kind(self) -> str:
        return self.newest.kind

    @property
    def actors(self) -> list[User]:
        """The distinct actors, newest first."""
        seen: dict[int, User] = {}
        for item in self.items:
            if item.actor is not None and item.actor_id not in seen:
                seen[item.actor_id] = item.actor
        return list(seen.values())

    @property
    def unread(self) -> bool:
        return any(item.read_at is None for item in self.items)


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    groups: list[NotificationGroup]
    next_cursor: str | None


def _group_key(row: Notification) -> tuple[str, int | None, date] | int:
    if row.kind in GROUPED_KINDS:
        return (row.kind, row.artwork_id, row.created_at.date())
    return row.pk


def group_notifications(rows: list[Notification]) -> list[NotificationGroup]:
    """Rows (newest first) as lines: each group where its newest row is."""
    groups: dict[object, NotificationGroup] = {}
    for row in rows:
        groups.setdefault(_group_key(row), NotificationGroup()).items.append(row)
    return list(groups.values())


def notifications_page(
    *, recipient: User, cursor: str | None, limit: int = PAGE_SIZE
) -> NotificationPage:
    """One page of what the recipient may read, newest first, with the actor, artwork (and
    its author) and comment (and a reply's thread, for its link) loaded: one query whatever
    the number. Raises InvalidCursor for a cursor this module did not make. A group may
    continue on the next page."""
    rows = notifications_shown_to(recipient=recipient).select_related(
        "actor", "artwork", "artwork__user", "comment", "comment__parent"
    )
    if cursor:
        created_at, last_id = decode_cursor(cursor)
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id))
    found = list(rows.order_by("-created_at", "-id")[: max(1, limit) + 1])
    more = len(found) > limit
    found = found[:limit]
    return NotificationPage(
        items=found,
        groups=group_notifications(found),
        next_cursor=encode_cursor(found[-1]) if more and found else None,
    )
