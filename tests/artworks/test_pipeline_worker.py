"""Real Celery worker processes against a real Redis broker."""

import io
import os
import signal

import pytest
from PIL import Image

from artworks import services
from artworks.models import Artwork
from tests.celery_harness import celery_worker, wait_for
from tests.factories import UserFactory, tiny_jpeg

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def thumbs_on_disk(media_root, artwork) -> list[str]:
    folder = media_root / "artworks" / "thumb"
    return sorted(p.name for p in folder.glob(f"{artwork.uuid}_*")) if folder.exists() else []


def test_a_worker_makes_the_thumbnails_of_a_published_artwork(real_broker, media_root, client):
    user = UserFactory()
    with celery_worker(media_root=media_root):
        artwork = services.artwork_create_draft(
            author=user, title="Worker made", source=Artwork.Source.UPLOADED,
            content=tiny_jpeg(640, 480), ext="jpg", content_type="image/jpeg",
            width=640, height=480,
        )  # fmt: skip
        services.artwork_publish(artwork=artwork, actor=user)
        assert wait_for(
            lambda: Artwork.objects.get(pk=artwork.pk).thumb_status == "ready", timeout=60
        ), (media_root.parent / "celery-w1.log").read_text()[-3000:]
    artwork.refresh_from_db()
    assert artwork.status == "published"
    names = sorted(t["name"].rsplit("/", 1)[1] for t in artwork.thumbnails)
    assert names == thumbs_on_disk(media_root, artwork)
    assert {t["width"] for t in artwork.thumbnails} == {320, 640}
    page = client.get(artwork.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    for thumb in artwork.thumbnails:  # the responsive image offers every thumbnail
        assert thumb["name"].rsplit("/", 1)[1] in html


def test_a_worker_killed_mid_task_is_redelivered_and_completes_once(real_broker, media_root):
    """acks_late + reject_on_worker_lost: the message stays unacknowledged when the worker
    dies; after the visibility timeout another worker gets it and finishes the work once."""
    user = UserFactory()
    big = io.BytesIO()
    Image.effect_noise((6000, 4000), 60).convert("RGB").save(big, "JPEG", quality=95)
    with celery_worker(media_root=media_root, visibility_timeout=2, name="doomed") as worker:
        artwork = services.artwork_create_draft(
            author=user, title="Interrupted", source=Artwork.Source.UPLOADED,
            content=big.getvalue(), ext="jpg", content_type="image/jpeg",
            width=6000, height=4000,
        )  # fmt: skip
        # thumb_attempts is counted as the task starts: kill the worker right then.
        assert wait_for(
            lambda: Artwork.objects.get(pk=artwork.pk).thumb_attempts >= 1,
            timeout=60,
            interval=0.01,
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    artwork.refresh_from_db()
    assert artwork.thumb_status == "pending", "the task finished before the kill; test is void"

    with celery_worker(media_root=media_root, visibility_timeout=2, name="rescuer"):
        assert wait_for(
            lambda: Artwork.objects.get(pk=artwork.pk).thumb_status == "ready", timeout=90
        ), (media_root.parent / "celery-rescuer.log").read_text()[-3000:]
    artwork.refresh_from_db()
    assert artwork.thumb_attempts == 2  # delivered again, completed once
    names = sorted(t["name"].rsplit("/", 1)[1] for t in artwork.thumbnails)
    assert names == thumbs_on_disk(media_root, artwork)  # no duplicate files
    assert len(names) == len(set(names))
    assert Artwork.objects.filter(title="Interrupted").count() == 1
