"""A killed worker loses nothing: workers SIGKILLed mid-generation and mid-thumbnail, on the
production settings with the Redis broker; a new worker of each pool and beat finish every
task within two minutes, exactly once in effect (no duplicate files, no duplicate rows).

The visibility timeout is left at an hour, so the unacknowledged messages do not come back
during the test: it is beat's maintenance (requeue-stuck-generations, retry-stale-media, with
short bounds here) that finds the work the dead workers held."""

from __future__ import annotations

import base64
import io
import os
import signal
import time

import pytest
from PIL import Image

from artworks import services
from artworks.models import Artwork
from tests.artworks.fake_http import FakeServer, Reply
from tests.artworks.samples import image_bytes
from tests.artworks.test_worker_pools import procfile_pools
from tests.celery_harness import TEST_BROKER_URL, celery_beat, celery_worker, wait_for
from tests.common.test_settings import JWT_KEY, STRONG_KEY
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

GENERATIONS = 3
PROVIDER_SECONDS = 2.0


def production_env(server: FakeServer) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "JWT_PRIVATE_KEY": JWT_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": TEST_BROKER_URL,  # beat's lease
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_IMAGE_MODEL": "dall-e-3",
        # Short bounds, so that the test is short: work idle this long is found again.
        "GENERATION_STUCK_SECONDS": "6",
        "GENERATION_STUCK_CHECK_SECONDS": "1",
        "MEDIA_RETRY_AFTER_MINUTES": "0.1",
        "MEDIA_RETRY_CHECK_SECONDS": "1",
        "BEAT_LEASE_SECONDS": "3",
    }


def big_jpeg() -> bytes:
    """Slow enough to thumbnail that a worker can be killed in the middle."""
    buf = io.BytesIO()
    Image.effect_noise((6000, 4000), 60).convert("RGB").save(buf, "JPEG", quality=95)
    return buf.getvalue()


def generation_status(pk: int) -> str:
    return Artwork.objects.get(pk=pk).generation_status


def all_finished(pks: list[int]) -> bool:
    rows = Artwork.objects.filter(pk__in=pks)
    return all(a.thumb_status == "ready" and a.original for a in rows)


def test_workers_killed_mid_generation_and_mid_thumbnail_lose_nothing(
    real_broker, media_root, stored_files
):
    generation_queues, other_queues = sorted(procfile_pools().values())
    png = base64.b64encode(image_bytes("PNG", size=(96, 64))).decode()
    server = FakeServer().start()
    server.replies = [
        Reply(200, {"data": [{"b64_json": png}]}, delay=PROVIDER_SECONDS) for _ in range(20)
    ]
    env = production_env(server)
    user = UserFactory()
    logs = media_root.parent
    try:
        with (
            celery_worker(
                media_root=media_root, name="gen1", queues=generation_queues, env=env
            ) as generation,
            celery_worker(
                media_root=media_root, name="media1", queues=other_queues, env=env
            ) as media,
        ):
            upload = services.artwork_create_draft(
                author=user, title="Big", source=Artwork.Source.UPLOADED, content=big_jpeg(),
                ext="jpg", content_type="image/jpeg", width=6000, height=4000,
            )  # fmt: skip
            drafts = [
                services.artwork_generate(author=user, prompt=f"lighthouse {n}").pk
                for n in range(GENERATIONS)
            ]
            # Kill each pool's worker in the middle of its task.
            assert wait_for(
                lambda: Artwork.objects.get(pk=upload.pk).thumb_attempts >= 1,
                timeout=60,
                interval=0.01,
            ), (logs / "celery-media1.log").read_text()[-3000:]
            os.kill(media.pid, signal.SIGKILL)
            assert wait_for(lambda: generation_status(drafts[0]) == "running", timeout=60)
            os.kill(generation.pid, signal.SIGKILL)
            generation.wait()
            media.wait()
        assert Artwork.objects.get(pk=upload.pk).thumb_status == "pending", "finished too soon"
        assert generation_status(drafts[0]) == "running", "the generation finished too soon"

        started = time.monotonic()
        with (
            celery_worker(media_root=media_root, name="gen2", queues=generation_queues, env=env),
            celery_worker(media_root=media_root, name="media2", queues=other_queues, env=env),
            celery_beat(media_root=media_root, env=env),
        ):
            finished = wait_for(lambda: all_finished([upload.pk, *drafts]), timeout=120)
            took = time.monotonic() - started
        assert finished, "\n".join(
            (logs / f"celery-{n}.log").read_text()[-2000:] for n in ("gen2", "media2", "beat")
        )
    finally:
        server.stop()
    assert took < 120

    # Exactly once in effect: one row each, one original each, its thumbnails and nothing else.
    assert Artwork.objects.count() == 1 + GENERATIONS
    expected = []
    for artwork in Artwork.objects.all():
        assert artwork.generation_status in ("done", "")
        expected.append(artwork.original.name)
        expected += [t["name"] for t in artwork.thumbnails]
        assert artwork.thumbnails
    assert stored_files() == sorted(expected)
    assert Artwork.objects.get(pk=drafts[0]).original.name.endswith(".png")
