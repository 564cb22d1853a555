"""Listen to what artworks and social announce after commit, and put a notification task on
the queue (never inside the write; a broker that refuses it gets the task run here: it is
small and idempotent). The rules of who is told are the services'. Muting or blocking a
member changes which notifications the recipient reads: their count is recounted."""

from __future__ import annotations

from django.db.models import Model
from django.dispatch import receiver

from artworks.signals import ArtworkEvent, artwork_changed, artwork_moderated
from common import pagecache
from common.tasks import BrokerDown, enqueue
from social.signals import (
    CommentEvent,
    FollowEvent,
    comment_changed,
    follow_changed,
    standing_changed,
)

from . import tasks
from .models import Notification
from .selectors import unread_count_forget

Kind = Notification.Kind
_REACTIONS = {ArtworkEvent.LIKED: Kind.LIKE, ArtworkEvent.FAVORITED: Kind.FAVORITE}
_STAFF = {ArtworkEvent.FEATURED: Kind.FEATURED, ArtworkEvent.HIDDEN: Kind.HIDDEN}


@receiver(artwork_changed, dispatch_uid="notifications.reaction")
def reaction_notifies(
    sender: type[Model], *, artwork_id: int, user_id: int, event: str, **kwargs: object
) -> None:
    kind = _REACTIONS.get(event)
    if kind is not None:
        enqueue(
            tasks.notify_reaction,
            str(kind),
            user_id,
            artwork_id,
            on_broker_down=BrokerDown.RUN_HERE,
        )


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
    if event == FollowEvent.FOLLOWED:
        enqueue(tasks.notify_follow, follower_id, followee_id, on_broker_down=BrokerDown.RUN_HERE)


@receiver(comment_changed, dispatch_uid="notifications.comment")
def comment_notifies(sender: type[Model], *, comment_id: int, event: str, **kwargs: object) -> None:
    if event == CommentEvent.POSTED:
        enqueue(tasks.notify_comment, comment_id, on_broker_down=BrokerDown.RUN_HERE)


@receiver(standing_changed, dispatch_uid="notifications.standing")
def standing_recounts(sender: type[Model], *, actor_id: int, **kwargs: object) -> None:
    # The member who muted or blocked someone reads fewer (or, undone, more) notifications.
    unread_count_forget(actor_id)
    pagecache.bump_tags(pagecache.member_tag(actor_id))
