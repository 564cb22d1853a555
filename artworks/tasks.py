"""Celery tasks: thin wrappers that load by id and call a service. Idempotent."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def make_thumbnails(self, artwork_id: int) -> None:
    services.artwork_make_thumbnails(artwork_id=artwork_id)


@shared_task(acks_late=True)
def generate_artwork(artwork_id: int) -> None:
    # No Celery-level retry: the HTTP providers retry transient errors themselves, and a
    # failure is shown to the author with a retry button.
    services.artwork_run_generation(artwork_id=artwork_id)
