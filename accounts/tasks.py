"""Celery tasks: thin wrappers that load by id and call a service. Idempotent."""

from celery import shared_task

from . import leaving, services


@shared_task(acks_late=True, ignore_result=True)
def fetch_remote_avatar(user_id: int, url: str) -> None:
    # The service never raises and does nothing when the user already has an avatar.
    services.user_fetch_remote_avatar(user_id=user_id, url=url)


@shared_task(acks_late=True, ignore_result=True)
def clear_expired_sessions() -> None:
    services.sessions_clear_expired()


@shared_task(acks_late=True, ignore_result=True)
def end_sessions(user_id: int) -> None:
    # Idempotent: a second run finds no session of theirs left.
    leaving.user_sessions_end(user_id=user_id)
