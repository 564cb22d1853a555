"""Writes to the cache that go together: values set and keys deleted in one call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT


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
