"""The embedded default's shared cache: Django's file-based cache, with its size check
throttled.

Django's FileBasedCache lists its whole folder on every write to see whether it holds more
than MAX_ENTRIES files (`_cull`). With the page and card caches in it that folder holds
thousands of files, and every like, rate-limit count or cached page paid for a directory
listing. Here a process checks at most once every CULL_INTERVAL seconds (OPTIONS), so the
folder may pass MAX_ENTRIES by what is written in that interval before it is culled."""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache


class ThrottledCullFileBasedCache(FileBasedCache):
    def __init__(self, dir: str, params: dict) -> None:
        self._cull_interval = float(params.get("OPTIONS", {}).get("CULL_INTERVAL", 2.0))
        super().__init__(dir, params)
        self._next_cull = 0.0

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + self._cull_interval
        super()._cull()
