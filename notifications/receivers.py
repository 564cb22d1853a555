"""Listen to what artworks and social announce after commit, and put a notification task on
the queue (never inside the write; a broker that refuses it gets the task run here: it is
small and idempotent). The rules of who is told are the services'. Muting or blocking a
member changes which notifications the recipient reads: their count is recounted."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.signals import user_moderated
from artworks.signals import ArtworkEvent, artwork_changed, artwork_moderated
from common.tasks import BrokerDown, enqueue
from social.signals import (
    CommentEvent,
    FollowEvent,
    comment_changed,
    follow_changed,
    standing_changed,
)

from . import services, tasks
from .models import Notification

Kind = Notification.Kind
_REACTIONS = frozenset({ArtworkEvent.LIKED, ArtworkEvent.FAVORITED})
_STAFF = {
    ArtworkEvent.FEATURED: Kind.FEATURED,
    ArtworkEvent.HIDDEN: Kind.HIDDEN,
    ArtworkEvent.RATED: Kind.RATED,
}


@receiver(artwork_changed, dispatch_uid="notifications.reaction")
def reaction_notifies(
    sender: type[Model], *, artwork_id: int, user_id: int, event: str, **kwargs: object
) -> None:
    if event not in _REACTIONS:
        return

    def opened(opens: bool) -> None:
        # The batch is told when its window closes: a worker runs the task then; without a
        # broker (or with it down), a thread of this process does.
        if opens:
            enqueue(
                tasks.notify_reactions,
                artwork_id,
                countdown=settings.NOTIFICATION_REACTION_WINDOW_SECONDS or None,
                on_broker_down=partial(services.notify_reactions_later, artwork_id),
                fallback_without_broker=settings.NOTIFICATIONS_IN_BACKGROUND_THREAD,
            )

    services.reactions_window_opens(artwork_id=artwork_id, then=opened)


@receiver(artwork_moderated, dispatch_uid="notifications.moderation")
def moderation_notifies(
    sender: type[Model], *, artwork_id: int, event: str, reason: str = "", **kwargs: object
) -> None:
    kind = _STAFF.get(event)
    if kind is not None:
        enqueue(
            tasks.notify_moderation,
            str(kind),
            artwork_id,
            reason,
            on_broker_down=BrokerDown.RUN_HERE,
        )


@receiver(follow_changed, dispatch_uid="notifications.follow")
def follow_notifies(
    sender: type[Model], *, follower_id: int, followee_id: int, event: str, **kwargs: object
) -> None:
    if event == FollowEvent.FOLLOWED and services.event_first_today(
        kind=Kind.FOLLOW, actor_id=follower_id, target_id=followee_id
    ):
        enqueue(tasks.notify_follow, follower_id, followee_id, on_broker_down=BrokerDown.RUN_HERE)


@receiver(comment_changed, dispatch_uid="notifications.comment")
def comment_notifies(sender: type[Model], *, comment_id: int, event: str, **kwargs: object) -> None:
    if event == CommentEvent.POSTED:
        enqueue(tasks.notify_comment, comment_id, on_broker_down=BrokerDown.RUN_HERE)


@receiver(standing_changed, dispatch_uid="notifications.standing")
def standing_recounts(sender: type[Model], *, actor_id: int, **kwargs: object) -> None:
    # The member who muted or blocked someone reads fewer (or, undone, more) notifications.
    services.unread_changed(actor_id)


# What changes which notifications a recipient may read, besides their own mutes and blocks.
_SEEN_CHANGES = frozenset(
    {
        ArtworkEvent.HIDDEN,
        ArtworkEvent.RESTORED,
        ArtworkEvent.PUBLISHED,
        ArtworkEvent.UNPUBLISHED,
    }
)


@receiver(artwork_changed, dispatch_uid="notifications.artwork_seen")
def artwork_recounts(sender: type[Model], *, artwork_id: int, event: str, **kwargs: object) -> None:
    if event in _SEEN_CHANGES:
        services.unread_counts_forget_about(artwork_id=artwork_id)


@receiver(comment_changed, dispatch_uid="notifications.comment_seen")
def comment_recounts(sender: type[Model], *, comment_id: int, event: str, **kwargs: object) -> None:
    if event in {CommentEvent.HIDDEN, CommentEvent.UNHIDDEN}:
        services.unread_counts_forget_about(comment_id=comment_id)


@receiver(user_moderated, dispatch_uid="notifications.member_seen")
def member_recounts(sender: type[Model], *, user_id: int, **kwargs: object) -> None:
    services.unread_counts_forget_about(user_id=user_id)


@receiver(post_delete, sender=Notification, dispatch_uid="notifications.row_removed")
def notification_row_removed(sender: type[Model], instance: Notification, **kwargs: object) -> None:
    services.notification_row_removed(
        recipient_id=instance.recipient_id, was_unread=instance.read_at is None
    )
