"""The Redis feed index. The only module that knows Redis key names or talks to Redis for it.

Keys (blueprint §4), behind settings.REDIS_INDEX_KEY_PREFIX (empty by default):

- `hot_rank`                 sorted set: every public artwork id, scored by its hot_score
- `feed_queue`               list: the newest public artwork ids, newest first, capped
- `user:{user_id}:artworks`  list: the user's public artwork ids, newest first, capped
- `user:{user_id}:favorites` set: ids of the public artworks the user favorited
- `artwork:{id}:likes`       string: the artwork's like count

"Public" means what an anonymous visitor may see (artworks.selectors): drafts and hidden
artworks are never in any key. The database is the source of truth; this module stores and
reads ids only, and `feed.services` decides what they should be.

Collections are complete or absent: an absent key is a miss (the reader goes to the
database and refills it), never "empty". So incremental updates only touch collections that
exist, and whole collections are written atomically (built under a temporary key, renamed).

Every function swallows Redis errors: it logs, and reports a miss (None) or failure (False),
so callers fall back to the database. After a connection failure Redis is skipped for
REDIS_INDEX_RETRY_SECONDS instead of timing out on every call. Without REDIS_URL (settings.
REDIS_INDEX_URL, which follows it) every
function is a no-op that reports a miss.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Temporary keys of an interrupted rebuild expire by themselves.
_TEMP_KEY_SECONDS = 3600
_WRITE_CHUNK = 1000


# --- key names ----------------------------------------------------------------------------


def _prefix() -> str:
    return settings.REDIS_INDEX_KEY_PREFIX


def hot_rank_key() -> str:
    return f"{_prefix()}hot_rank"


def feed_queue_key() -> str:
    return f"{_prefix()}feed_queue"


def user_artworks_key(user_id: int) -> str:
    return f"{_prefix()}user:{int(user_id)}:artworks"


def user_favorites_key(user_id: int) -> str:
    return f"{_prefix()}user:{int(user_id)}:favorites"


def artwork_likes_key(artwork_id: int) -> str:
    return f"{_prefix()}artwork:{int(artwork_id)}:likes"


def _id_in_key(key: str, head: str, tail: str) -> int | None:
    """The id in e.g. `user:12:artworks` (head `user:`, tail `:artworks`), or None."""
    key = key.removeprefix(_prefix())
    if not (key.startswith(head) and key.endswith(tail)):
        return None
    middle = key[len(head) : len(key) - len(tail)]
    return int(middle) if middle.isdigit() else None


# --- connection ---------------------------------------------------------------------------

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


class _Connection:
    """One client (and connection pool) per process for the configured URL."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.url: str | None = None
        self.client: redis.Redis | None = None
        self.scripts: dict[str, Any] = {}
        self.down_until = 0.0
        self.was_down = False

    def get(self) -> redis.Redis | None:
        url = settings.REDIS_INDEX_URL
        if not url:
            return None
        if url != self.url:
            with self.lock:
                if url != self.url:
                    self._connect(url)
        if self.down_until and time.monotonic() < self.down_until:
            return None
        return self.client

    def _connect(self, url: str) -> None:
        timeout = settings.REDIS_INDEX_SOCKET_TIMEOUT
        pool = redis.ConnectionPool.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            decode_responses=True,
        )
        client = redis.Redis(connection_pool=pool)
        self.scripts = {
            "zadd_if_exists": client.register_script(_ZADD_IF_EXISTS),
            "sadd_if_exists": client.register_script(_SADD_IF_EXISTS),
            "list_page": client.register_script(_LIST_PAGE),
        }
        if self.client is not None:
            self.client.connection_pool.disconnect()
        self.client, self.url, self.down_until = client, url, 0.0

    def mark_down(self, exc: Exception) -> None:
        if not self.down_until or time.monotonic() >= self.down_until:
            logger.warning(
                "Redis index unreachable (%s); reading the database for %ss",
                exc,
                settings.REDIS_INDEX_RETRY_SECONDS,
            )
        self.down_until = time.monotonic() + settings.REDIS_INDEX_RETRY_SECONDS
        self.was_down = True

    def answered(self) -> None:
        """A call succeeded: if Redis was unreachable before, it missed changes meanwhile."""
        if self.was_down:
            self.was_down = False
            logger.info("Redis index reachable again")
            if _recovery_hook is not None:
                try:
                    _recovery_hook()
                except Exception:
                    logger.exception("Redis index recovery hook failed")

    def reset(self) -> None:
        with self.lock:
            if self.client is not None:
                self.client.connection_pool.disconnect()
            self.url, self.client, self.scripts, self.down_until = None, None, {}, 0.0
            self.was_down = False


_connection = _Connection()
_recovery_hook: Callable[[], None] | None = None


def set_recovery_hook(hook: Callable[[], None] | None) -> None:
    """Called (once per outage) when Redis answers again after being unreachable."""
    global _recovery_hook  # one per process, set when the feed app is ready
    _recovery_hook = hook


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("REDIS"):
        _connection.reset()


def reset() -> None:
    """Forget the client and any remembered outage (the next call reconnects)."""
    _connection.reset()


def enabled() -> bool:
    """Whether the index is configured at all (REDIS_URL is set)."""
    return bool(settings.REDIS_INDEX_URL)


def available() -> bool:
    """Configured and not inside the pause after a failure (no network call)."""
    return _connection.get() is not None


def _guarded(default: T) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run with the client; on any Redis failure log and return `default`."""

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            client = _connection.get()
            if client is None:
                return default
            try:
                result = func(client, *args, **kwargs)
                _connection.answered()
                return result
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                _connection.mark_down(exc)
            except (redis.RedisError, ValueError) as exc:
                logger.warning("Redis index call %s failed: %r", func.__name__, exc)
            return default

        return wrapper

    return decorate


def _script(name: str):
    return _connection.scripts[name]


def _ids(values: Iterable[str]) -> list[int]:
    # A member that is not an id can only come from outside this module: skip it.
    return [int(v) for v in values if str(v).isdigit()]


@_guarded(False)
def ping(client: redis.Redis) -> bool:
    return bool(client.ping())


@_guarded(False)
def exists(client: redis.Redis, key: str) -> bool:
    return bool(client.exists(key))


@_guarded(False)
def claim(client: redis.Redis, name: str, *, seconds: int) -> bool:
    """A short exclusive claim (SET NX EX): True for the first caller until it expires."""
    return bool(client.set(f"{_prefix()}claim:{name}", "1", nx=True, ex=seconds))


@_guarded(None)
def release(client: redis.Redis, name: str) -> None:
    client.delete(f"{_prefix()}claim:{name}")


# --- reads --------------------------------------------------------------------------------


@_guarded(None)
def hot_page(
    client: redis.Redis, *, after: tuple[float, int] | None, count: int
) -> list[tuple[int, float]] | None:
    """The next `count` (id, score) pairs of hot_rank in (score desc, id desc) order after the
    cursor (score, id); None when hot_rank is absent.

    Redis orders equal scores by member text ("9" after "10"), not by number, so equal
    scores at the edge of a batch are re-read until they are complete and sorted here."""
    key = hot_rank_key()
    top = "+inf" if after is None else repr(float(after[0]))
    batch = count + 16
    while True:
        pipe = client.pipeline(transaction=False)
        pipe.exists(key)
        pipe.zrevrangebyscore(key, top, "-inf", start=0, num=batch, withscores=True)
        present, chunk = pipe.execute()
        if not present:
            return None
        entries = sorted(
            ((int(m), s) for m, s in chunk if m.isdigit()), key=lambda e: (-e[1], -e[0])
        )
        full = len(chunk) == batch
        if full and entries:
            # Members sharing the lowest score may continue past this batch: keep only the
            # scores that are surely complete.
            lowest = entries[-1][1]
            entries = [e for e in entries if e[1] != lowest]
        if after is not None:
            score, last_id = after
            entries = [e for e in entries if e[1] < score or (e[1] == score and e[0] < last_id)]
        if not full or len(entries) >= count:
            return entries[:count]
        batch *= 4


def _list_page(client: redis.Redis, key: str, after_id: int | None, count: int, cap: int):
    result = _script("list_page")(keys=[key], args=["" if after_id is None else after_id, count])
    if not result:
        return None
    length, members = int(result[0]), result[1]
    if len(members) < count and length >= cap:
        return None  # the page runs past the capped list: only the database has the rest
    return _ids(members)


@_guarded(None)
def feed_queue_page(client: redis.Redis, *, after_id: int | None, count: int) -> list[int] | None:
    """Up to `count` ids of feed_queue after `after_id`; None when the list cannot answer
    (absent, the cursor's id is not in it, or the page runs past its cap)."""
    return _list_page(client, feed_queue_key(), after_id, count, settings.FEED_QUEUE_LENGTH)


@_guarded(None)
def user_artworks_page(
    client: redis.Redis, *, user_id: int, after_id: int | None, count: int
) -> list[int] | None:
    """Like `feed_queue_page`, for user:{user_id}:artworks."""
    return _list_page(
        client, user_artworks_key(user_id), after_id, count, settings.USER_ARTWORKS_LIST_LENGTH
    )


@_guarded(None)
def artwork_like_count(client: redis.Redis, artwork_id: int) -> int | None:
    value = client.get(artwork_likes_key(artwork_id))
    return int(value) if value is not None else None


@_guarded(None)
def user_favorite_ids(client: redis.Redis, user_id: int) -> set[int] | None:
    """The user's favorites set; None when absent (or Redis cannot answer)."""
    key = user_favorites_key(user_id)
    pipe = client.pipeline(transaction=False)
    pipe.exists(key)
    pipe.smembers(key)
    present, members = pipe.execute()
    return set(_ids(members)) if present else None


@_guarded(None)
def hot_rank_all(client: redis.Redis) -> dict[int, float] | None:
    key = hot_rank_key()
    if not client.exists(key):
        return None
    return {int(m): s for m, s in client.zscan_iter(key, count=_WRITE_CHUNK) if str(m).isdigit()}


@_guarded(None)
def list_all(client: redis.Redis, key: str) -> list[int] | None:
    if not client.exists(key):
        return None
    return _ids(client.lrange(key, 0, -1))


@_guarded(None)
def like_counts(client: redis.Redis, artwork_ids: list[int]) -> dict[int, int | None] | None:
    counts: dict[int, int | None] = {}
    for start in range(0, len(artwork_ids), _WRITE_CHUNK):
        chunk = artwork_ids[start : start + _WRITE_CHUNK]
        values = client.mget([artwork_likes_key(i) for i in chunk])
        counts.update(
            {
                i: int(v) if v is not None and v.isdigit() else None
                for i, v in zip(chunk, values, strict=True)
            }
        )
    return counts


def _scan_ids(client: redis.Redis, head: str, tail: str) -> set[int]:
    found = set()
    for key in client.scan_iter(match=f"{_prefix()}{head}*{tail}", count=_WRITE_CHUNK):
        ident = _id_in_key(key, head, tail)
        if ident is not None:
            found.add(ident)
    return found


@_guarded(None)
def indexed_user_ids(client: redis.Redis) -> tuple[set[int], set[int]] | None:
    """(user ids with an artworks list, user ids with a favorites set)."""
    return _scan_ids(client, "user:", ":artworks"), _scan_ids(client, "user:", ":favorites")


@_guarded(None)
def indexed_like_ids(client: redis.Redis) -> set[int] | None:
    """Artwork ids that have an artwork:{id}:likes key."""
    return _scan_ids(client, "artwork:", ":likes")


# --- writes -------------------------------------------------------------------------------


@_guarded(False)
def artwork_put(client: redis.Redis, *, artwork_id: int, hot_score: float, like_count: int) -> bool:
    """A public artwork: its score in hot_rank (when hot_rank exists) and its like count."""
    pipe = client.pipeline(transaction=False)
    _script("zadd_if_exists")(keys=[hot_rank_key()], args=[hot_score, artwork_id], client=pipe)
    pipe.set(artwork_likes_key(artwork_id), int(like_count))
    pipe.execute()
    return True


@_guarded(False)
def artwork_remove(client: redis.Redis, *, artwork_id: int) -> bool:
    """A draft, hidden or deleted artwork: out of hot_rank, feed_queue and its like count.
    (User lists and favorites sets are rewritten by their own calls.)"""
    pipe = client.pipeline(transaction=False)
    pipe.zrem(hot_rank_key(), artwork_id)
    pipe.lrem(feed_queue_key(), 0, artwork_id)
    pipe.delete(artwork_likes_key(artwork_id))
    pipe.execute()
    return True


@_guarded(False)
def artworks_update(
    client: redis.Redis,
    *,
    put: list[tuple[int, float, int]],
    remove: list[int],
) -> bool:
    """`artwork_put` for each (id, hot_score, like_count) in `put` and `artwork_remove` for
    each id in `remove`, in chunked pipelines (all of one member's artworks at once)."""
    changes = [(artwork_id, (score, likes)) for artwork_id, score, likes in put]
    changes += [(artwork_id, None) for artwork_id in remove]
    for start in range(0, len(changes), _WRITE_CHUNK):
        pipe = client.pipeline(transaction=False)
        for artwork_id, public in changes[start : start + _WRITE_CHUNK]:
            if public is None:
                pipe.zrem(hot_rank_key(), artwork_id)
                pipe.lrem(feed_queue_key(), 0, artwork_id)
                pipe.delete(artwork_likes_key(artwork_id))
            else:
                score, likes = public
                _script("zadd_if_exists")(
                    keys=[hot_rank_key()], args=[score, artwork_id], client=pipe
                )
                pipe.set(artwork_likes_key(artwork_id), int(likes))
        pipe.execute()
    return True


@_guarded(False)
def favorites_apply(client: redis.Redis, changes: list[tuple[int, int, bool]]) -> bool:
    """For each (user_id, artwork_id, present): add the artwork to the user's favorites set
    (only when the set exists) or remove it."""
    for start in range(0, len(changes), _WRITE_CHUNK):
        pipe = client.pipeline(transaction=False)
        for user_id, artwork_id, present in changes[start : start + _WRITE_CHUNK]:
            key = user_favorites_key(user_id)
            if present:
                _script("sadd_if_exists")(keys=[key], args=[artwork_id], client=pipe)
            else:
                pipe.srem(key, artwork_id)
        pipe.execute()
    return True


def _write_list(pipe, key: str, ids: list[int]) -> None:
    for start in range(0, len(ids), _WRITE_CHUNK):
        pipe.rpush(key, *ids[start : start + _WRITE_CHUNK])


def _write_zset(pipe, key: str, pairs: list[tuple[int, float]]) -> None:
    for start in range(0, len(pairs), _WRITE_CHUNK):
        pipe.zadd(key, {str(i): s for i, s in pairs[start : start + _WRITE_CHUNK]})


def _write_set(pipe, key: str, ids: Iterable[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), _WRITE_CHUNK):
        pipe.sadd(key, *ids[start : start + _WRITE_CHUNK])


def _temp_key(key: str) -> str:
    return f"{_prefix()}rebuild:{uuid.uuid4().hex}:{key}"


def _replace(client: redis.Redis, key: str, ids, write) -> bool:
    """Swap in a whole collection: built under a temporary key, then renamed in one step.
    Nothing to store means the key is deleted (an absent collection is a miss)."""
    if not ids:
        client.delete(key)
        return True
    temp = _temp_key(key)
    pipe = client.pipeline(transaction=False)
    write(pipe, temp, ids)
    pipe.expire(temp, _TEMP_KEY_SECONDS)
    pipe.execute()
    pipe = client.pipeline(transaction=True)
    pipe.rename(temp, key)
    pipe.persist(key)
    pipe.execute()
    return True


@_guarded(False)
def hot_rank_replace(client: redis.Redis, pairs: list[tuple[int, float]]) -> bool:
    return _replace(client, hot_rank_key(), pairs, _write_zset)


@_guarded(False)
def feed_queue_replace(client: redis.Redis, ids: list[int]) -> bool:
    return _replace(client, feed_queue_key(), ids[: settings.FEED_QUEUE_LENGTH], _write_list)


@_guarded(False)
def user_artworks_replace(client: redis.Redis, user_id: int, ids: list[int]) -> bool:
    ids = ids[: settings.USER_ARTWORKS_LIST_LENGTH]
    return _replace(client, user_artworks_key(user_id), ids, _write_list)


@_guarded(False)
def user_favorites_replace(client: redis.Redis, user_id: int, ids: Iterable[int]) -> bool:
    return _replace(client, user_favorites_key(user_id), set(ids), _write_set)


@_guarded(None)
def favorite_set(
    client: redis.Redis, *, user_id: int, artwork_id: int, present: bool
) -> bool | None:
    """Add or remove one favorite. Adding to an absent set does nothing and returns False,
    so the caller can build the whole set instead; None when Redis cannot answer."""
    key = user_favorites_key(user_id)
    if not present:
        client.srem(key, artwork_id)
        return True
    return _script("sadd_if_exists")(keys=[key], args=[artwork_id]) != -1


@_guarded(False)
def favorites_update(
    client: redis.Redis, *, user_ids: list[int], artwork_id: int, present: bool
) -> bool:
    """Add (to the sets that exist) or remove one artwork in many users' favorites sets."""
    pipe = client.pipeline(transaction=False)
    for user_id in user_ids:
        key = user_favorites_key(user_id)
        if present:
            _script("sadd_if_exists")(keys=[key], args=[artwork_id], client=pipe)
        else:
            pipe.srem(key, artwork_id)
    pipe.execute()
    return True


@_guarded(False)
def like_counts_set(client: redis.Redis, counts: dict[int, int]) -> bool:
    pipe = client.pipeline(transaction=False)
    for artwork_id, count in counts.items():
        pipe.set(artwork_likes_key(artwork_id), int(count))
    pipe.execute()
    return True


@_guarded(False)
def delete_keys(client: redis.Redis, keys: list[str]) -> bool:
    for start in range(0, len(keys), _WRITE_CHUNK):
        client.delete(*keys[start : start + _WRITE_CHUNK])
    return True


@_guarded(False)
def rebuild_all(
    client: redis.Redis,
    *,
    hot: list[tuple[int, float]],
    feed_queue: list[int],
    user_artworks: dict[int, list[int]],
    user_favorites: dict[int, set[int]],
    likes: dict[int, int],
) -> bool:
    """Replace the whole index. Every key is built under a temporary name first, then all are
    renamed in one MULTI, together with deleting index keys that should no longer exist, so
    readers see either the old index or the new one."""
    final: dict[str, tuple[Any, Callable]] = {
        hot_rank_key(): (hot, _write_zset),
        feed_queue_key(): (feed_queue[: settings.FEED_QUEUE_LENGTH], _write_list),
    }
    for user_id, ids in user_artworks.items():
        final[user_artworks_key(user_id)] = (ids[: settings.USER_ARTWORKS_LIST_LENGTH], _write_list)
    for user_id, ids in user_favorites.items():
        final[user_favorites_key(user_id)] = (ids, _write_set)
    final = {key: value for key, value in final.items() if value[0]}

    temps: dict[str, str] = {}
    pipe = client.pipeline(transaction=False)
    for key, (ids, write) in final.items():
        temps[key] = _temp_key(key)
        write(pipe, temps[key], ids)
        pipe.expire(temps[key], _TEMP_KEY_SECONDS)
        if len(pipe) > 10 * _WRITE_CHUNK:
            pipe.execute()
    for artwork_id, count in likes.items():
        temp = _temp_key(artwork_likes_key(artwork_id))
        temps[artwork_likes_key(artwork_id)] = temp
        pipe.set(temp, int(count), ex=_TEMP_KEY_SECONDS)
    pipe.execute()

    existing = {hot_rank_key(), feed_queue_key()}
    for head, tail in (("user:", ":artworks"), ("user:", ":favorites"), ("artwork:", ":likes")):
        existing.update(client.scan_iter(match=f"{_prefix()}{head}*{tail}", count=_WRITE_CHUNK))
    stale = [key for key in existing if key not in temps]

    pipe = client.pipeline(transaction=True)
    for key, temp in temps.items():
        pipe.rename(temp, key)
        pipe.persist(key)
    if stale:
        pipe.delete(*stale)
    pipe.execute()
    return True
