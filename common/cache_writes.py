"""Writes to the cache that go together: values set and keys deleted in one call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT

logger = logging.getLogger(__name__)


def set_and_delete(
    values: Mapping[str, object],
    drop: Iterable[str] = (),
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> None:
    """`cache.delete_many(drop)`, then `cache.set_many(values, timeout)`: one round trip on
    the Redis cache (common.rediscache), the two calls on any other. The deletes go first (a
    reader in between finds the dropped entries gone and the old versions still set)."""
    together = getattr(cache, "set_and_delete", None)
    if together is not None:
        together(values, drop, timeout)
        return
    drop = list(drop)
    if drop:
        cache.delete_many(drop)
    if values:
        cache.set_many(values, timeout=timeout)


def add_then(
    key: str, value: object, *, timeout: float | None, then: Callable[[bool | None], None]
) -> None:
    """`cache.add(key, value, timeout)`, whose answer is handed to `then`: True when this
    call added the key, False when it was there already, None when the cache could not say.
    On the Redis cache the answer comes once its reply is read, without waiting for it
    (common.rediscache.send_later: at the latest when the request's response has gone); on
    any other, at once."""
    later = getattr(cache, "add_then", None)
    if later is not None:
        later(key, value, timeout, then)
        return
    try:
        added = cache.add(key, value, timeout=timeout)
    except Exception:  # a cache outage: the caller decides what "cannot say" means
        logger.warning("cache add of %s failed", key, exc_info=True)
        added = None
    then(added)
