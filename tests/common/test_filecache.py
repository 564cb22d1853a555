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


def test_values_round_trip_uncompressed_and_old_compressed_files_still_read(tmp_path: Path):
    import pickle
    import zlib

    cache = _cache(tmp_path, interval=60)
    page = ("versions", b"<html>" + b"x" * 10_000, {"Content-Type": "text/html"})
    cache.set("page", page)
    assert cache.get("page") == page
    (stored,) = tmp_path.glob("*.djcache")
    assert len(stored.read_bytes()) > 10_000  # not compressed: a hit does not inflate it
    # A file Django's own backend wrote (zlib-compressed) is read as before.
    fname = cache._key_to_file("old")
    with open(fname, "wb") as f:
        f.write(pickle.dumps(None) + zlib.compress(pickle.dumps({"old": 1})))
    assert cache.get("old") == {"old": 1}


def test_overwrites_counters_and_expiry_behave_as_djangos(tmp_path: Path):
    cache = _cache(tmp_path, interval=60)
    cache.set("k", 1)
    cache.set("k", 2)
    assert cache.get("k") == 2
    assert not cache.add("k", 3)
    assert cache.incr("k") == 3
    assert cache.get_many(["k", "nope"]) == {"k": 3}
    assert cache.touch("k", timeout=100)
    assert not cache.touch("nope")
    cache.set("gone", 1, timeout=-1)
    assert cache.get("gone", "default") == "default"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".djcache")) == []


def test_a_deleted_folder_is_made_again_and_no_temporary_file_is_left(tmp_path: Path):
    import shutil

    folder = tmp_path / "cache"
    cache = _cache(folder, interval=60)
    cache.set("a", 1)
    shutil.rmtree(folder)
    cache.set("b", 2)  # the folder is gone: the write makes it again
    cache.set("b", 3)  # an overwrite
    assert (cache.get("a"), cache.get("b")) == (None, 3)
    assert sorted(p.suffix for p in folder.iterdir()) == [".djcache"]


def test_a_failed_write_leaves_the_old_value_and_no_temporary_file(tmp_path: Path, monkeypatch):
    import pytest

    cache = _cache(tmp_path, interval=60)
    cache.set("k", "old")

    class Unpicklable:
        def __reduce__(self) -> tuple:
            raise TypeError("no")

    with pytest.raises(TypeError):
        cache.set("k", Unpicklable())
    assert cache.get("k") == "old"
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".djcache")] == []
