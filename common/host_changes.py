"""A mark, shared by every process of this host, that moves whenever any of them changes what
the page cache depends on (a version bumped, the cache emptied).

It lets a web process reuse what it looked up a moment ago (common/pagecache.py: an
anonymous visitor's copy, for PAGE_CACHE_LOCAL_SECONDS) without asking the cache again:
nothing that process could have missed changed on this host while the mark stayed the same.
A change made on another host is seen when the reuse runs out.

The mark is eight bytes of a small file mapped into every process's memory
(PAGE_CACHE_LOCAL_FILE; by default in the temporary folder, named after the cache it goes
with, so two sites sharing one cache share it): reading it costs no system call. A change
writes a value never seen before; a reader compares it with the value it read before its own
lookup. Where the file cannot be made (a read-only folder), there is no mark and nothing is
reused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import mmap
import os
import tempfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

_SIZE = 8
# path → the mapping (None: it could not be made). Per process: a forked child inherits the
# mapping, which stays shared with every other process mapping the file.
_MAPS: dict[str, mmap.mmap | None] = {}


def _path() -> str:
    default = settings.CACHES["default"]
    return _path_for(
        str(getattr(settings, "PAGE_CACHE_LOCAL_FILE", "")),
        f"{default.get('BACKEND')}|{default.get('LOCATION')}|{default.get('KEY_PREFIX', '')}",
    )


@functools.lru_cache(maxsize=8)
def _path_for(configured: str, cache_named: str) -> str:
    # Remembered: every anonymous hit reads the mark (once or twice).
    if configured:
        return configured
    digest = hashlib.sha256(cache_named.encode()).hexdigest()[:16]
    return str(Path(tempfile.gettempdir()) / f"aicommunity-changes-{digest}")


def _map() -> mmap.mmap | None:
    path = _path()
    try:
        return _MAPS[path]
    except KeyError:
        pass
    mapped = None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _SIZE:
                os.ftruncate(fd, _SIZE)  # zeros: a mark like any other
            mapped = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)
    except (OSError, ValueError) as exc:
        logger.warning("no shared change mark at %s (%s): nothing is reused", path, exc)
    _MAPS[path] = mapped
    return mapped


def current() -> bytes | None:
    """The mark as it is now; None where there is none (then nothing may be reused)."""
    mapped = _map()
    return None if mapped is None else mapped[:_SIZE]


def advance() -> None:
    """Something changed: a mark no process has seen before."""
    mapped = _map()
    if mapped is not None:
        with contextlib.suppress(ValueError):  # closed meanwhile (tests forgetting it)
            mapped[:_SIZE] = os.urandom(_SIZE)


def forget_in_this_process() -> None:
    """Unmap (the next use maps the file again, e.g. after PAGE_CACHE_LOCAL_FILE changed)."""
    for mapped in _MAPS.values():
        if mapped is not None:
            mapped.close()
    _MAPS.clear()
