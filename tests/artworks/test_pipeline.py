"""The async pipeline without a worker process: lost work is found again, orphans are swept,
and a broker outage never fails the user's request."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from artworks import services, tasks
from artworks.models import Artwork
from common.health import health_report
from tests.celery_harness import TEST_BROKER_URL, purge_broker, use_broker
from tests.conftest import require_service
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, tiny_jpeg

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    use_broker(DEAD_BROKER)
    yield
    use_broker(None)


def upload_draft(user):
    return services.artwork_create_draft(
        author=user,
        title="Broker outage",
        source=Artwork.Source.UPLOADED,
        content=tiny_jpeg(),
        ext="jpg",
        content_type="image/jpeg",
        width=64,
        height=48,
    )


def test_publishing_succeeds_with_the_broker_down_and_beat_does_the_work_later(
    broker_down, django_capture_on_commit_callbacks
):
    user = UserFactory()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        artwork = upload_draft(user)
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_publish(artwork=artwork, actor=user)
    assert time.monotonic() - started < 15  # bounded: no hanging request
    artwork.refresh_from_db()
    assert artwork.status == Artwork.Status.PUBLISHED
    assert artwork.thumb_status == Artwork.ThumbStatus.PENDING
    assert artwork.thumbnails == []

    # The broker is back; beat's retry finds the pending work.
    use_broker(None)
    Artwork.objects.filter(pk=artwork.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retry_stale_media() == 1
    artwork.refresh_from_db()
    assert artwork.thumb_status == Artwork.ThumbStatus.READY
    assert artwork.thumbnails


def test_retry_skips_fresh_work_and_gives_up_after_max_attempts(settings):
    fresh = ArtworkFactory()  # pending, just created: its task may still be on the way
    failed = ArtworkFactory(thumb_status=Artwork.ThumbStatus.FAILED, thumb_attempts=1)
    exhausted = ArtworkFactory(
        thumb_status=Artwork.ThumbStatus.FAILED, thumb_attempts=settings.MEDIA_MAX_ATTEMPTS
    )
    retried = services.artworks_retry_stale_media(
        older_than=timedelta(minutes=5), max_attempts=settings.MEDIA_MAX_ATTEMPTS
    )
    assert retried == [failed.pk]
    assert fresh.pk not in retried and exhausted.pk not in retried


def test_orphan_sweep_removes_only_old_unowned_files(settings):
    owned = ArtworkFactory()
    orphan_old = default_storage.save(
        "artworks/original/00000000-0000-4000-8000-000000000001.jpg", ContentFile(b"x")
    )
    orphan_thumb = default_storage.save(
        "artworks/thumb/00000000-0000-4000-8000-000000000001_320.webp", ContentFile(b"x")
    )
    orphan_new = default_storage.save(
        "artworks/original/00000000-0000-4000-8000-000000000002.jpg", ContentFile(b"x")
    )
    old = time.time() - 3 * 86400
    for name in (orphan_old, orphan_thumb, owned.original.name):
        os.utime(default_storage.path(name), (old, old))

    removed = services.media_sweep_orphans(older_than=timedelta(hours=24))
    assert sorted(removed) == sorted([orphan_old, orphan_thumb])
    assert default_storage.exists(owned.original.name)
    assert default_storage.exists(orphan_new)  # within the grace period: maybe an upload


def test_abandoned_failed_drafts_are_purged_with_their_files(stored_files):
    stale = ArtworkFactory(generation_status=Artwork.GenerationStatus.FAILED)
    recent = ArtworkFactory(generation_status=Artwork.GenerationStatus.FAILED)
    published = PublishedArtworkFactory(generation_status=Artwork.GenerationStatus.FAILED)
    long_ago = timezone.now() - timedelta(days=30)
    Artwork.objects.filter(pk__in=[stale.pk, published.pk]).update(updated_at=long_ago)

    assert services.artworks_purge_abandoned_drafts(older_than=timedelta(days=7)) == 1
    assert not Artwork.objects.filter(pk=stale.pk).exists()
    assert Artwork.objects.filter(pk__in=[recent.pk, published.pk]).count() == 2


@pytest.mark.redis
def test_healthz_reports_the_broker_and_its_queue_depth(settings):
    require_service("Redis", TEST_BROKER_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    purge_broker(TEST_BROKER_URL)
    use_broker(TEST_BROKER_URL)
    try:
        tasks.make_thumbnails.apply_async(args=[0], retry=False)
        healthy, report = health_report()
        assert healthy
        assert report["checks"]["broker"]["ok"] is True
        assert report["checks"]["broker"]["queues"]["media"] == 1
    finally:
        use_broker(None)
        purge_broker(TEST_BROKER_URL)


def test_healthz_degrades_but_stays_up_when_the_broker_is_down(settings, broker_down):
    healthy, report = health_report()
    assert healthy
    assert report["status"] == "degraded"
    assert report["checks"]["broker"]["ok"] is False


def test_a_generation_with_the_broker_down_runs_here_without_waiting(broker_down, transactional_db):
    """The broker refuses at once (no reconnect loop), and the draft is generated in this
    process instead of failing: the member's request neither waits nor loses its work."""
    user = UserFactory()
    started = time.monotonic()
    artwork = services.artwork_generate(author=user, prompt="a red sunset", width=64, height=64)
    assert time.monotonic() - started < 1.0  # was 2 s: the broker connect retried
    for _ in range(200):
        artwork.refresh_from_db()
        if artwork.generation_status == Artwork.GenerationStatus.DONE:
            break
        time.sleep(0.05)
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert default_storage.exists(artwork.original.name)


def test_a_killed_thumbnail_task_is_not_retried_forever(settings):
    """A picture whose task kills its worker (still pending, attempts used up) is left."""
    ago = timezone.now() - timedelta(hours=1)
    killed_once = ArtworkFactory(thumb_attempts=1)
    killer = ArtworkFactory(thumb_attempts=settings.MEDIA_MAX_ATTEMPTS)
    Artwork.objects.filter(pk__in=[killed_once.pk, killer.pk]).update(updated_at=ago)
    retried = services.artworks_retry_stale_media(
        older_than=timedelta(minutes=5), max_attempts=settings.MEDIA_MAX_ATTEMPTS
    )
    assert retried == [killed_once.pk]


def stuck_generation(status: str, *, idle: timedelta, age: timedelta | None = None) -> Artwork:
    artwork = ArtworkFactory(with_file=False, generation_status=status)
    now = timezone.now()
    Artwork.objects.filter(pk=artwork.pk).update(
        updated_at=now - idle, created_at=now - (age or idle)
    )
    return artwork


def test_generations_stuck_queued_or_running_are_queued_again(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    from artworks.services import generation as generation_service

    sent: list[int] = []
    monkeypatch.setattr(generation_service, "enqueue", lambda task, pk, **kw: sent.append(pk))
    idle = timedelta(minutes=10)
    running = stuck_generation(Artwork.GenerationStatus.RUNNING, idle=idle)
    queued = stuck_generation(Artwork.GenerationStatus.QUEUED, idle=idle)
    busy = stuck_generation(Artwork.GenerationStatus.RUNNING, idle=timedelta(seconds=30))
    failed = stuck_generation(Artwork.GenerationStatus.FAILED, idle=idle)
    done = ArtworkFactory()  # has its original
    Artwork.objects.filter(pk=done.pk).update(
        generation_status=Artwork.GenerationStatus.RUNNING, updated_at=timezone.now() - idle
    )
    hopeless = stuck_generation(Artwork.GenerationStatus.RUNNING, idle=idle, age=timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        requeued = services.artworks_requeue_stuck_generations(
            stuck_after=timedelta(minutes=6), give_up_after=timedelta(hours=1)
        )
    assert sorted(requeued) == sorted([running.pk, queued.pk])
    assert sorted(sent) == sorted(requeued)
    states = dict(Artwork.objects.values_list("pk", "generation_status"))
    assert states[running.pk] == states[queued.pk] == Artwork.GenerationStatus.QUEUED
    assert states[busy.pk] == Artwork.GenerationStatus.RUNNING  # may still be working
    assert states[failed.pk] == Artwork.GenerationStatus.FAILED
    assert states[done.pk] == Artwork.GenerationStatus.RUNNING  # has its original: left alone
    hopeless.refresh_from_db()
    assert hopeless.generation_status == Artwork.GenerationStatus.FAILED
    assert hopeless.generation_error == "The generation took too long. Try again."
    # Queued again, it is not stuck any more: a second pass right after changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.artworks_requeue_stuck_generations(
                stuck_after=timedelta(minutes=6), give_up_after=timedelta(hours=1)
            )
            == []
        )


def test_a_requeued_generation_runs_to_the_end(settings, django_capture_on_commit_callbacks):
    running = stuck_generation(Artwork.GenerationStatus.RUNNING, idle=timedelta(minutes=10))
    settings.GENERATION_IN_BACKGROUND_THREAD = False  # eager: the task runs in-process
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stuck_generations() == 1
    running.refresh_from_db()
    assert running.generation_status == Artwork.GenerationStatus.DONE
    assert running.original
