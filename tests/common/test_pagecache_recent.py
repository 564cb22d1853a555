"""An anonymous copy a process found a moment ago, reused without asking the cache
(common/pagecache.py, PAGE_CACHE_LOCAL_SECONDS), only while nothing changed on this host
(common/host_changes.py); on the embedded file cache and on a real Redis."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from django.core.cache import cache

from artworks import services
from common import host_changes, pagecache
from tests.common.test_csp import header_nonce
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(either_cache, settings, tmp_path):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_LOCAL_SECONDS = 30
    settings.PAGE_CACHE_LOCAL_FILE = str(tmp_path / "changes")
    host_changes.forget_in_this_process()
    yield settings
    host_changes.forget_in_this_process()


@pytest.fixture
def lookups(monkeypatch):
    """How many times the cache was asked for a page's versions."""
    seen: list[int] = []
    real = pagecache.read_versions

    def spy(keys, *values):
        seen.append(1)
        return real(keys, *values)

    monkeypatch.setattr(pagecache, "read_versions", spy)
    return seen


def _warm(client, url: str) -> None:
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"  # found in the cache: remembered


def test_a_copy_found_a_moment_ago_is_served_without_asking_the_cache(client, page_cache, lookups):
    PublishedArtworkFactory(title="Seen a moment ago")
    _warm(client, "/feed")
    lookups.clear()
    first, second = client.get("/feed"), client.get("/feed")
    assert lookups == []
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "hit"
    assert b"Seen a moment ago" in first.content
    # Each answer still has its own CSP nonce, in its header and in its page.
    assert header_nonce(first) != header_nonce(second)
    assert header_nonce(second).encode() in second.content
    assert header_nonce(first).encode() not in second.content


def test_a_change_made_in_this_process_is_seen_at_once(
    client, page_cache, lookups, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory(title="Liked now")
    other = PublishedArtworkFactory(title="Not liked")
    fan = UserFactory()
    _warm(client, artwork.get_absolute_url())
    _warm(client, other.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=fan)
    lookups.clear()
    after = client.get(artwork.get_absolute_url())
    assert after["X-Page-Cache"] == "miss"
    assert lookups  # asked the cache again
    # The unrelated artwork's copy is still the cache's (asked again, and a hit).
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_change_made_by_another_process_of_this_host_is_seen_at_once(client, page_cache, lookups):
    PublishedArtworkFactory(title="Changed elsewhere")
    _warm(client, "/feed")
    lookups.clear()
    client.get("/feed")
    assert lookups == []
    # Another process (a worker, the other web worker) changes something: it moves the mark
    # in the file every process of the host maps.
    code = textwrap.dedent(
        f"""
        import django
        from django.conf import settings
        settings.configure(PAGE_CACHE_LOCAL_FILE={page_cache.PAGE_CACHE_LOCAL_FILE!r})
        from common import host_changes
        host_changes.advance()
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    client.get("/feed")
    assert lookups == [1]


def test_the_cache_emptied_is_seen_at_once(client, page_cache):
    PublishedArtworkFactory(title="Emptied")
    _warm(client, "/feed")
    cache.clear()
    assert client.get("/feed")["X-Page-Cache"] == "miss"


def test_a_copy_is_reused_only_for_a_moment(client, page_cache, lookups):
    page_cache.PAGE_CACHE_LOCAL_SECONDS = 0.2
    PublishedArtworkFactory(title="Briefly")
    _warm(client, "/feed")
    lookups.clear()
    client.get("/feed")
    assert lookups == []
    time.sleep(0.25)
    client.get("/feed")
    assert lookups == [1]


def test_off_when_zero_or_without_a_mark(client, page_cache, lookups, tmp_path):
    PublishedArtworkFactory(title="Always asked")
    page_cache.PAGE_CACHE_LOCAL_SECONDS = 0
    _warm(client, "/feed")
    lookups.clear()
    client.get("/feed")
    assert lookups == [1]
    # A mark that cannot be made (its folder is a file): nothing is reused.
    page_cache.PAGE_CACHE_LOCAL_SECONDS = 30
    (tmp_path / "not-a-folder").write_text("")
    page_cache.PAGE_CACHE_LOCAL_FILE = str(tmp_path / "not-a-folder" / "changes")
    host_changes.forget_in_this_process()
    assert host_changes.current() is None
    client.get("/feed")
    lookups.clear()
    client.get("/feed")
    assert lookups == [1]


def test_a_members_copy_is_never_reused_without_asking(client, page_cache, lookups):
    member = UserFactory()
    PublishedArtworkFactory(title="Members ask every time")
    client.force_login(member)
    client.get("/feed")
    client.get("/feed")
    lookups.clear()
    assert client.get("/feed")["X-Page-Cache"] == "hit"
    assert lookups  # the member's page, their session and row are checked each time
