"""A provider's transient failure is retried later — a Celery retry with a countdown, or a
timer thread without a broker — never by sleeping in the task; attempts are bounded and the
last failure is recorded with its reason."""

from __future__ import annotations

import threading
import time

import pytest

from artworks import services, tasks
from artworks.models import Artwork
from artworks.providers import ProviderError
from tests.artworks.test_generation import RecordingProvider, generate, png_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def scripted(settings):
    from artworks.providers import register_provider

    register_provider("scripted", RecordingProvider)
    settings.AI_PROVIDER = "scripted"
    RecordingProvider.script = []
    RecordingProvider.seen = []
    return RecordingProvider


@pytest.fixture
def no_sleeping(monkeypatch):
    """A sleep in the test's own thread (the task's) fails the test."""
    caller, real_sleep = threading.current_thread(), time.sleep

    def sleep(seconds):
        assert threading.current_thread() is not caller, f"the task slept {seconds}s"
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)


def busy(retry_after: float | None = None) -> ProviderError:
    return ProviderError("The image service is busy.", retryable=True, retry_after=retry_after)


def queued_draft(user, django_capture_on_commit_callbacks) -> Artwork:
    with django_capture_on_commit_callbacks(execute=False):
        return generate(user)  # the task is not run


def test_attempts_are_bounded_and_the_last_failure_is_recorded(
    user, scripted, settings, django_capture_on_commit_callbacks, stored_files, no_sleeping
):
    settings.AI_PROVIDER_MAX_RETRIES = 2
    settings.AI_PROVIDER_BACKOFF_SECONDS = 1.0
    scripted.script = [busy(), busy(), busy()]
    artwork = queued_draft(user, django_capture_on_commit_callbacks)
    for attempt, low, high in ((0, 0.8, 1.2), (1, 1.6, 2.4)):
        with pytest.raises(services.GenerationRetry) as retry:
            services.artwork_run_generation(artwork_id=artwork.pk, attempt=attempt)
        assert low <= retry.value.delay <= high  # exponential backoff with jitter
        artwork.refresh_from_db()
        assert artwork.generation_status == Artwork.GenerationStatus.QUEUED  # waits, queued
    services.artwork_run_generation(artwork_id=artwork.pk, attempt=2)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    assert artwork.generation_error == "The image service is busy."
    assert len(scripted.seen) == 3
    assert stored_files() == []
    # Run again (a redelivered message): the failed draft runs once more, a done one never.
    scripted.script = [png_result()]
    services.artwork_run_generation(artwork_id=artwork.pk, attempt=0)
    services.artwork_run_generation(artwork_id=artwork.pk, attempt=0)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert len(scripted.seen) == 4
    assert stored_files() == [f"artworks/original/{artwork.uuid}.png"]


def test_a_permanent_failure_is_not_retried(
    user, scripted, django_capture_on_commit_callbacks, no_sleeping
):
    scripted.script = [ProviderError("Your prompt was rejected.")]
    artwork = queued_draft(user, django_capture_on_commit_callbacks)
    services.artwork_run_generation(artwork_id=artwork.pk, attempt=0)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    assert artwork.generation_error == "Your prompt was rejected."


def test_the_task_retries_through_celery_with_the_providers_retry_after(
    user, scripted, django_capture_on_commit_callbacks, monkeypatch, no_sleeping
):
    scripted.script = [busy(retry_after=7)]
    artwork = queued_draft(user, django_capture_on_commit_callbacks)
    asked: list[float] = []

    class Retrying(Exception):
        pass

    def retry(*, countdown):
        asked.append(countdown)
        return Retrying()

    monkeypatch.setattr(tasks.generate_artwork, "retry", retry)
    with pytest.raises(Retrying):
        tasks.generate_artwork(artwork.pk)  # as a worker runs it: not eager
    assert len(asked) == 1 and 7.0 <= asked[0] <= 8.0  # Retry-After, plus a little jitter
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.QUEUED


def test_without_a_broker_the_retry_waits_on_a_timer_not_in_the_task(
    user, scripted, django_capture_on_commit_callbacks, monkeypatch, no_sleeping
):
    scripted.script = [busy(retry_after=3)]
    artwork = queued_draft(user, django_capture_on_commit_callbacks)
    timers: list[tuple] = []
    monkeypatch.setattr(
        services, "generate_beside_request", lambda pk, **kw: timers.append((pk, kw))
    )
    started = time.monotonic()
    tasks.generate_artwork.apply(args=(artwork.pk,))  # eager, as without a broker
    assert time.monotonic() - started < 2
    assert len(timers) == 1
    pk, kwargs = timers[0]
    assert pk == artwork.pk and kwargs["attempt"] == 1 and 3.0 <= kwargs["delay"] <= 4.0


def test_beside_the_request_a_retry_runs_again_later_and_finishes(
    user, scripted, settings, transactional_db
):
    settings.AI_PROVIDER_BACKOFF_SECONDS = 0.05
    scripted.script = [busy(), busy(), png_result()]
    settings.GENERATION_IN_BACKGROUND_THREAD = True
    artwork = generate(user)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        artwork.refresh_from_db()
        if artwork.generation_status == Artwork.GenerationStatus.DONE:
            break
        time.sleep(0.05)
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert len(scripted.seen) == 3
