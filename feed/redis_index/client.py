"""The index's connection, key names and failure handling (the base of `FeedIndex`)."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

import redis
from django.conf import settings
from redis.commands.core import Script

from common.redis_breaker import Breaker

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
Index = TypeVar("Index", bound="IndexClient")

# Lua: update a collection only when it exists, so that a partial one is never created.
_ZADD_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
return -1
"""
_SADD_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('SADD', KEYS[1], ARGV[1]) end
return -1
"""
# Lua: the `count` ids after `after` (or from the start) in a list, with the list's length;
# nil when the list is absent or `after` is not in it.
_LIST_PAGE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local start = 0
if ARGV[1] ~= '' then
  local pos = redis.call('LPOS', KEYS[1], ARGV[1])
  if not pos then return false end
  start = pos + 1
end
local count = tonumber(ARGV[2])
return {redis.call('LLEN', KEYS[1]), redis.call('LRANGE', KEYS[1], start, start + count - 1)}
"""
# Lua: take the lease (absent) or renew it (held by ARGV[1]) for ARGV[2] ms; 0 when another
# owner holds it.
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
"""
_LEASE_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Scripts:
    """The index's Lua scripts, registered on its client."""

    zadd_if_exists: Script
    sadd_if_exists: Script
    list_page: Script
    lease: Script
    lease_release: Script


def guarded(
    default: R,
) -> Callable[[Callable[Concatenate[Index, P], R]], Callable[Concatenate[Index, P], R]]:
    """An index call that never raises: without a usable client (no REDIS_URL, or inside
    the pause after a failure) it returns `default` at once; on a Redis failure it logs,
    trips the breaker when Redis could not be reached, and returns `default`."""

    def decorate(method: Callable[Concatenate[Index, P], R]) -> Callable[Concatenate[Index, P], R]:
        @functools.wraps(method)
        def call(self: Index, /, *args: P.args, **kwargs: P.kwargs) -> R:
            if not self.available():
                return default
            try:
                result = method(self, *args, **kwargs)
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                self.breaker.trip(self.where, exc)
                return default
            except (redis.RedisError, ValueError) as exc:
                logger.warning("Redis index call %s failed: %r", method.__name__, exc)
                return default
            self._answered()
            return result

        return call

    return decorate


def ids_of(values: Iterable[str]) -> list[int]:
    # A member that is not an id can only come from outside the index: skip it.
    return [int(v) for v in values if str(v).isdigit()]


class IndexClient:
    """One client (and connection pool) per process for settings.REDIS_INDEX_URL, the
    index's key names, and a breaker that skips Redis for REDIS_INDEX_RETRY_SECONDS after it
    could not be reached."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._client: redis.Redis | None = None
        self._socket_timeout: float | None = None
        self._scripts: Scripts | None = None
        self.where = ""  # "host:port" (or the socket path): how the breaker names it
        self.breaker = Breaker(
            "Redis index", pause_setting="REDIS_INDEX_RETRY_SECONDS", default_pause=5.0
        )
        self._recovery_hook: Callable[[], None] | None = None

    # --- key names (blueprint §4), behind settings.REDIS_INDEX_KEY_PREFIX ---------------

    @property
    def prefix(self) -> str:
        return settings.REDIS_INDEX_KEY_PREFIX

    def hot_rank_key(self) -> str:
        return f"{self.prefix}hot_rank"

    def feed_queue_key(self) -> str:
        return f"{self.prefix}feed_queue"

    def user_artworks_key(self, user_id: int) -> str:
        return f"{self.prefix}user:{int(user_id)}:artworks"

    def user_favorites_key(self, user_id: int) -> str:
        return f"{self.prefix}user:{int(user_id)}:favorites"

    def artwork_likes_key(self, artwork_id: int) -> str:
        return f"{self.prefix}artwork:{int(artwork_id)}:likes"

    def claim_key(self, name: str) -> str:
        return f"{self.prefix}claim:{name}"

    def lease_key(self, name: str) -> str:
        return f"{self.prefix}lease:{name}"

    def id_in_key(self, key: str, head: str, tail: str) -> int | None:
        """The id in e.g. `user:12:artworks` (head `user:`, tail `:artworks`), or None."""
        key = key.removeprefix(self.prefix)
        if not (key.startswith(head) and key.endswith(tail)):
            return None
        middle = key[len(head) : len(key) - len(tail)]
        return int(middle) if middle.isdigit() else None

    # --- the connection -------------------------------------------------------------------

    def enabled(self) -> bool:
        """Whether the index is configured at all (REDIS_URL is set)."""
        return bool(settings.REDIS_INDEX_URL)

    def available(self) -> bool:
        """Configured and not inside the pause after a failure (no network call)."""
        url = settings.REDIS_INDEX_URL
        if not url:
            return False
        if url != self._url:
            with self._lock:
                if url != self._url:
                    self._connect(url)
        return not self.breaker.paused(self.where)

    @property
    def client(self) -> redis.Redis:
        """The connected client (a guarded call has made sure there is one)."""
        client = self._client
        if client is None:
            raise redis.RedisError("the Redis index was reset during a call")
        return client

    @property
    def scripts(self) -> Scripts:
        scripts = self._scripts
        if scripts is None:
            raise redis.RedisError("the Redis index was reset during a call")
        return scripts

    def _connect(self, url: str) -> None:
        timeout = self._socket_timeout or settings.REDIS_INDEX_SOCKET_TIMEOUT
        pool = redis.ConnectionPool.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            decode_responses=True,
        )
        client = redis.Redis(connection_pool=pool)
        scripts = Scripts(
            zadd_if_exists=client.register_script(_ZADD_IF_EXISTS),
            sadd_if_exists=client.register_script(_SADD_IF_EXISTS),
            list_page=client.register_script(_LIST_PAGE),
            lease=client.register_script(_LEASE),
            lease_release=client.register_script(_LEASE_RELEASE),
        )
        where = pool.connection_kwargs
        if self._client is not None:
            self._client.connection_pool.disconnect()
        self.where = where.get("path") or f"{where.get('host')}:{where.get('port')}"
        self._client, self._scripts, self._url = client, scripts, url

    def reset(self, *, socket_timeout: float | None = None) -> None:
        """Forget the client and any remembered outage (the next call reconnects), with
        `socket_timeout` instead of REDIS_INDEX_SOCKET_TIMEOUT if given: a rebuild writes a
        whole catalogue in one transaction, which a page's quarter-second would cut off."""
        with self._lock:
            if self._client is not None:
                self._client.connection_pool.disconnect()
            self._url, self._client, self._scripts, self.where = None, None, None, ""
            self._socket_timeout = socket_timeout
            self.breaker.forget()

    def set_recovery_hook(self, hook: Callable[[], None] | None) -> None:
        """Called (once per outage) when Redis answers again after being unreachable."""
        self._recovery_hook = hook

    def _answered(self) -> None:
        """A call succeeded: if Redis was unreachable before, it missed changes meanwhile."""
        if self.breaker.answered(self.where) and self._recovery_hook is not None:
            try:
                self._recovery_hook()
            except Exception:
                logger.exception("Redis index recovery hook failed")
