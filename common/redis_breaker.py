"""A Redis connection for the cache that stops knocking on a dead server.

The cache swallows Redis errors (a down Redis degrades caching, never the site), but every
cache call would still wait for its own connect to fail: on a host that does not answer that
is a connect timeout, with retries, per call, and a page makes several calls. After one
failed connect this connection fails at once for CACHE_REDIS_RETRY_SECONDS, so a dead Redis
costs microseconds per call; the first call after the pause tries again for real.
(The feed index has the same pause of its own in feed.redis_index.)"""

from __future__ import annotations

import logging
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# (host, port) → monotonic time until which connecting is not even attempted; per process.
_down_until: dict[tuple[str, int], float] = {}


def _pause_seconds() -> float:
    return float(getattr(settings, "CACHE_REDIS_RETRY_SECONDS", 2.0))


def is_paused(host: str, port: int) -> bool:
    return time.monotonic() < _down_until.get((host, port), 0.0)


def forget() -> None:
    """Forget every remembered failure (the next call connects for real)."""
    with _lock:
        _down_until.clear()


class BreakerConnection(redis.Connection):
    def connect(self) -> None:
        if self._sock:
            return
        where = (self.host, self.port)
        if is_paused(*where):
            raise redis.ConnectionError(
                f"Redis at {self.host}:{self.port} did not answer moments ago; not retrying yet"
            )
        try:
            super().connect()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            with _lock:
                first = not is_paused(*where)
                _down_until[where] = time.monotonic() + _pause_seconds()
            if first:
                logger.warning(
                    "cache Redis at %s:%s unreachable (%s); skipping it for %ss",
                    self.host,
                    self.port,
                    exc,
                    _pause_seconds(),
                )
            raise


def redis_cache_settings(
    url: str, *, key_prefix: str, connect_timeout: float, socket_timeout: float
) -> dict:
    """The CACHES entry for a Redis cache that degrades instead of failing (settings.py)."""
    options: dict = {
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
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": options,
    }
