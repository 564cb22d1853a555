"""The embedded cache lists its folder (to cull) at most once an interval, not on every write."""

from __future__ import annotations

from pathlib import Path

from common.filecache import ThrottledCullFileBasedCache


def _cache(tmp_path: Path, interval: float) -> ThrottledCullFileBasedCache:
    return ThrottledCullFileBasedCache(
        str(tmp_path),
        {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2, "CULL_INTERVAL": interval}},
    )


def test_the_folder_is_listed_once_an_interval(tmp_path: Path, monkeypatch):
    cache = _cache(tmp_path, interval=60)
    listings = []
    real = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or real())
    for n in range(30):
        cache.set(f"k{n}", n)
    assert len(listings) == 1
    assert len(list(tmp_path.glob("*.djcache"))) == 30  # over the bound until the next check


def test_the_bound_still_holds_at_each_check(tmp_path: Path):
    cache = _cache(tmp_path, interval=60)
    for n in range(30):
        cache.set(f"k{n}", n)
    cache._next_cull = 0.0  # the interval has passed
    cache.set("one-more", 1)
    assert len(list(tmp_path.glob("*.djcache"))) <= 17  # half culled, then the new entry
    assert cache.get("one-more") == 1


def test_without_an_interval_it_is_djangos_cache(tmp_path: Path):
    cache = _cache(tmp_path, interval=0)
    for n in range(30):
        cache.set(f"k{n}", n)
    assert len(list(tmp_path.glob("*.djcache"))) <= 11
