"""The Redis cache (django-redis's), with one more call: values set and keys deleted
together, in one round trip (`set_and_delete`). What a change invalidates is usually both: a
like bumps four page-cache tags and drops the artwork's cached entry, which were two round
trips (one a MULTI) for one announcement. The deletes go first: a page rendered in between
reads the fresh entry and is still keyed by the old tags. `common.cache_writes` uses it, and
any other cache's set_many and delete_many where it has none.

Reads (`get`, `get_many`), which every page-cache hit and signed-in request make, and these
two go to a connection directly: redis-py's client wraps each command in a retry loop, its
response callbacks and (from 8.0) its metrics hooks, which cost more CPU than the round trip
itself (an MGET of a 50 KB page: 90 → 40 µs). What the wrapper gave is kept: a connection
that fails is dropped (the next call connects afresh) and the error is swallowed as the
cache's other calls swallow it (a miss), where redis-py would have retried once on a fresh
connection.

And `count_attempt`, the rate limiter's counter: INCR, with the window's expiry set by the
attempt that started it, in one script run by its digest (loaded where Redis lacks it;
django-redis's incr sends a script's whole text and errors on a missing key, which then
needed an add)."""

from __future__ import annotations

import hashlib
import os
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django_redis.cache import CONNECTION_INTERRUPTED, omit_exception
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.client.default import _main_exceptions
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import NoScriptError, ResponseError

from . import host_changes

_COUNT_ATTEMPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_COUNT_ATTEMPT_SHA = hashlib.sha1(_COUNT_ATTEMPT.encode()).hexdigest()  # noqa: S324 - Redis's name


def _read(redis: Any, *command: object) -> Any:  # noqa: ANN401 - a Redis reply
    """One command on this thread's connection of `redis`, without the client's wrapping."""
    return send_together(redis, [command])[0]


def send_together(redis: Any, commands: list[tuple]) -> list:  # noqa: ANN401 - redis-py's client
    """Commands sent together on this thread's connection of `redis` (one round trip), and
    their replies, without the client's per-command wrapping (see the module's docstring); a
    reply that is an error is raised once every reply has been read. For the cache here and
    for the feed index's hottest call (a like's sync claim)."""
    connection = _held_connection(redis.connection_pool)
    try:
        connection.send_packed_command(connection.pack_commands(commands))
        replies, error = [], None
        for _ in commands:
            try:
                replies.append(connection.read_response())
            except ResponseError as exc:  # the command's answer: the connection is fine
                replies.append(None)
                error = error or exc
    except BaseException:
        connection.disconnect()  # whatever it was in the middle of, it starts afresh
        raise
    if error is not None:
        raise error
    return replies


# Each thread keeps one connection of each pool it sends on, taken from the pool once (per
# process: a forked child takes its own) and never given back: checking a connection out of
# redis-py's pool and back in (its lock, its poll for unread data, its metrics and events)
# cost more CPU than the round trip. Only this thread uses it and every reply is read before
# it is used again, or it is disconnected (the next command connects afresh); the pool's own
# disconnect (a reset after an outage) reaches it too, as it reaches every connection in use.
_HELD = threading.local()


def _held_connection(pool: Any) -> Any:  # noqa: ANN401 - redis-py's pool and connection
    held = getattr(_HELD, "connections", None)
    if held is None:
        held = _HELD.connections = weakref.WeakKeyDictionary()
    entry = held.get(pool)
    pid = os.getpid()
    if entry is not None and entry[0] == pid:
        return entry[1]
    connection = pool.get_connection()
    held[pool] = (pid, connection)
    return connection


class RedisCache(DjangoRedisCache):
    def clear(self) -> None:
        super().clear()
        host_changes.advance()  # what the processes reuse went with it

    def get(
        self,
        key: str,
        default: object = None,
        version: int | None = None,
        client: Any = None,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        if client is not None:  # a caller's own client (a pipeline): django-redis's way
            return super().get(key, default, version, client)
        value = self._lean_get(key, version)
        return default if value is None or value is CONNECTION_INTERRUPTED else value

    @omit_exception(return_value=CONNECTION_INTERRUPTED)
    def _lean_get(self, key: str, version: int | None) -> Any:  # noqa: ANN401
        client = self.client
        redis = client.get_client(write=False)
        try:
            value = _read(redis, "GET", client.make_key(key, version=version))
        except _main_exceptions as exc:
            raise ConnectionInterrupted(connection=redis) from exc
        return None if value is None else client.decode(value)

    @omit_exception(return_value={})
    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        client = self.client
        names = {client.make_key(key, version=version): key for key in keys}
        if not names:
            return {}
        redis = client.get_client(write=False)
        try:
            values = _read(redis, "MGET", *names)
        except _main_exceptions as exc:
            raise ConnectionInterrupted(connection=redis) from exc
        return {
            names[name]: client.decode(value)
            for name, value in zip(names, values, strict=True)
            if value is not None
        }

    @omit_exception
    def set_and_delete(
        self,
        values: Mapping[str, object],
        drop: Iterable[str] = (),
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        """`delete_many(drop)`, then `set_many(values, timeout)`, sent together (no MULTI:
        each command stands alone, as the two calls did). A Redis error is swallowed as the
        cache's other calls swallow it (IGNORE_EXCEPTIONS)."""
        client = self.client
        redis = client.get_client(write=True)
        commands: list[tuple] = []
        keys = [client.make_key(key) for key in drop]
        if keys:
            commands.append(("DEL", *keys))
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        for key, value in values.items():
            name, data = client.make_key(key), client.encode(value)
            if timeout is None:
                commands.append(("SET", name, data))
            elif timeout > 0:
                commands.append(("SET", name, data, "PX", int(timeout * 1000)))
            else:  # already expired, as Django's caches take it: gone
                commands.append(("DEL", name))
        if not commands:
            return
        try:
            send_together(redis, commands)
        except _main_exceptions as exc:
            raise ConnectionInterrupted(connection=redis) from exc

    @omit_exception
    def count_attempt(self, key: str, timeout: int) -> int:
        """Count one attempt on `key` (whose name carries its window): the number of attempts
        so far, this one included; the key expires `timeout` seconds after the first. None
        when Redis cannot count (the error is swallowed as the cache's others are)."""
        client = self.client
        redis = client.get_client(write=True)
        command = ("EVALSHA", _COUNT_ATTEMPT_SHA, 1, client.make_key(key), max(1, int(timeout)))
        try:
            try:
                return int(_read(redis, *command))
            except NoScriptError:  # a new or flushed Redis: the script is given once
                _read(redis, "SCRIPT", "LOAD", _COUNT_ATTEMPT)
                return int(_read(redis, *command))
        except _main_exceptions as exc:
            raise ConnectionInterrupted(connection=redis) from exc
