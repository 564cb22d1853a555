"""The embedded default's shared cache: Django's file-based cache, made cheap enough to sit
under every page view, like and rate-limit count.

Django's FileBasedCache, with four costs taken out (measured on ext4, the usual disk):

- **The size check is throttled.** Django lists the whole folder on every write to see whether
  it holds more than MAX_ENTRIES files (`_cull`); with the page and card caches in it that
  folder holds thousands of files. Here a process checks at most once every CULL_INTERVAL
  seconds (OPTIONS), so the folder may pass MAX_ENTRIES by what is written in that interval.
- **Values are not compressed.** Django zlib-compresses every value; inflating a cached page
  on every hit cost a third of serving it. Values are stored as plain pickles (a copy written
  compressed by Django's own backend is still read).
- **Keys are not checked against memcached's rules** (file names are digests of the key).
- **An overwrite removes the old file first.** Writing a new file and renaming it over the old
  one makes ext4 flush the new file before the rename returns (its "replace-via-rename"
  safeguard), which cost 80-100 µs on every write of an existing key (a page-cache version,
  a rate-limit counter). Removing the old file first, then renaming, leaves an instant in which
  a reader finds no value: every user of this cache takes a missing value as "not there" (a
  version is then given a fresh value, which is a miss; a counter starts again, as when two
  processes count at once, which this cache never made exact).

And one thing added: **stamps**, versions kept as a file's modification time (`stamps_*`):
the page cache's versions of its tags (common/pagecache.py), which a like bumps four of and
every page hit reads. A stamp is set by one `utime` and read by one `stat`, where a value
cost a temporary file, a rename and an unlink to write and an open, a read and an unpickle
to read. A fresh stamp is the clock in nanoseconds, which no other bump of the same key can
have had; the folder's file system must keep nanoseconds (checked once: where it does not,
`stamps_supported()` is False and the page cache keeps its versions as values). A key's
stamp is deleted with the key (`delete`, `delete_many`, `clear`).

And **attempt counters** (`count_attempt`, for common/ratelimit.py): an attempt appends one
byte to the key's counter file and the count is the file's size. Appends never overwrite one
another, so the count is exact across processes (incr's read-then-write was not), and it
costs an open, a write and a stat instead of a read and a replaced file. Counter files go
their timeout after their last attempt (swept at most once a CULL_INTERVAL, when a counter
is started).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pickle
import time
import zlib
from typing import IO, Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

from . import host_changes

_WRITES = itertools.count()  # this process's temporary file names
_STAMP_SUFFIX = ".stamp"
_COUNT_SUFFIX = ".count"
_PROBE_NS = 1_700_000_000_123_456_789  # a time whose nanoseconds a coarse file system drops
_ZLIB_HEADER = 0x78  # what a value Django's backend compressed starts with; a pickle starts 0x80


def _decode(data: bytes) -> Any:  # noqa: ANN401 - whatever was cached
    if data and data[0] == _ZLIB_HEADER:
        data = zlib.decompress(data)
    return pickle.loads(data)  # noqa: S301 - our own files, as Django's backend reads them


class ThrottledCullFileBasedCache(FileBasedCache):
    def __init__(self, dir: str, params: dict) -> None:
        self._cull_interval = float(params.get("OPTIONS", {}).get("CULL_INTERVAL", 2.0))
        super().__init__(dir, params)
        self._next_cull = 0.0
        self._stamps_ok: bool | None = None
        self._next_sweep = 0.0

    def validate_key(self, key: str) -> None:
        """Django warns about keys memcached would refuse; file names are digests of the key,
        so none is refused here, and the check cost more than reading a small value."""

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + self._cull_interval
        super()._cull()

    def get(self, key: str, default: object = None, version: int | None = None) -> Any:  # noqa: ANN401
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "rb") as f:
                if not self._is_expired(f):
                    return _decode(f.read())
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file: IO[bytes], timeout: float | None, value: object) -> None:
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def set(
        self,
        key: str,
        value: object,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        fname = self._key_to_file(key, version)
        self._cull()
        try:
            self._store(fname, timeout, value)
        except FileNotFoundError:  # the folder can be deleted at any time: made again
            self._createdir()
            self._store(fname, timeout, value)

    def _store(self, fname: str, timeout: float | None, value: object) -> None:
        # A name of this process's own next to the file (not a random one from tempfile,
        # which cost as much as the write); it does not end in .djcache, so neither the
        # culling nor clear() counts it.
        tmp_path = f"{fname}.{os.getpid()}.{next(_WRITES)}.tmp"
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(fname)  # see the module's docstring: no flush on the rename
            os.rename(tmp_path, fname)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp_path)
            raise

    def touch(
        self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        value = self.get(key, self, version)
        if value is self:
            return False
        self.set(key, value, timeout, version)
        return True

    # --- stamps ---------------------------------------------------------------------------

    def _stamp_file(self, key: str) -> str:
        return self._key_to_file(key)[: -len(self.cache_suffix)] + _STAMP_SUFFIX

    def stamps_supported(self) -> bool:
        """Whether this folder's file system keeps modification times to the nanosecond."""
        if self._stamps_ok is None:
            probe = os.path.join(self._dir, f"probe.{os.getpid()}{_STAMP_SUFFIX}")
            try:
                self._createdir()
                with open(probe, "wb"):
                    pass
                os.utime(probe, ns=(_PROBE_NS, _PROBE_NS))
                self._stamps_ok = os.stat(probe).st_mtime_ns == _PROBE_NS
                os.remove(probe)
            except OSError:
                self._stamps_ok = False
        return self._stamps_ok

    def stamps_read(self, keys: list[str]) -> dict[str, int]:
        """The stamp of each key that has one."""
        found = {}
        for key in keys:
            with contextlib.suppress(FileNotFoundError):
                found[key] = os.stat(self._stamp_file(key)).st_mtime_ns
        return found

    def stamps_new(self, keys: list[str]) -> None:
        """A fresh stamp for each key."""
        for key in keys:
            path = self._stamp_file(key)
            now = time.time_ns()
            try:
                os.utime(path, ns=(now, now))
            except FileNotFoundError:
                self._stamp_created(path, exclusive=False)

    def stamps_add(self, keys: list[str]) -> None:
        """A fresh stamp for each key that has none (one that gets one meanwhile keeps it)."""
        for key in keys:
            self._stamp_created(self._stamp_file(key), exclusive=True)

    def _stamp_created(self, path: str, *, exclusive: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            return
        except FileNotFoundError:  # the folder was deleted: made again
            self._createdir()
            fd = os.open(path, flags, 0o600)
        os.close(fd)
        now = time.time_ns()
        os.utime(path, ns=(now, now))

    def delete(self, key: str, version: int | None = None) -> bool:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._stamp_file(key))
        return super().delete(key, version)

    def clear(self) -> None:
        super().clear()
        for suffix in (_STAMP_SUFFIX, _COUNT_SUFFIX):
            for name in glob.glob(f"*{suffix}", root_dir=self._dir):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(self._dir, name))
        host_changes.advance()  # what the processes reuse went with it

    # --- attempt counters -----------------------------------------------------------------

    def count_attempt(self, key: str, timeout: int) -> int:
        """Count one attempt on `key` (whose name carries its window, as the rate limiter's
        do): the number of attempts so far, this one included."""
        stem = self._key_to_file(key)[: -len(self.cache_suffix)]
        path = f"{stem}.{max(1, int(timeout))}{_COUNT_SUFFIX}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:  # the folder was deleted: made again
            self._createdir()
            fd = os.open(path, flags, 0o600)
        try:
            os.write(fd, b".")
            count = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if count == 1:
            self._sweep_counters()
        return count

    def _sweep_counters(self) -> None:
        """Remove the counter files whose timeout has passed since their last attempt."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._cull_interval
        wall = time.time()
        for name in glob.glob(f"*{_COUNT_SUFFIX}", root_dir=self._dir):
            path = os.path.join(self._dir, name)
            timeout = name[: -len(_COUNT_SUFFIX)].rpartition(".")[2]
            with contextlib.suppress(FileNotFoundError, ValueError):
                if os.stat(path).st_mtime + int(timeout) < wall:
                    os.remove(path)
