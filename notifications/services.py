"""Writes of notifications: one per event and recipient (created by the tasks, after the
event's commit), marking read, and the member's choice of kinds.

Creation is idempotent: a row's `dedupe_key` (kind, actor, artwork, comment, UTC day) is
unique per recipient, so a task run twice, or a like, unlike and like again on one day, stores
one notification. Each change drops the recipient's cached unread count and their kept pages
(the bell is on every page), once it commits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from artworks.models import Artwork, Favorite, Like
from artworks.selectors import artwork_is_visible_to
from common import pagecache
from common.cache_writes import add_then
from common.tasks import run_beside_requests
from social.models import Comment
from social.selectors import comment_is_shown_to, mentioned_members

from .models import Notification, NotificationSettings
from .selectors import (
    actors_refused_by,
    disabled_kinds,
    notification_refusal,
    unread_count,
    unread_count_forget,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
Kind = Notification.Kind
# At most this many members are told about one comment's mentions (the first ones written).
MENTIONS_MAX = 10
# At most this many reactions of one kind are told of per batch (the oldest first; the next
# batch tells of the rest).
REACTIONS_MAX = 500


EVENT_SECONDS = 24 * 3600


def event_first_today(*, kind: str, actor_id: int, target_id: int) -> bool:
    """Whether this event (kind, actor, target) is the first of its UTC day, remembered in the
    cache: a like, unlike and like again, or a follow, unfollow and follow again, goes to the
    queue once a day instead of every time (the task would store nothing new: its dedupe key
    is the same). When the cache cannot answer, the event goes on (the task still dedupes)."""
    day = timezone.now().date().isoformat()
    key = f"notifications:event:{kind}:{actor_id}:{target_id}:{day}"
    try:
        return bool(cache.add(key, 1, timeout=EVENT_SECONDS))
    except Exception:  # a cache outage must not cost the event
        logger.warning("notification event cache unavailable", exc_info=True)
        return True


def unread_changed(*user_ids: int) -> None:
    """The members' counts and kept pages (their bell) are out of date: drop them."""
    if user_ids:
        unread_count_forget(*user_ids)
        pagecache.bump_tags(*(pagecache.member_tag(user_id) for user_id in user_ids))


def _changed(*user_ids: int) -> None:
    """After commit: `unread_changed`."""
    transaction.on_commit(lambda: unread_changed(*user_ids))


def _dedupe_key(
    kind: str, actor: User | None, artwork: Artwork | None, comment: Comment | None
) -> str:
    parts = [getattr(thing, "pk", None) or "-" for thing in (actor, artwork, comment)]
    return ":".join([kind, *map(str, parts), timezone.now().date().isoformat()])


def _deliver(
    *,
    recipient: User,
    kind: str,
    actor: User | None = None,
    artwork: Artwork | None = None,
    comment: Comment | None = None,
    reason: str = "",
) -> Notification | None:
    """Store the notification unless a rule says no or it is stored already (None then)."""
    refusal = notification_refusal(recipient=recipient, actor=actor, kind=kind)
    if refusal is not None:
        logger.debug("no %s notification for %s: %s", kind, recipient.pk, refusal)
        return None
    with transaction.atomic():
        row, created = Notification.objects.get_or_create(
            recipient=recipient,
            dedupe_key=_dedupe_key(kind, actor, artwork, comment),
            defaults={
                "kind": kind,
                "actor": actor,
                "artwork": artwork,
                "comment": comment,
                "reason": reason,
            },
        )
        if created:
            _changed(recipient.pk)
    return row if created else None


def _active_member(user_id: int) -> User | None:
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def notify_follow(*, follower_id: int, followee_id: int) -> Notification | None:
    """`followee` is told that `follower` follows them."""
    follower, followee = _active_member(follower_id), _active_member(followee_id)
    if follower is None or followee is None:
        return None
    return _deliver(recipient=followee, kind=Kind.FOLLOW, actor=follower)


def reactions_window_opens(*, artwork_id: int, then: Callable[[bool], None]) -> None:
    """Whether this reaction to the artwork opens a new batch (see `notify_reactions`), told
    to `then`: the first one in NOTIFICATION_REACTION_WINDOW_SECONDS claims the window in the
    cache and has the batch's task queued; the others in it cost that one cache write and
    nothing more. The answer comes when the cache's reply is read (on Redis, without the
    request waiting for it: common.cache_writes.add_then). When the cache cannot answer, the
    reaction opens a batch of its own."""
    window = settings.NOTIFICATION_REACTION_WINDOW_SECONDS
    if window <= 0:
        then(True)
        return
    add_then(
        f"notifications:reactions:{artwork_id}",
        1,
        timeout=window,
        then=lambda added: then(added is not False),  # None: the cache could not say
    )


def notify_reactions(*, artwork_id: int) -> list[Notification]:
    """Tell the artwork's author of each like and favorite of the last day they have not been
    told of (one notification per kind, member and day), if they may still see the artwork.
    A reaction taken back before this runs tells nothing; one given again the same day tells
    nothing new. Idempotent: run it twice, or for reactions told already, and nothing more is
    stored.

    A batch is a few queries and one short transaction however many reactions it holds: the
    rule of `notification_refusal` applied to all of them in the query (blocked or muted by
    the author, suspended, the author themselves), the events told already looked up at once,
    the new ones stored together. (One transaction per reaction, each with its own refusal
    queries, kept a web worker's batch thread busy for a third of a second per artwork under a
    stream of likes, and the site's writers waiting behind it on SQLite.)"""
    artwork = Artwork.objects.select_related("user").filter(pk=artwork_id).first()
    if artwork is None or not artwork_is_visible_to(artwork=artwork, viewer=artwork.user):
        return []
    author = artwork.user
    if not author.is_active:
        return []
    since = timezone.now() - timedelta(seconds=EVENT_SECONDS)
    turned_off = disabled_kinds(user_id=author.pk)
    events: dict[str, Notification] = {}
    for kind, model in ((Kind.LIKE, Like), (Kind.FAVORITE, Favorite)):
        if kind in turned_off:
            continue
        told = Notification.objects.filter(
            recipient=author, artwork=artwork, kind=kind, created_at__gte=since
        ).exclude(actor__isnull=True)
        reactions = (
            model.objects.filter(artwork=artwork, created_at__gte=since, user__is_active=True)
            .exclude(user_id=author.pk)
            .exclude(user_id__in=actors_refused_by(recipient_id=author.pk))
            .exclude(user_id__in=told.values("actor_id"))
            .select_related("user")
            .order_by("created_at", "pk")[:REACTIONS_MAX]
        )
        for reaction in reactions:
            key = _dedupe_key(kind, reaction.user, artwork, None)
            events[key] = Notification(
                recipient=author, dedupe_key=key, kind=kind, actor=reaction.user, artwork=artwork
            )
    if not events:
        return []
    with transaction.atomic():
        stored = Notification.objects.filter(recipient=author, dedupe_key__in=list(events))
        for key in stored.values_list("dedupe_key", flat=True):
            del events[key]
        # A batch running at the same time may store one first: that one stays, once.
        Notification.objects.bulk_create(events.values(), ignore_conflicts=True)
        if events:
            _changed(author.pk)
    return list(events.values())


def notify_reactions_later(artwork_id: int) -> None:
    """Without a broker (or with it down): run `notify_reactions` in a thread of this process
    once the batch's window closes, so that no request waits for it."""
    run_beside_requests(
        partial(notify_reactions, artwork_id=artwork_id),
        what=f"telling of the reactions to artwork {artwork_id}",
        delay=settings.NOTIFICATION_REACTION_WINDOW_SECONDS,
    )


def notify_moderation(*, kind: str, artwork_id: int, reason: str = "") -> Notification | None:
    """The artwork's author is told that staff featured (`kind="featured"`), hid
    (`"hidden"`) or changed the rating of (`"rated"`) it, with the staff's reason. The staff
    member is not named."""
    if kind not in (Kind.FEATURED, Kind.HIDDEN, Kind.RATED):
        raise ValueError(f"not a staff event: {kind!r}")
    artwork = Artwork.objects.select_related("user").filter(pk=artwork_id).first()
    if artwork is None:
        return None
    if kind == Kind.FEATURED and not artwork_is_visible_to(artwork=artwork, viewer=artwork.user):
        return None
    return _deliver(recipient=artwork.user, kind=kind, artwork=artwork, reason=reason)


def _comment_recipients(comment: Comment) -> list[tuple[User, str]]:
    """Who is told about a new comment, each once, with the first kind that applies: the
    author of the comment replied to (reply), the artwork's author (comment), the members
    mentioned (mention)."""
    candidates: list[tuple[User, str]] = []
    if comment.parent is not None:
        candidates.append((comment.parent.author, Kind.REPLY))
    candidates.append((comment.artwork.user, Kind.COMMENT))
    mentioned = mentioned_members([comment.body])
    candidates.extend((member, Kind.MENTION) for member in list(mentioned.values())[:MENTIONS_MAX])
    seen: set[int] = set()
    recipients = []
    for member, kind in candidates:
        if member.pk not in seen:
            seen.add(member.pk)
            recipients.append((member, kind))
    return recipients


def notify_comment(*, comment_id: int) -> list[Notification]:
    """Tell those a new comment concerns (`_comment_recipients`), each if they may see the
    artwork and the comment."""
    comment = (
        Comment.objects.select_related("author", "artwork__user", "parent__author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or not comment.author.is_active or comment.hidden_at is not None:
        return []
    created = []
    for recipient, kind in _comment_recipients(comment):
        if not (
            artwork_is_visible_to(artwork=comment.artwork, viewer=recipient)
            and comment_is_shown_to(comment=comment, viewer=recipient)
        ):
            continue
        row = _deliver(
            recipient=recipient,
            kind=kind,
            actor=comment.author,
            artwork=comment.artwork,
            comment=comment,
        )
        if row is not None:
            created.append(row)
    return created


def notifications_mark_read(*, recipient: User, up_to_id: int | None = None) -> int:
    """Mark the recipient's unread notifications read (all, or those up to `up_to_id`: other
    members' ids only bound the range). Returns how many they have left unread. Raises
    ValidationError for an id that cannot be one."""
    if up_to_id is not None and up_to_id < 1:
        raise ValidationError(_("The notification id must be a positive whole number."))
    rows = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if up_to_id is not None:
        rows = rows.filter(id__lte=up_to_id)
    with transaction.atomic():
        if rows.update(read_at=timezone.now()):
            _changed(recipient.pk)
    unread_count_forget(recipient.pk)
    return unread_count(user=recipient)


def notification_settings_update(*, user: User, disabled: Iterable[str]) -> list[str]:
    """Store the kinds the member turned off (unknown kinds are refused); returns them."""
    kinds = sorted(set(disabled))
    unknown = [kind for kind in kinds if kind not in Kind.values]
    if unknown:
        raise ValidationError(
            _("Unknown kind of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )
    NotificationSettings.objects.update_or_create(user=user, defaults={"disabled_kinds": kinds})
    return kinds


def unread_counts_forget_about(
    *, artwork_id: int | None = None, comment_id: int | None = None, user_id: int | None = None
) -> None:
    """What the recipients of unread notifications about this artwork, comment (or a reply
    under it) or member (as actor, as the author of the artwork, or of a comment replied to)
    read changed (a hide, a suspension): their counts and kept pages are dropped (one
    query)."""
    about = Q()
    if artwork_id is not None:
        about |= Q(artwork_id=artwork_id)
    if comment_id is not None:
        about |= Q(comment_id=comment_id) | Q(comment__parent_id=comment_id)
    if user_id is not None:
        about |= Q(actor_id=user_id) | Q(artwork__user_id=user_id)
        about |= Q(comment__parent__author_id=user_id)
    if not about:
        return
    rows = Notification.objects.filter(about, read_at__isnull=True)
    unread_changed(*set(rows.values_list("recipient_id", flat=True).distinct()[:10_000]))


def notification_row_removed(*, recipient_id: int, was_unread: bool) -> None:
    """A notification went with its artwork, comment or actor (a cascade): the recipient's
    count follows once that commits."""
    if was_unread:
        _changed(recipient_id)
