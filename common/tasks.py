"""How every task is put on a queue: `enqueue`, and the retry policy. (The queues and which
task goes to which are the project's: aicommunity/settings/tasks.py.)

`enqueue(task, ...)` sends the task once the surrounding transaction commits (so a worker
never reads a state that is not committed yet), or runs it in-process when there is no
broker (the embedded default). When the broker cannot take it, the request that asked still
succeeds and the caller's `on_broker_down` decides what happens instead, in one place:

- `BrokerDown.LEAVE_PENDING` (the default): log it; the work stays pending in the database
  and a periodic job (beat) finds it and does it later, so nothing is lost;
- `BrokerDown.RUN_HERE`: run the task in this process now (idempotent, bounded work);
- a callable: the caller's own fallback (a generation runs beside the request, or its draft
  is marked failed).

A send tries the broker once with a short connect timeout (settings); after a refusal,
senders in this process skip the broker for CELERY_BROKER_RETRY_SECONDS, so an outage costs
each request nothing rather than a timeout per task."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)


# Keyword arguments of `@shared_task` for work that may meet a passing outage (storage,
# Redis): retried with exponential backoff and jitter, at most 5 times, at most 10 min apart.
RETRY_POLICY: Final[dict[str, object]] = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


class BrokerDown(enum.Enum):
    """What happens to a task the broker cannot take (see the module's docstring)."""

    LEAVE_PENDING = "leave pending"
    RUN_HERE = "run here"


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


def enqueue(
    task: Task,
    *args: object,
    on_broker_down: BrokerDown | Callable[[], None] = BrokerDown.LEAVE_PENDING,
    fallback_without_broker: bool = False,
    after_commit: bool = True,
    countdown: float | None = None,
    **kwargs: object,
) -> None:
    """Put `task(*args, **kwargs)` on its queue once the transaction commits.

    `fallback_without_broker`: with no broker (eager mode), call the `on_broker_down`
    callable instead of running the task in-process (a long task then runs beside the
    request rather than inside it). `after_commit=False` is for callers that write nothing
    (a reader, a recovery hook): the task is sent at once, even inside a transaction.
    `countdown`: a worker runs it that many seconds later (in eager mode: at once)."""
    send = partial(
        _send_or_fall_back, task, args, kwargs, on_broker_down, fallback_without_broker, countdown
    )
    if after_commit:
        transaction.on_commit(send)
    else:
        send()


def _send_or_fall_back(
    task: Task,
    args: tuple[object, ...],
    kwargs: dict[str, object],
    on_broker_down: BrokerDown | Callable[[], None],
    fallback_without_broker: bool,
    countdown: float | None = None,
) -> None:
    if callable(on_broker_down) and fallback_without_broker and task.app.conf.task_always_eager:
        on_broker_down()
    elif not _send(task, args, kwargs, countdown=countdown):
        if on_broker_down is BrokerDown.RUN_HERE:
            _run_here(task, args, kwargs)
        elif callable(on_broker_down):
            on_broker_down()


def run_beside_requests(work: Callable[[], None], *, what: str, delay: float = 0) -> None:
    """Run `work` in a daemon thread of this process, `delay` seconds from now, so that no
    request waits for it (the embedded default has no worker). Its failure is logged, and its
    database connection closed when it ends. Raises when no thread can be started."""
    timer = threading.Timer(delay, _run_in_thread, (work, what))
    timer.daemon = True
    timer.start()


def _run_in_thread(work: Callable[[], None], what: str) -> None:
    from django.db import connection

    try:
        work()
    except Exception:
        logger.exception("%s failed in a background thread", what)
    finally:
        connection.close()


def _run_here(task: Task, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    logger.info("could not queue %s%r; running it here", task.name, args)
    try:
        task.apply(args=args, kwargs=kwargs)
    except Exception:
        logger.exception("%s%r failed", task.name, args)


def _send(
    task: Task, args: tuple[object, ...], kwargs: dict[str, object], countdown: float | None = None
) -> bool:
    """Send one task now; False (logged) when the broker cannot take it."""
    conf = task.app.conf
    broker = "" if conf.task_always_eager else str(conf.broker_url)
    if broker and broker_pause.active(broker):
        logger.info("broker paused after a failure; not sending %s%r", task.name, args)
        return False
    try:
        # retry=False: one attempt with a short connect timeout, never a hanging request.
        task.apply_async(args=args, kwargs=kwargs, retry=False, countdown=countdown)
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
