"""The feed listens to what `artworks` (artwork_changed) and `accounts` (user_moderated)
announce, and keeps the Redis index in step; and to what its own list readers announce when
the index could not answer (feed.signals), and has it repaired."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from accounts.signals import user_moderated
from artworks.signals import artwork_changed

from . import services
from .redis_index import feed_index
from .services import enqueue_sync, enqueue_user_sync
from .signals import index_missed, index_stale
from .tasks import sync_artwork, sync_user

logger = logging.getLogger(__name__)


@receiver(artwork_changed, dispatch_uid="feed.sync_artwork")
def queue_index_sync(
    sender: object, *, artwork_id: int, user_id: int, event: str, **kwargs: object
) -> None:
    if not feed_index.available():
        # No index, or Redis is down: readers use the database, and the reconcile that runs
        # when Redis answers again repairs what this change would have written.
        return
    # The signal is sent after commit already; on_commit also covers a sender inside a
    # transaction, so the task never reads a state that is not committed yet.
    transaction.on_commit(
        lambda: enqueue_sync(sync_artwork, artwork_id=artwork_id, user_id=user_id, event=event)
    )


@receiver(user_moderated, dispatch_uid="feed.sync_user")
def queue_user_sync(sender: object, *, user_id: int, event: str, **kwargs: object) -> None:
    """A suspension hides all of a member's artworks through the visibility rule (a
    restoration brings them back); their ids must leave (or re-enter) every key at once."""
    if not feed_index.available():
        return  # as above: the reconcile after an outage repairs it
    transaction.on_commit(lambda: enqueue_user_sync(sync_user, user_id=user_id))


def _reconcile_after_outage() -> None:
    """Redis answers again after an outage: the syncs it missed are repaired by a reconcile
    (one per outage across processes, thanks to the claim)."""
    from .tasks import reconcile_redis

    if feed_index.claim("reconcile-after-outage", seconds=60):
        try:
            reconcile_redis.apply_async(retry=False)
        except Exception:
            logger.warning("could not queue the reconcile after a Redis outage", exc_info=True)


feed_index.set_recovery_hook(_reconcile_after_outage)


@receiver(index_missed, dispatch_uid="feed.refill_index")
def refill_index(
    sender: object, *, collection: str, user_id: int | None = None, **kwargs: object
) -> None:
    """A reader went to the database: refill the collection it missed (cache-aside) right
    away, so that the next read finds it."""
    services.index_refill(collection=collection, user_id=user_id)


@receiver(index_stale, dispatch_uid="feed.resync_stale")
def resync_stale(sender: object, *, artwork_ids: list[int], **kwargs: object) -> None:
    """A reader found ids in the index whose rows are not public: have them synced."""
    services.index_resync_later(artwork_ids)
