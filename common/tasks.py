"""Enqueueing that never breaks the request that asked for it.

Services call `enqueue_on_commit(task, ...)`. After the transaction commits the task is sent
to the broker (or run in-process when there is none). If the broker is down, the failure is
logged and the request still succeeds: the caller's fallback takes over (the periodic jobs
(beat) find the work that is still pending and do it later, or the caller runs it here), so
nothing is lost.

A send tries the broker once with a short connect timeout (settings); after a refusal,
senders in this process skip the broker for CELERY_BROKER_RETRY_SECONDS, so an outage costs
each request nothing rather than a timeout per task."""

from __future__ import annotations

import logging
import threading
import time

from celery import Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


class _BrokerPause:
    """Until when this process skips a broker that refused a task (per broker URL)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.until: dict[str, float] = {}

    def active(self, url: str) -> bool:
        return time.monotonic() < self.until.get(url, 0.0)

    def start(self, url: str) -> bool:
        """Pause sending; True when this starts a new pause (worth one log line)."""
        with self.lock:
            fresh = not self.active(url)
            self.until[url] = time.monotonic() + settings.CELERY_BROKER_RETRY_SECONDS
            return fresh


broker_pause = _BrokerPause()


def enqueue(task: Task, *args, **kwargs) -> bool:
    """Send one task now; False (logged) when the broker cannot take it."""
    conf = task.app.conf
    broker = "" if conf.task_always_eager else str(conf.broker_url)
    if broker and broker_pause.active(broker):
        logger.info("broker paused after a failure; not sending %s%r", task.name, args)
        return False
    try:
        # retry=False: one attempt with a short connect timeout, never a hanging request.
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:
        if not broker or broker_pause.start(broker):
            logger.warning(
                "could not enqueue %s%r; not trying the broker again for %ss",
                task.name,
                args,
                settings.CELERY_BROKER_RETRY_SECONDS,
                exc_info=True,
            )
        return False
    return True


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Send after commit; when the broker is down the work stays pending in the database and
    the periodic retry (beat) picks it up."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
