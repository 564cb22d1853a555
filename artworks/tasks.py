"""Celery tasks: thin wrappers that load by id and call a service. Each is idempotent, so a
redelivery (acks_late: a task whose worker died is delivered again) changes nothing more.
Queues: CELERY_TASK_ROUTES (settings) sends generate_* to "generation", make_* to "media"."""

from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings

from common.tasks import RETRY_POLICY

from . import services


@shared_task(**RETRY_POLICY)
def make_thumbnails(artwork_id: int) -> None:
    services.artwork_make_thumbnails(artwork_id=artwork_id)


# Bounded by the service (1 + AI_PROVIDER_MAX_RETRIES attempts), not by Celery.
@shared_task(bind=True, acks_late=True, max_retries=None)
def generate_artwork(self: Task, artwork_id: int) -> None:
    """A provider's transient failure is retried by Celery with a countdown (backoff with
    jitter, or the provider's Retry-After): the worker is free meanwhile. In eager mode (no
    broker) the retry waits on a timer thread instead of running at once."""
    attempt = self.request.retries
    try:
        services.artwork_run_generation(artwork_id=artwork_id, attempt=attempt)
    except services.GenerationRetry as retry:
        if self.request.is_eager:
            services.generate_beside_request(artwork_id, attempt=attempt + 1, delay=retry.delay)
            return
        raise self.retry(countdown=retry.delay) from None


@shared_task
def retry_stale_media() -> int:
    return len(
        services.artworks_retry_stale_media(
            older_than=timedelta(minutes=settings.MEDIA_RETRY_AFTER_MINUTES),
            max_attempts=settings.MEDIA_MAX_ATTEMPTS,
        )
    )


@shared_task
def requeue_stuck_generations() -> int:
    return len(
        services.artworks_requeue_stuck_generations(
            stuck_after=timedelta(seconds=settings.GENERATION_STUCK_SECONDS),
            give_up_after=timedelta(minutes=settings.GENERATION_GIVE_UP_MINUTES),
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
