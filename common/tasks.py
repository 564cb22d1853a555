"""Enqueueing that never breaks the request that asked for it.

Services call `enqueue_on_commit(task, ...)`. After the transaction commits the task is sent
to the broker (or run in-process when there is none). If the broker is down, the failure is
logged and the request still succeeds: the periodic jobs (beat) find the work that is still
pending and do it later, so nothing is lost."""

from __future__ import annotations

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args, **kwargs) -> bool:
    """Send one task now; False (logged) when the broker cannot take it."""
    try:
        # retry=False: one attempt with a short connect timeout, never a hanging request.
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:
        logger.warning(
            "could not enqueue %s%r; the periodic retry will pick it up",
            task.name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
