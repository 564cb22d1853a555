"""Notification tasks: ids in, a service called. Idempotent (a row per event and day)."""

from __future__ import annotations

from celery import shared_task

from common.tasks import RETRY_POLICY

from . import services


@shared_task(**RETRY_POLICY)
def notify_follow(follower_id: int, followee_id: int) -> None:
    services.notify_follow(follower_id=follower_id, followee_id=followee_id)


@shared_task(**RETRY_POLICY)
def notify_reactions(artwork_id: int) -> None:
    services.notify_reactions(artwork_id=artwork_id)


@shared_task(**RETRY_POLICY)
def notify_comment(comment_id: int) -> None:
    services.notify_comment(comment_id=comment_id)


@shared_task(**RETRY_POLICY)
def notify_moderation(kind: str, artwork_id: int, reason: str = "") -> None:
    services.notify_moderation(kind=kind, artwork_id=artwork_id, reason=reason)
