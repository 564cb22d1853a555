"""Celery tasks of a member's data: thin (ids in, a service called) and idempotent."""

from __future__ import annotations

from celery import shared_task

from common.tasks import RETRY_POLICY

from . import services


@shared_task(acks_late=True, ignore_result=True)
def build_export(export_id: int) -> None:
    """Build an export's zip (a failure marks it failed: the member may ask again)."""
    services.export_build(export_id=export_id)


@shared_task(acks_late=True, ignore_result=True, **RETRY_POLICY)
def delete_account(user_id: int) -> None:
    """Delete an account whose member asked for it (nothing when it is gone already)."""
    services.account_delete(user_id=user_id)


@shared_task(acks_late=True, ignore_result=True)
def purge_expired_exports() -> None:
    services.exports_purge_expired()


@shared_task(acks_late=True, ignore_result=True)
def finish_account_deletions() -> None:
    services.account_deletions_resume()
