"""Shared fixtures. Real services (PostgreSQL, Redis) are used where the code talks to them:
in CI (CI=true) an unreachable service fails the test; elsewhere it is skipped with a reason."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

from aicommunity.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The Redis the index tests use (and FLUSHDB before and after each of them): TEST_REDIS_URL,
# else REDIS_URL, else database 5 of a local Redis.
REDIS_TEST_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
)


def point_cache_at(settings, url: str) -> None:
    """The production cache (common.redis_breaker.redis_cache_settings) on the Redis at `url`,
    with no failure remembered from before."""
    from common import redis_breaker

    settings.CACHES = {
        "default": redis_breaker.redis_cache_settings(
            url, key_prefix="cache-test", connect_timeout=0.25, socket_timeout=0.5
        )
    }
    redis_breaker.forget()


def require_service(name: str, url: str) -> None:
    """Fail in CI, skip elsewhere, when the service at `url` does not answer."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
            return
    except OSError as exc:
        message = f"{name} at {parsed.hostname}:{parsed.port} is unreachable ({exc})"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(message)


# Fixtures that put a test on a real Redis: such a test is marked `redis` (CI runs it in the
# pass that has Redis, not on the embedded defaults).
_REDIS_FIXTURES = frozenset({"redis_index", "real_broker", "redis_cache", "redis_page_cache"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _REDIS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.redis)


def pytest_configure(config):
    # Translations are compiled by `make messages`; a bare `pytest` compiles them too, so the
    # Chinese pages are tested against the committed catalog (a no-op when up to date).
    from scripts.compile_messages import main as compile_messages

    compile_messages()


@pytest.fixture(scope="session", autouse=True)
def _private_file_cache(tmp_path_factory):
    """The embedded default cache is a folder every process of a checkout shares (a running
    `make run` included); the tests get their own, and hand it to the processes they start
    (CACHE_DIR), so those share it with the test like a real deployment's processes do."""
    from django.conf import settings
    from django.test import override_settings

    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("FileBasedCache"):
        yield
        return
    location = str(tmp_path_factory.mktemp("cache"))
    previous = os.environ.get("CACHE_DIR")
    os.environ["CACHE_DIR"] = location
    with override_settings(CACHES={"default": {**default, "LOCATION": location}}):
        yield
    if previous is None:
        os.environ.pop("CACHE_DIR", None)
    else:
        os.environ["CACHE_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_in_process():
    # Tests run tasks in-process (after commit) unless a test starts a real worker itself.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _generation_in_request(settings):
    # Tests run a generation synchronously after commit (like the other tasks), not in a
    # background thread that would outlive the test's transaction.
    settings.GENERATION_IN_BACKGROUND_THREAD = False
    # Likewise a reaction's notification: told at once, one task per reaction.
    settings.NOTIFICATIONS_IN_BACKGROUND_THREAD = False
    settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 0
    # And a member's export or account deletion: in-process after commit.
    settings.MEMBER_DATA_IN_BACKGROUND_THREAD = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password per user; the default hasher makes 50-user tests crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Tests change rows directly (factories) between requests; the whole-page cache is
    # invalidated by announced changes only, so it is off unless a test turns it on.
    settings.PAGE_CACHE_SECONDS = 0
    settings.CARD_CACHE_SECONDS = 0
    # And a test that turns it on asks the cache on every request, unless it is about a
    # process reusing what it found a moment ago (tests/common/test_pagecache_recent.py).
    settings.PAGE_CACHE_LOCAL_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    # A test-client request for another language (?lang=zh-hans) activates it for the whole
    # thread; the next test would otherwise see translated messages.
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from accounts import member_cache
    from common import pagecache

    cache.clear()
    pagecache._DECLARED.clear()
    pagecache.forget_bodies()
    member_cache.forget_all_in_this_process()
    yield
    _replies_read()
    cache.clear()


def _replies_read() -> None:
    # Replies a request left unread (one whose exception the test client raised, so that its
    # response never closed) are read now, and the next test starts outside a request.
    from common import rediscache

    rediscache.replies_later(False)


@pytest.fixture
def redis_cache(settings):
    """The default cache on a real Redis at REDIS_TEST_URL (as production has it), empty
    before and after, with no reply left unread after."""
    from django.core.cache import cache

    require_service("Redis", REDIS_TEST_URL)
    point_cache_at(settings, REDIS_TEST_URL)
    cache.clear()
    yield
    _replies_read()
    cache.clear()


@pytest.fixture(params=["embedded", "redis"])
def either_cache(request, settings):
    """The default cache as the embedded defaults have it (the shared file cache) and as
    production has it (a real Redis at REDIS_TEST_URL), empty before and after; its name."""
    from django.core.cache import caches

    if request.param == "redis":
        require_service("Redis", REDIS_TEST_URL)
        point_cache_at(settings, REDIS_TEST_URL)
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _redis_index_off(settings):
    """The Redis feed index is off unless a test asks for `redis_index`: the suite's other
    tests (and their query counts) then mean the same with and without REDIS_URL, and no
    index keys outlive a test whose database rows were rolled back."""
    from feed.redis_index import feed_index

    settings.REDIS_INDEX_URL = ""
    yield
    _replies_read()
    feed_index.reset()


@pytest.fixture
def redis_index(settings):
    """The Redis feed index on, against a real Redis at REDIS_TEST_URL (flushed before and
    after). Yields a plain redis-py client for looking at the keys."""
    import redis

    require_service("Redis", REDIS_TEST_URL)
    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    client.flushdb()
    settings.REDIS_INDEX_URL = REDIS_TEST_URL
    yield client
    settings.REDIS_INDEX_URL = ""
    client.flushdb()
    client.close()


@pytest.fixture
def real_broker(settings):
    """Tasks go to a real Redis broker (TEST_CELERY_BROKER_URL, purged before and after) for a
    worker that a test starts (tests.celery_harness.celery_worker)."""
    from tests.celery_harness import TEST_BROKER_URL, purge_broker, use_broker

    require_service("Redis", TEST_BROKER_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    purge_broker(TEST_BROKER_URL)
    use_broker(TEST_BROKER_URL)
    yield
    use_broker(None)
    purge_broker(TEST_BROKER_URL)


@pytest.fixture
def small_demo_pictures(monkeypatch):
    """seed_demo with every offline picture at a sixth of its size (128 to 171 px a side,
    portrait, landscape and square as before): the same artworks, rows and files, but each
    original and its thumbnails (every width in THUMBNAIL_WIDTHS is capped at the picture's)
    cost a fraction of the encoding time. For the tests that check the community seed_demo
    builds, not the pictures' pixels."""
    from social.management.commands import seed_demo

    make = seed_demo._generated_draft

    def smaller(*args, size, **kwargs):
        width, height = size
        if min(width, height) >= 768:  # a demo size; a remix asks for its parent's (reduced)
            width, height = width // 6, height // 6
        return make(*args, size=(width, height), **kwargs)

    monkeypatch.setattr(seed_demo, "_generated_draft", smaller)


@pytest.fixture
def media_root(_isolated_media):
    return _isolated_media


@pytest.fixture
def stored_files(media_root):
    """A callable listing every file currently in media storage (relative paths)."""

    def list_files() -> list[str]:
        if not media_root.exists():
            return []
        return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    """A moderator: staff powers come from permissions (the "Moderators" group), never from
    `is_staff` alone."""
    from tests.factories import make_moderator

    return make_moderator()
