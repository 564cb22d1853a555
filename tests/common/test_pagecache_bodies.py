"""The page cache's bytes, held by each process too (common/pagecache.py): a process that holds
a copy's bytes reads only its summary (versions, digest, headers) from the cache, serves the
same answer as the whole copy would, and never serves bytes the cache no longer holds; on the
embedded file cache and on a real Redis."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from artworks import services
from common import pagecache
from tests.common.test_csp import header_nonce
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(either_cache, settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def reads(monkeypatch):
    """The keys of every value (not version) each lookup reads."""
    seen: list[list[str]] = []
    real = pagecache.read_versions

    def spy(keys, *values):
        seen.append(list(values))
        return real(keys, *values)

    monkeypatch.setattr(pagecache, "read_versions", spy)
    return seen


def _same_page(a, b) -> bool:
    nonce_a, nonce_b = header_nonce(a), header_nonce(b)
    return a.content.replace(nonce_a.encode(), nonce_b.encode()) == b.content


def test_a_process_holding_the_bytes_reads_only_the_summary(client, page_cache, reads):
    PublishedArtworkFactory(title="Held here")
    first = client.get("/feed")
    assert first["X-Page-Cache"] == "miss"
    reads.clear()
    second = client.get("/feed")
    assert second["X-Page-Cache"] == "hit"
    [[read]] = reads
    assert read.startswith("pagecache:meta:")
    assert _same_page(first, second)
    # Without the bytes (another process, or after a restart): the whole copy, once.
    pagecache.forget_bodies()
    reads.clear()
    third = client.get("/feed")
    assert third["X-Page-Cache"] == "hit" and _same_page(first, third)
    [[read]] = reads
    assert read.startswith("pagecache:page:")
    reads.clear()
    client.get("/feed")
    assert reads[0][0].startswith("pagecache:meta:")


def test_bytes_rendered_elsewhere_replace_the_held_ones(client, page_cache):
    PublishedArtworkFactory(title="Rendered twice")
    client.get("/feed")
    [key] = list(pagecache._BODIES)
    versions, content, headers = cache.get(key)
    # Another process renders the page again (same versions, new bytes) and keeps its copy.
    elsewhere = content.replace(b"Rendered twice", b"Rendered elsewhere")
    pagecache._store(key, versions, elsewhere, headers, timeout=600)
    pagecache._BODIES[key] = (pagecache._digest(content), (content,))  # this process: the old
    response = client.get("/feed")
    assert response["X-Page-Cache"] == "hit"
    assert b"Rendered elsewhere" in response.content
    assert b"Rendered twice" not in response.content


def test_held_bytes_never_outlive_an_invalidation(
    client, page_cache, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory(title="Before the like")
    other = PublishedArtworkFactory(title="Unrelated")
    fan = UserFactory()
    client.get(artwork.get_absolute_url())
    client.get(other.get_absolute_url())
    assert client.get(artwork.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=fan)
    assert client.get(artwork.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "hit"
    # A copy the cache lost is not served from the bytes this process holds.
    cache.clear()
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "miss"


def test_the_bytes_held_are_bounded_and_can_be_turned_off(client, page_cache, settings):
    artworks = PublishedArtworkFactory.create_batch(6)
    first = client.get(artworks[0].get_absolute_url())
    size = len(first.content)
    settings.PAGE_CACHE_PROCESS_BYTES = size * 4 + size // 2  # room for four pages this size
    pagecache.forget_bodies()
    for artwork in artworks:
        client.get(artwork.get_absolute_url())
        client.get(artwork.get_absolute_url())
    assert pagecache._BODIES_SIZE[0] <= settings.PAGE_CACHE_PROCESS_BYTES
    assert 3 <= len(pagecache._BODIES) <= 4
    settings.PAGE_CACHE_PROCESS_BYTES = 0
    pagecache.forget_bodies()
    client.get(artworks[1].get_absolute_url())
    assert client.get(artworks[1].get_absolute_url())["X-Page-Cache"] == "hit"
    assert not pagecache._BODIES
