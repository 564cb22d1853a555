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

import contextlib
import hashlib
import logging
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django_redis.cache import CONNECTION_INTERRUPTED, omit_exception
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.client.default import _main_exceptions
from django_redis.exceptions import ConnectionInterrupted
from redis.connection import HiredisRespSerializer
from redis.exceptions import NoScriptError, ResponseError

try:
    from hiredis import pack_command as _hiredis_pack
except ImportError:  # pragma: no cover - hiredis is in requirements.txt
    _hiredis_pack = None

from . import host_changes

logger = logging.getLogger(__name__)

_COUNT_ATTEMPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_COUNT_ATTEMPT_SHA = hashlib.sha1(_COUNT_ATTEMPT.encode()).hexdigest()  # noqa: S324 - Redis's name


def _read(redis: Any, *command: object) -> Any:  # noqa: ANN401 - a Redis reply
    """One command on this thread's connection of `redis`, without the client's wrapping."""
    return send_together(redis, [command])[0]


# What a reply read later is handed: the replies (a reply that is an error is None in them, and
# the first such error is given), or None and the error that lost them all.
Then = Callable[[list | None, BaseException | None], None]


def _pack(connection: Any, commands: list[tuple]) -> list[bytes]:  # noqa: ANN401
    """`commands` in Redis's protocol: by hiredis in one call each where the connection packs
    with hiredis (redis-py's packer walks every argument in Python first, to split a command
    name such as "CLIENT LIST" and copy buffers; ours are single words, str, bytes or
    numbers), else by the connection's own packer."""
    if _hiredis_pack is None or not isinstance(connection._command_packer, HiredisRespSerializer):
        return connection.pack_commands(commands)
    return [b"".join([_hiredis_pack(command) for command in commands])] if commands else []


def send_together(redis: Any, commands: list[tuple]) -> list:  # noqa: ANN401 - redis-py's client
    """Commands sent together on this thread's connection of `redis` (one round trip), and
    their replies, without the client's per-command wrapping (see the module's docstring); a
    reply that is an error is raised once every reply has been read. For the cache here and
    for the feed index's calls. Replies to commands sent earlier on the connection
    (`send_later`) are read on the way: the same round trip."""
    replies, error = _exchange(redis, commands)
    if error is not None:
        raise error
    return replies


def _exchange(redis: Any, commands: list[tuple]) -> tuple[list, ResponseError | None]:  # noqa: ANN401
    """`send_together`'s round trip: the replies (None for one that is an error) and the
    first error among them."""
    held = _held_connection(redis.connection_pool)
    connection = held.connection
    waiting, held.pending = held.pending, []
    unsent, held.outgoing = held.outgoing, []
    answered: list = []
    try:
        connection.send_packed_command([*unsent, *_pack(connection, commands)])
        for count, then in waiting:
            answered.append((then, *_collect(connection, count)))
        replies, error = _collect(connection, len(commands))
    except BaseException as exc:
        connection.disconnect()  # whatever it was in the middle of, it starts afresh
        _answer([*answered, *((then, None, exc) for _, then in waiting[len(answered) :])])
        raise
    _answer(answered)
    return replies, error


def send_later(redis: Any, commands: list[tuple], then: Then | None = None) -> None:  # noqa: ANN401
    """Send `commands` together at once; read their replies later while a request is served,
    else at once, and hand them to `then` (which runs outside any read, never raises into
    the caller, and is logged when it fails). Never raises: a failure reaches `then`.

    For writes whose answer the request does not wait for: what a change invalidates and
    claims after commit. Under load each wait for a reply is a sleep and a wake-up of the
    worker, costlier than the commands; the replies are read before this thread's next
    command on that connection (`send_together`), or when the response has gone
    (`replies_read`, on request_finished), when they have long arrived."""
    try:
        held = _held_connection(redis.connection_pool)
    except Exception as exc:  # no connection (the breaker's pause): nothing was sent
        _answer([(then, None, exc)])
        return
    held.outgoing.extend(_pack(held.connection, commands))
    held.pending.append((len(commands), then))
    if getattr(_HELD, "corked", 0):
        return  # written with the others when the cork comes out
    if _write_out(held) and not getattr(_HELD, "later", False):
        _read_pending(held)


@contextlib.contextmanager
def corked() -> Iterator[None]:
    """`send_later`'s commands inside are written once it ends, together on each connection
    (one write, and one wake-up of Redis, for all of a change's invalidations and claims)."""
    _HELD.corked = getattr(_HELD, "corked", 0) + 1
    try:
        yield
    finally:
        _HELD.corked -= 1
        if not _HELD.corked:
            for held in _entries():
                if held.outgoing and _write_out(held) and not getattr(_HELD, "later", False):
                    _read_pending(held)


def _write_out(held: _Held) -> bool:
    """Write what `send_later` left unsent on the connection; False when the connection failed
    (then what was outstanding on it is lost, and its callbacks are told)."""
    unsent, held.outgoing = held.outgoing, []
    if not unsent:
        return True
    try:
        held.connection.send_packed_command(unsent)
    except Exception as exc:
        held.connection.disconnect()
        lost, held.pending = held.pending, []
        _answer([(then, None, exc) for _, then in lost])
        return False
    return True


def _entries() -> list[_Held]:
    pid = os.getpid()
    return [h for h in getattr(_HELD, "connections", {}).values() if h.pid == pid]


def replies_later(on: bool) -> None:
    """Whether this thread's `send_later` replies wait (a request is being served). Either
    way the replies still outstanding are read first."""
    replies_read()
    _HELD.later = on


def replies_read() -> None:
    """Read every reply this thread's `send_later` left outstanding, and act on them."""
    for held in _entries():
        if held.pending and _write_out(held):
            _read_pending(held)


def _read_pending(held: _Held) -> None:
    waiting, held.pending = held.pending, []
    answered: list = []
    try:
        for count, then in waiting:
            answered.append((then, *_collect(held.connection, count)))
    except Exception as exc:
        held.connection.disconnect()
        answered += [(then, None, exc) for _, then in waiting[len(answered) :]]
    _answer(answered)


def _collect(connection: Any, count: int) -> tuple[list, ResponseError | None]:  # noqa: ANN401
    replies: list = []
    error = None
    for _ in range(count):
        try:
            replies.append(connection.read_response())
        except ResponseError as exc:  # the command's answer: the connection is fine
            replies.append(None)
            error = error or exc
    return replies, error


def _answer(answered: list) -> None:
    for then, replies, error in answered:
        if then is None:
            if isinstance(error, ResponseError):  # a connection error: the breaker tells it
                logger.warning("Redis refused a write sent without waiting: %r", error)
            continue
        try:
            then(replies, error)
        except Exception:
            logger.exception("acting on a Redis reply failed")


# Each thread keeps one connection of each pool it sends on, taken from the pool once (per
# process: a forked child takes its own) and given back only when the thread ends: checking a
# connection out of redis-py's pool and back in (its lock, its poll for unread data, its
# metrics and events) cost more CPU than the round trip. (A thread's end drops its
# `threading.local` values; `_give_back` then returns the connection, which the pool would
# otherwise count as in use for ever: a thread per request, as runserver serves them, would
# have used up the pool's connections one request at a time.) Only this thread uses it and
# every reply is read before it is used again (those of `send_later` on the next use at the
# latest), or it is disconnected (the next command connects afresh); the pool's own
# disconnect (a reset after an outage) reaches it too, as it reaches every connection in use.
_HELD = threading.local()


class _Held:
    __slots__ = ("__weakref__", "connection", "outgoing", "pending", "pid")

    def __init__(self, pid: int, connection: Any) -> None:  # noqa: ANN401
        self.pid = pid
        self.connection = connection
        self.pending: list[tuple[int, Then | None]] = []  # replies outstanding, in order
        self.outgoing: list[bytes] = []  # commands packed, not written yet (`corked`)


def _held_connection(pool: Any) -> _Held:  # noqa: ANN401 - redis-py's pool
    held = getattr(_HELD, "connections", None)
    if held is None:
        held = _HELD.connections = weakref.WeakKeyDictionary()
    entry = held.get(pool)
    pid = os.getpid()
    if entry is not None and entry.pid == pid:
        return entry
    entry = held[pool] = _Held(pid, pool.get_connection())
    # The pool by a weak reference: the finalizer must not keep alive a pool that nothing
    # else uses (its entry in this thread's weak-keyed dict would then stay for ever).
    weakref.finalize(entry, _give_back, weakref.ref(pool), entry.connection, pid).atexit = False
    return entry


def _give_back(pool_ref: weakref.ref, connection: Any, pid: int) -> None:  # noqa: ANN401
    """Return a connection held by a thread that has ended to its pool, if the pool is still
    there (it checks the connection for replies never read before handing it out again). Not
    in a forked child: the connection is the parent's."""
    pool = pool_ref()
    if pool is not None and os.getpid() == pid:
        with contextlib.suppress(Exception):  # a pool reset meanwhile: nothing to give back
            pool.release(connection)


def cache_redis_at(url: str) -> Any | None:  # noqa: ANN401 - redis-py's client
    """The default cache's Redis client when the cache is this one and lives at `url`: the
    feed index's claims then go on the cache's connection, with a change's other writes."""
    from django.core.cache import caches

    default = caches["default"]
    if isinstance(default, RedisCache) and default._server in (url, [url]):
        return default.client.get_client(write=True)
    return None


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
        pairs = [(client.make_key(key), client.encode(value)) for key, value in values.items()]
        if timeout is None and pairs:  # never expiring: one command for them all
            commands.append(("MSET", *(part for pair in pairs for part in pair)))
        elif timeout is not None and timeout > 0:
            commands += [("SET", name, data, "PX", int(timeout * 1000)) for name, data in pairs]
        elif pairs:  # already expired, as Django's caches take it: gone
            commands.append(("DEL", *(name for name, _data in pairs)))
        if commands:
            send_later(redis, commands)  # nothing waits for the answer (see send_later)

    def add_then(
        self, key: str, value: object, timeout: float | None, then: Callable[[bool | None], None]
    ) -> None:
        """`add`, whose answer reaches `then` (see send_later): True when this call added the
        key, False when it was there, None when Redis could not say."""
        client = self.client
        redis = client.get_client(write=True)
        name, data = client.make_key(key), client.encode(value)
        command: tuple = ("SET", name, data, "NX")
        if timeout is not None:
            command += ("PX", max(1, int(timeout * 1000)))

        def added(replies: list | None, error: BaseException | None) -> None:
            then(None if error is not None else replies[0] is not None)

        send_later(redis, [command], added)

    def get_and_count(self, key: str, count_key: str, timeout: int) -> tuple[Any, int | None]:
        """`get(key)` and `count_attempt(count_key, timeout)` in one round trip: (the value
        or None, the count or None when Redis could not count)."""
        client = self.client
        redis = client.get_client(write=True)
        counting = ("EVALSHA", _COUNT_ATTEMPT_SHA, 1, client.make_key(count_key), max(1, timeout))
        try:
            replies, error = _exchange(redis, [("GET", client.make_key(key)), counting])
        except _main_exceptions:  # swallowed as the cache's other calls swallow it
            return None, None
        value = None if replies[0] is None else client.decode(replies[0])
        if replies[1] is not None:
            return value, int(replies[1])
        if isinstance(error, NoScriptError):  # a new or flushed Redis: counted on its own
            return value, self.count_attempt(count_key, timeout)
        return value, None

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
