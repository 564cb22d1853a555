"""With the production cache (Redis) unreachable: ordinary writes go on (their limits fail
open), creation and API sign-in refuse with 503 and change nothing (their limits fail closed),
and a Redis that does not answer costs a request microseconds after the first failure.

The cache here is the production one (common.redis_breaker.redis_cache_settings) pointed at
a port where nothing listens, or at a socket that accepts and never answers."""

from __future__ import annotations

import json
import socket
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from artworks.models import Artwork, Like
from common import ratelimit, redis_breaker
from tests.conftest import point_cache_at
from tests.factories import PublishedArtworkFactory, tiny_jpeg
from tests.site_process import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    point_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    yield
    redis_breaker.forget()


def test_limits_fail_open_for_ordinary_writes_and_closed_where_abuse_matters(cache_down):
    # Likes, favorites and reports go on without a counter...
    assert [ratelimit.hit(scope="reaction", key="user:1") for _ in range(3)] == [False] * 3
    assert ratelimit.hit(scope="report", key="user:1") is False
    # ...creation and API sign-in do not.
    for scope in ("artwork_create", "artwork_create_attempt", "api_login"):
        with pytest.raises(ratelimit.RateLimitUnavailable):
            ratelimit.hit(scope=scope, key="user:1")


def test_a_like_and_an_unlike_succeed_with_the_cache_down(cache_down, client, user):
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    url = f"/api/artworks/{artwork.pk}/like"
    liked = client.post(url)
    assert liked.status_code == 200, liked.content
    assert liked.json() == {"like_count": 1, "isLiked": True}
    assert Like.objects.filter(artwork=artwork, user=user).exists()
    unliked = client.delete(url)
    assert unliked.status_code == 200, unliked.content
    assert not Like.objects.filter(artwork=artwork, user=user).exists()
    # The artwork page (read through the cache) still answers.
    assert client.get(artwork.get_absolute_url()).status_code == 200


def test_generate_and_upload_answer_503_and_create_nothing(cache_down, client, user):
    client.force_login(user)
    started = time.monotonic()
    generated = client.post(
        "/api/artworks/generate",
        data=json.dumps({"prompt": "a quiet harbour"}),
        content_type="application/json",
    )
    assert time.monotonic() - started < 1.0
    assert generated.status_code == 503
    assert generated.json()["detail"]
    upload = SimpleUploadedFile("harbour.jpg", tiny_jpeg(), content_type="image/jpeg")
    uploaded = client.post("/api/artworks/upload", {"file": upload})
    assert uploaded.status_code == 503
    assert uploaded.json()["detail"]
    assert not Artwork.objects.filter(user=user).exists()


def test_the_create_page_refuses_with_503_and_creates_nothing(cache_down, client, user):
    client.force_login(user)
    response = client.post("/create", {"tab": "generate", "prompt": "a quiet harbour"})
    assert response.status_code == 503
    assert "Creating is paused for a moment" in response.content.decode()
    assert not Artwork.objects.filter(user=user).exists()


def test_api_sign_in_answers_503_rather_than_run_unlimited(cache_down, client):
    response = client.post(
        "/api/auth/login", data=json.dumps({"id_token": "x"}), content_type="application/json"
    )
    assert response.status_code == 503
    assert response.json()["detail"]


def test_a_redis_that_never_answers_costs_one_timeout_not_one_per_call(settings):
    """A server that accepts connections and never replies (a hung or unreachable host):
    the first call waits for its timeout, the following ones skip Redis at once."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)  # never accepted: connects complete, replies never come
        point_cache_at(settings, f"redis://127.0.0.1:{hung.getsockname()[1]}/0")
        try:
            started = time.monotonic()
            assert cache.get("anything") is None
            first = time.monotonic() - started
            started = time.monotonic()
            for _ in range(20):
                assert cache.get("anything") is None
                cache.set("anything", 1)
            rest = time.monotonic() - started
        finally:
            redis_breaker.forget()
    assert first < 3.0
    assert rest < 0.2, f"40 calls to a hung Redis took {rest:.2f}s"


def test_an_outage_is_logged_when_it_begins_not_on_every_cache_call(settings, caplog):
    """Production logs the errors the cache swallows (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS), and
    every ERROR line goes to Sentry too: a call skipped while Redis is paused is not one (the
    breaker said once that Redis is unreachable), or each page wrote dozens of tracebacks."""
    import logging

    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # aicommunity/settings/cache.py's
    point_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")
    try:
        with caplog.at_level(logging.INFO):
            for n in range(10):
                cache.set(f"key-{n}", n)
                assert cache.get(f"key-{n}") is None
        errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
        # The connect that failed, with its traceback; then nothing while Redis is skipped.
        assert [record.name for record in errors] == ["django_redis.cache"]
        assert "Connection refused" in str(errors[0].exc_info[1].__cause__)
        outage = [record for record in caplog.records if record.name == "common.redis_breaker"]
        assert len(outage) == 1 and "unreachable" in outage[0].getMessage()
    finally:
        redis_breaker.forget()
