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
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import time
import zlib
from typing import IO, Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

_WRITES = itertools.count()  # this process's temporary file names
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
