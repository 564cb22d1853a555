"""Celery tasks: thin wrappers that load by id and call a service. Each is idempotent, so a
redelivery (acks_late: a task whose worker died is delivered again) changes nothing more."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import services

RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, **RETRY)
def make_thumbnails(self, artwork_id: int) -> None:
    services.artwork_make_thumbnails(artwork_id=artwork_id)


@shared_task(acks_late=True)
def generate_artwork(artwork_id: int) -> None:
    # No Celery-level retry: the HTTP providers retry transient errors themselves, and a
    # failure is shown to the author with a retry button.
    services.artwork_run_generation(artwork_id=artwork_id)


@shared_task
def retry_stale_media() -> int:
    return len(
        services.artworks_retry_stale_media(
            older_than=timedelta(minutes=settings.MEDIA_RETRY_AFTER_MINUTES),
            max_attempts=settings.MEDIA_MAX_ATTEMPTS,
        )
    )


@shared_task
def sweep_orphan_media() -> int:
    return len(
        services.media_sweep_orphans(older_than=timedelta(hours=settings.MEDIA_ORPHAN_GRACE_HOURS))
    )


@shared_task
def purge_abandoned_drafts() -> int:
    return services.artworks_purge_abandoned_drafts(
        older_than=timedelta(days=settings.ABANDONED_DRAFT_DAYS)
    )
