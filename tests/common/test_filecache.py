"""The embedded cache: it lists its folder (to cull) at most once an interval, not on every
write; its values and counters behave as Django's; and its stamps (versions as modification
times)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from itertools import pairwise
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


# --- stamps: versions kept as modification times ------------------------------------------


def test_stamps_are_fresh_on_every_bump_and_kept_by_add(tmp_path: Path):
    cache = _cache(tmp_path, interval=60)
    assert cache.stamps_supported()  # this machine's file systems keep nanoseconds
    assert cache.stamps_read(["a", "b"]) == {}
    cache.stamps_add(["a"])
    first = cache.stamps_read(["a", "b"])
    assert list(first) == ["a"]
    cache.stamps_add(["a", "b"])  # a keeps its stamp, b gets one
    second = cache.stamps_read(["a", "b"])
    assert second["a"] == first["a"]
    seen = {second["a"], second["b"]}
    for _ in range(200):  # back to back, as a burst of likes bumps them
        cache.stamps_new(["a"])
        seen.add(cache.stamps_read(["a"])["a"])
    assert len(seen) == 202
    assert cache.get("a") is None  # a stamp is not a value


def test_a_stamp_goes_with_its_key_and_with_clear(tmp_path: Path):
    cache = _cache(tmp_path, interval=60)
    cache.stamps_new(["a", "b", "c"])
    cache.set("a", "value")
    cache.delete("a")
    cache.delete_many(["b"])
    assert cache.stamps_read(["a", "b", "c"]).keys() == {"c"}
    cache.clear()
    assert cache.stamps_read(["c"]) == {}
    assert not list(tmp_path.glob("*.stamp"))


def test_a_deleted_folder_is_made_again_for_stamps(tmp_path: Path):
    folder = tmp_path / "cache"
    cache = _cache(folder, interval=60)
    assert cache.stamps_supported()
    shutil.rmtree(folder)
    cache.stamps_new(["a"])
    shutil.rmtree(folder)
    cache.stamps_add(["b"])
    assert cache.stamps_read(["a", "b"]).keys() == {"b"}


def test_a_file_system_without_nanoseconds_has_no_stamps(tmp_path: Path, monkeypatch):
    cache = _cache(tmp_path, interval=60)
    real = os.utime

    def to_the_second(path: str, *, ns: tuple[int, int]) -> None:
        real(path, ns=tuple(n // 10**9 * 10**9 for n in ns))

    monkeypatch.setattr(os, "utime", to_the_second)
    assert cache.stamps_supported() is False
    assert not list(tmp_path.glob("*.stamp"))  # the probe is gone


# --- attempt counters ---------------------------------------------------------------------


def _count_many(location: str, key: str, times: int) -> list[int]:
    cache = ThrottledCullFileBasedCache(location, {})
    return [cache.count_attempt(key, 60) for _ in range(times)]


def test_attempts_are_counted_exactly_across_processes(tmp_path: Path):
    with multiprocessing.get_context("fork").Pool(4) as pool:
        counts = pool.starmap(_count_many, [(str(tmp_path), "window:1", 250)] * 4)
    seen = [n for process in counts for n in process]
    assert max(seen) == 1000  # none lost (incr's read-then-write lost some)
    assert all(later > earlier for process in counts for earlier, later in pairwise(process))
    assert _count_many(str(tmp_path), "window:1", 1) == [1001]
    assert _count_many(str(tmp_path), "window:2", 1) == [1]  # another window, another count


def test_counters_go_their_timeout_after_their_last_attempt(tmp_path: Path):
    cache = _cache(tmp_path, interval=60)
    assert [cache.count_attempt("old", 30) for _ in range(3)] == [1, 2, 3]
    (old,) = tmp_path.glob("*.count")
    os.utime(old, (time.time() - 31, time.time() - 31))
    cache.count_attempt("recent", 30)
    assert cache.count_attempt("old", 30) == 4  # not swept yet: once an interval
    os.utime(old, (time.time() - 31, time.time() - 31))
    cache._next_sweep = 0.0
    cache.count_attempt("newer", 30)  # a counter started: the sweep runs
    assert sorted(p.name.split(".")[0] for p in tmp_path.glob("*.count")) == sorted(
        Path(cache._key_to_file(k)).name.split(".")[0] for k in ("recent", "newer")
    )
    cache.clear()
    assert not list(tmp_path.glob("*.count"))
