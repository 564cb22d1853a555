"""The one "Redis is down, skip it for a moment" mechanism, for every Redis user in the site.

A Redis that does not answer must not cost every call its own connect timeout (with
retries): on a host that does not answer a page would wait seconds. A `Breaker` remembers,
per address and per process, that a call could not reach Redis, and callers skip that
address for a pause (a setting) instead of trying again; the first call after the pause
tries for real. It also remembers the outage itself until Redis answers again, so that a
caller can repair what it could not write meanwhile.

Two breakers use it, each with its own pause:
- the cache (rate limits, cached pages): `cache_breaker`, through `BreakerConnection`, the
  connection class of the Redis cache (`redis_cache_settings`); CACHE_REDIS_RETRY_SECONDS.
- the feed index (feed.redis_index): its own `Breaker`, REDIS_INDEX_RETRY_SECONDS; its first
  answer after an outage starts a reconcile.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# Every breaker of the process, so that `forget` reaches them all.
_breakers: weakref.WeakSet[Breaker] = weakref.WeakSet()


class Breaker:
    """Remembers which Redis addresses ("host:port") failed moments ago, in this process."""

    def __init__(self, name: str, *, pause_setting: str, default_pause: float) -> None:
        self.name = name
        self.pause_setting = pause_setting
        self.default_pause = default_pause
        # address → monotonic time until which calls do not even try.
        self.down_until: dict[str, float] = {}
        # Addresses that failed and have not answered since.
        self._outages: set[str] = set()
        self._lock = threading.Lock()
        _breakers.add(self)

    def pause_seconds(self) -> float:
        return float(getattr(settings, self.pause_setting, self.default_pause))

    def paused(self, where: str) -> bool:
        """Whether `where` failed less than a pause ago (no network call)."""
        return time.monotonic() < self.down_until.get(where, 0.0)

    def trip(self, where: str, exc: BaseException) -> None:
        """A call could not reach `where`: skip it for a pause (logged once per outage)."""
        pause = self.pause_seconds()
        with self._lock:
            first = not self.paused(where)
            self.down_until[where] = time.monotonic() + pause
            self._outages.add(where)
        if first:
            logger.warning(
                "%s at %s unreachable (%s); skipping it for %ss", self.name, where, exc, pause
            )

    def answered(self, where: str) -> bool:
        """A call to `where` succeeded. True once, for the first answer after an outage."""
        if where not in self._outages:  # the common case: no lock taken
            return False
        with self._lock:
            if where not in self._outages:
                return False
            self._outages.discard(where)
        logger.info("%s at %s reachable again", self.name, where)
        return True

    def forget(self) -> None:
        """Forget every remembered failure and outage (the next call connects for real)."""
        with self._lock:
            self.down_until.clear()
            self._outages.clear()


def forget() -> None:
    """Forget every remembered failure, in every breaker (the next calls connect for real)."""
    for breaker in list(_breakers):
        breaker.forget()


cache_breaker = Breaker("cache Redis", pause_setting="CACHE_REDIS_RETRY_SECONDS", default_pause=2.0)


class RedisPaused(redis.ConnectionError):
    """A call not even tried: its Redis failed moments ago (the breaker logged the outage)."""


class SkipPausedRedis(logging.Filter):
    """Leaves out the log records of errors the cache swallowed because Redis was paused
    (django_redis logs each one with its traceback, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS): the
    outage is logged once when it begins, and the failed connect behind it with its traceback,
    not once per cache call, dozens a page, each an ERROR (and a Sentry event)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, RedisPaused):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


class BreakerConnection(redis.Connection):
    """A cache connection that fails at once while its Redis is paused after a failed
    connect. The cache swallows Redis errors (a down Redis degrades caching, never the site),
    so a failure costs microseconds per call instead of a connect timeout."""

    breaker = cache_breaker

    def connect(self) -> None:
        if self._sock:
            return
        where = f"{self.host}:{self.port}"
        if self.breaker.paused(where):
            raise RedisPaused(f"Redis at {where} did not answer moments ago; not retrying yet")
        try:
            super().connect()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self.breaker.trip(where, exc)
            raise
        self.breaker.answered(where)


def redis_cache_settings(
    url: str, *, key_prefix: str, connect_timeout: float, socket_timeout: float
) -> dict[str, object]:
    """The CACHES entry for a Redis cache that degrades instead of failing
    (aicommunity/settings/cache.py)."""
    options: dict[str, object] = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        # Short: a Redis that does not answer must cost a page milliseconds.
        "SOCKET_CONNECT_TIMEOUT": connect_timeout,
        "SOCKET_TIMEOUT": socket_timeout,
        # A Redis outage degrades caching, never the site.
        "IGNORE_EXCEPTIONS": True,
    }
    if url.startswith("redis://"):  # TLS and socket URLs keep redis-py's own classes
        options["CONNECTION_POOL_KWARGS"] = {"connection_class": BreakerConnection}
    return {
        "BACKEND": "common.rediscache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": options,
    }
