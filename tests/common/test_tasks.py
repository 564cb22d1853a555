"""The one enqueue helper: a task leaves after commit, never before, and a broker that cannot
take it costs the request nothing: the caller's `on_broker_down` decides what happens."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from celery import shared_task

from common.tasks import BrokerDown, enqueue
from tests.celery_harness import use_broker

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"
ran: list[tuple[int, str]] = []


@shared_task(name="tests.common.record")
def record(number: int, word: str = "") -> None:
    ran.append((number, word))


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    ran.clear()
    yield
    ran.clear()


@pytest.fixture
def broker_down(settings) -> Iterator[None]:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    use_broker(DEAD_BROKER)
    yield
    use_broker(None)


def test_a_task_is_sent_after_commit_not_before(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(record, 1, word="one")
        assert ran == []
    assert ran == []  # still not committed: nothing is sent
    for callback in callbacks:
        callback()
    assert ran == [(1, "one")]


def test_a_caller_that_writes_nothing_sends_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(record, 2, after_commit=False)
        assert ran == [(2, "")]
    assert callbacks == []


def test_with_the_broker_down_the_work_is_left_pending_by_default(
    broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, 3)
    assert time.monotonic() - started < 5  # one short attempt, no retry loop
    assert ran == []


def test_with_the_broker_down_the_task_can_run_here(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, 4, word="here", on_broker_down=BrokerDown.RUN_HERE)
    assert ran == [(4, "here")]


def test_with_the_broker_down_the_callers_fallback_runs_instead(
    broker_down, django_capture_on_commit_callbacks
):
    fallbacks: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, 5, on_broker_down=lambda: fallbacks.append("fallback"))
        assert fallbacks == []  # after commit, like the task
    assert fallbacks == ["fallback"]
    assert ran == []


def test_without_a_broker_the_task_runs_in_process_unless_the_fallback_is_asked_for(
    django_capture_on_commit_callbacks,
):
    fallbacks: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, 6, on_broker_down=lambda: fallbacks.append("fallback"))
    assert (ran, fallbacks) == ([(6, "")], [])
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(
            record,
            7,
            on_broker_down=lambda: fallbacks.append("fallback"),
            fallback_without_broker=True,
        )
    assert (ran, fallbacks) == ([(6, "")], ["fallback"])
