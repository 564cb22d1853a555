"""The feed listens to what `artworks` announces and keeps the Redis index in step."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from artworks.signals import artwork_changed

from . import redis_index
from .services import enqueue_sync
from .tasks import sync_artwork


@receiver(artwork_changed, dispatch_uid="feed.sync_artwork")
def queue_index_sync(sender, *, artwork_id: int, user_id: int, event: str, **kwargs) -> None:
    if not redis_index.enabled():
        return  # no index to keep: every reader uses the database
    # The signal is sent after commit already; on_commit also covers a sender inside a
    # transaction, so the task never reads a state that is not committed yet.
    transaction.on_commit(
        lambda: enqueue_sync(sync_artwork, artwork_id=artwork_id, user_id=user_id, event=event)
    )
