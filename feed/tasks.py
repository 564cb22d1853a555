"""Celery tasks of the feed (queue "feed", CELERY_TASK_ROUTES): thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from common.tasks import RETRY_POLICY

from . import services


@shared_task(acks_late=True, **RETRY_POLICY)
def sync_artwork(artwork_id: int, user_id: int | None = None, event: str = "") -> None:
    """The blueprint's feed update: make the Redis index agree with the artwork's current
    state (publish, unpublish, hide, delete, reactions). Safe to run any number of times."""
    services.index_sync_artwork(artwork_id=artwork_id, user_id=user_id, event=event)


@shared_task(acks_late=True, **RETRY_POLICY)
def sync_user(user_id: int) -> None:
    """A member was suspended or restored: make the index agree with all of their artworks
    (out of every key while suspended, back on restore). Safe to run any number of times."""
    services.index_sync_user(user_id=user_id)


@shared_task(acks_late=True)
def reconcile_redis() -> dict[str, int] | None:
    """The beat job that repairs drift between the database and the Redis index."""
    return services.index_reconcile()
