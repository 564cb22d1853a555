"""The Procfile's two worker pools on a real Redis broker: a provider that hangs holds only
the `generation` pool, and thumbnails are still made within seconds by the other."""

from __future__ import annotations

import base64
import os
import re
import signal
import time
from pathlib import Path

import pytest

from artworks import services
from artworks.models import Artwork
from tests.artworks.fake_http import FakeServer, Reply
from tests.artworks.samples import image_bytes
from tests.celery_harness import ROOT, celery_worker, wait_for
from tests.factories import UserFactory, tiny_jpeg


def procfile_pools() -> dict[str, str]:
    """Each Procfile worker process and the queues it consumes (`-Q`)."""
    pools = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _sep, command = line.partition(":")
        if " worker " in command:
            pools[name] = re.search(r"-Q (\S+)", command)[1]
    return pools


def hanging_provider(seconds: float) -> tuple[FakeServer, dict[str, str]]:
    """An OpenAI-compatible endpoint that answers after `seconds`, and a worker's settings
    for it."""
    png = base64.b64encode(image_bytes("PNG", size=(64, 32))).decode()
    server = FakeServer().start()
    server.replies = [Reply(200, {"data": [{"b64_json": png}]}, delay=seconds)]
    env = {
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_IMAGE_MODEL": "dall-e-3",
        "AI_PROVIDER_TIMEOUT": str(seconds + 30),
    }
    return server, env


def ready(log: Path) -> bool:
    return log.exists() and " ready." in log.read_text(errors="replace")


def test_the_procfile_runs_generation_alone_and_the_short_queues_together():
    pools = procfile_pools()
    assert sorted(pools.values()) == ["generation", "media,feed,default"]


@pytest.mark.slow
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_hanging_provider_does_not_delay_thumbnails(real_broker, media_root):
    generation_queues, other_queues = sorted(procfile_pools().values())
    user = UserFactory()
    server, env = hanging_provider(30)
    logs = media_root.parent
    try:
        with (
            celery_worker(
                media_root=media_root, name="gen", queues=generation_queues, env=env
            ) as generation,
            celery_worker(media_root=media_root, name="media", queues=other_queues),
        ):
            assert wait_for(lambda: ready(logs / "celery-media.log"), timeout=60)
            draft = services.artwork_generate(author=user, prompt="a slow lighthouse")
            # The generation pool is now inside the provider's 30-second answer.
            assert wait_for(lambda: server.requests, timeout=60)
            started = time.monotonic()
            artwork = services.artwork_create_draft(
                author=user, title="Not waiting", source=Artwork.Source.UPLOADED,
                content=tiny_jpeg(640, 480), ext="jpg", content_type="image/jpeg",
                width=640, height=480,
            )  # fmt: skip
            made = wait_for(
                lambda: Artwork.objects.get(pk=artwork.pk).thumb_status == "ready", timeout=5
            )
            took = time.monotonic() - started
            hanging = Artwork.objects.get(pk=draft.pk).generation_status
            os.kill(generation.pid, signal.SIGKILL)  # do not wait out the 30 s
        assert made, (logs / "celery-media.log").read_text()[-3000:]
        assert took < 5
        assert hanging == Artwork.GenerationStatus.RUNNING  # the provider really was hanging
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_on_the_broker_and_frees_the_worker_meanwhile(real_broker, media_root):
    """One generation slot: the first draft's provider answers 503 (Retry-After: 3); the
    slot runs the second draft while the first one's retry waits, then the retry succeeds."""
    png = base64.b64encode(image_bytes("PNG", size=(64, 32))).decode()
    ok = Reply(200, {"data": [{"b64_json": png}]})
    server = FakeServer().start()
    server.replies = [Reply(503, {"error": {"message": "busy"}}, {"Retry-After": "3"}), ok, ok]
    env = {
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_IMAGE_MODEL": "dall-e-3",
    }
    user = UserFactory()
    try:
        with celery_worker(media_root=media_root, name="gen", queues="generation", env=env):
            first = services.artwork_generate(author=user, prompt="first")
            assert wait_for(lambda: len(server.requests) == 1, timeout=60)
            second = services.artwork_generate(author=user, prompt="second")
            done = lambda pk: Artwork.objects.get(pk=pk).generation_status == "done"  # noqa: E731
            assert wait_for(lambda: done(second.pk), timeout=30)
            assert Artwork.objects.get(pk=first.pk).generation_status == "queued"  # waiting
            assert wait_for(lambda: done(first.pk), timeout=30), (
                media_root.parent / "celery-gen.log"
            ).read_text()[-3000:]
    finally:
        server.stop()
    assert [r.json()["prompt"] for r in server.requests] == ["first", "second", "first"]
