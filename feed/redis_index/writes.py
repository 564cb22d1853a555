"""The index's writes: one artwork's keys, favorites, whole collections swapped in at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable

import redis
from django.conf import settings
from redis.client import Pipeline

from common.rediscache import cache_redis_at, send_later, send_together

from .client import IndexClient, guarded, logger
from .reads import CHUNK

# Temporary keys of an interrupted rebuild expire by themselves.
_TEMP_KEY_SECONDS = 3600

# Writes one whole collection under a key, in chunks.
Writer = Callable[[Pipeline, str, Collection], None]


def _write_list(pipe: Pipeline, key: str, ids: Collection[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        pipe.rpush(key, *ids[start : start + CHUNK])


def _write_zset(pipe: Pipeline, key: str, pairs: Collection[tuple[int, float]]) -> None:
    pairs = list(pairs)
    for start in range(0, len(pairs), CHUNK):
        pipe.zadd(key, {str(i): s for i, s in pairs[start : start + CHUNK]})


def _write_set(pipe: Pipeline, key: str, ids: Collection[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        pipe.sadd(key, *ids[start : start + CHUNK])


class IndexWrites(IndexClient):
    @guarded(False)
    def claim(self, name: str, *, seconds: int) -> bool:
        """A short exclusive claim (SET NX EX): True for the first caller until it expires.
        Sent without redis-py's per-command wrapping: every like asks for one."""
        return send_together(self.client, [self._claim_command(name, seconds)])[0] is not None

    def _claim_command(self, name: str, seconds: int) -> tuple:
        return ("SET", self.claim_key(name), "1", "NX", "EX", int(seconds))

    def claim_then(self, name: str, *, seconds: int, then: Callable[[bool], None]) -> None:
        """`claim`, whose answer is handed to `then` once Redis's reply is read, without the
        request waiting for it (common.rediscache.send_later): every like asks for one, after
        commit. False, as from `claim`, when the index cannot be reached."""
        if not self.available():
            then(False)
            return

        def answered(replies: list | None, error: BaseException | None) -> None:
            if isinstance(error, (redis.ConnectionError, redis.TimeoutError, OSError)):
                self.breaker.trip(self.where, error)
            elif error is not None:
                logger.warning("Redis index call claim failed: %r", error)
            else:
                self._answered()
            then(error is None and replies[0] is not None)

        # On the cache's connection where the cache is the same Redis: written with the
        # change's page-cache writes (common.rediscache.corked).
        client = cache_redis_at(settings.REDIS_INDEX_URL)
        if client is None:
            try:
                client = self.client
            except redis.RedisError as exc:  # reset meanwhile
                answered(None, exc)
                return
        send_later(client, [self._claim_command(name, seconds)], answered)

    @guarded(None)
    def release(self, name: str) -> None:
        self.client.delete(self.claim_key(name))

    @guarded(False)
    def lease(self, name: str, *, owner: str, seconds: float) -> bool:
        """Take or renew the lease `name` for `owner` (a lock with a TTL that its holder keeps
        renewing): True while `owner` holds it. Another owner gets it only once it expired.
        False too when Redis cannot be reached: a holder that cannot renew stops acting."""
        ttl_ms = max(1, int(seconds * 1000))
        return bool(self.scripts.lease(keys=[self.lease_key(name)], args=[owner, ttl_ms]))

    @guarded(None)
    def lease_release(self, name: str, *, owner: str) -> None:
        """Give the lease up at once (only `owner`'s), so that a standby takes over."""
        self.scripts.lease_release(keys=[self.lease_key(name)], args=[owner])

    # --- one artwork, favorites -----------------------------------------------------------

    def _put_artwork(self, pipe: Pipeline, artwork_id: int, hot_score: float, likes: int) -> None:
        """Its score in hot_rank (when hot_rank exists) and its like count."""
        self.scripts.zadd_if_exists(
            keys=[self.hot_rank_key()], args=[hot_score, artwork_id], client=pipe
        )
        pipe.set(self.artwork_likes_key(artwork_id), int(likes))

    def _remove_artwork(self, pipe: Pipeline, artwork_id: int) -> None:
        """Out of hot_rank, feed_queue and its like count."""
        pipe.zrem(self.hot_rank_key(), artwork_id)
        pipe.lrem(self.feed_queue_key(), 0, artwork_id)
        pipe.delete(self.artwork_likes_key(artwork_id))

    @guarded(False)
    def artwork_put(self, *, artwork_id: int, hot_score: float, like_count: int) -> bool:
        """A public artwork: its score in hot_rank (when hot_rank exists) and its like count."""
        pipe = self.client.pipeline(transaction=False)
        self._put_artwork(pipe, artwork_id, hot_score, like_count)
        pipe.execute()
        return True

    @guarded(False)
    def artwork_remove(self, *, artwork_id: int) -> bool:
        """A draft, hidden or deleted artwork: out of hot_rank, feed_queue and its like count.
        (User lists and favorites sets are rewritten by their own calls.)"""
        pipe = self.client.pipeline(transaction=False)
        self._remove_artwork(pipe, artwork_id)
        pipe.execute()
        return True

    @guarded(False)
    def artworks_update(self, *, put: list[tuple[int, float, int]], remove: list[int]) -> bool:
        """`artwork_put` for each (id, hot_score, like_count) in `put` and `artwork_remove` for
        each id in `remove`, in chunked pipelines (all of one member's artworks at once)."""
        changes: list[tuple[int, tuple[float, int] | None]] = [
            (artwork_id, (score, likes)) for artwork_id, score, likes in put
        ]
        changes += [(artwork_id, None) for artwork_id in remove]
        for start in range(0, len(changes), CHUNK):
            pipe = self.client.pipeline(transaction=False)
            for artwork_id, public in changes[start : start + CHUNK]:
                if public is None:
                    self._remove_artwork(pipe, artwork_id)
                else:
                    self._put_artwork(pipe, artwork_id, *public)
            pipe.execute()
        return True

    def _favorite_change(
        self, pipe: Pipeline, user_id: int, artwork_id: int, *, present: bool
    ) -> None:
        """Add the artwork to the user's favorites set (only when the set exists) or remove it."""
        key = self.user_favorites_key(user_id)
        if present:
            self.scripts.sadd_if_exists(keys=[key], args=[artwork_id], client=pipe)
        else:
            pipe.srem(key, artwork_id)

    @guarded(False)
    def favorites_apply(self, changes: list[tuple[int, int, bool]]) -> bool:
        """For each (user_id, artwork_id, present): add the artwork to the user's favorites set
        (only when the set exists) or remove it."""
        for start in range(0, len(changes), CHUNK):
            pipe = self.client.pipeline(transaction=False)
            for user_id, artwork_id, present in changes[start : start + CHUNK]:
                self._favorite_change(pipe, user_id, artwork_id, present=present)
            pipe.execute()
        return True

    @guarded(None)
    def favorite_set(self, *, user_id: int, artwork_id: int, present: bool) -> bool | None:
        """Add or remove one favorite. Adding to an absent set does nothing and returns False,
        so the caller can build the whole set instead; None when Redis cannot answer."""
        key = self.user_favorites_key(user_id)
        if not present:
            self.client.srem(key, artwork_id)
            return True
        return self.scripts.sadd_if_exists(keys=[key], args=[artwork_id]) != -1

    @guarded(False)
    def favorites_update(self, *, user_ids: list[int], artwork_id: int, present: bool) -> bool:
        """Add (to the sets that exist) or remove one artwork in many users' favorites sets."""
        pipe = self.client.pipeline(transaction=False)
        for user_id in user_ids:
            self._favorite_change(pipe, user_id, artwork_id, present=present)
        pipe.execute()
        return True

    # --- whole collections ----------------------------------------------------------------

    def _temp_key(self, key: str) -> str:
        return f"{self.prefix}rebuild:{uuid.uuid4().hex}:{key}"

    def _replace(self, key: str, members: Collection, write: Writer) -> bool:
        """Swap in a whole collection: built under a temporary key, then renamed in one step.
        Nothing to store means the key is deleted (an absent collection is a miss)."""
        if not members:
            self.client.delete(key)
            return True
        temp = self._temp_key(key)
        pipe = self.client.pipeline(transaction=False)
        write(pipe, temp, members)
        pipe.expire(temp, _TEMP_KEY_SECONDS)
        pipe.execute()
        pipe = self.client.pipeline(transaction=True)
        pipe.rename(temp, key)
        pipe.persist(key)
        pipe.execute()
        return True

    @guarded(False)
    def hot_rank_replace(self, pairs: list[tuple[int, float]]) -> bool:
        return self._replace(self.hot_rank_key(), pairs, _write_zset)

    @guarded(False)
    def feed_queue_replace(self, ids: list[int]) -> bool:
        return self._replace(self.feed_queue_key(), ids[: settings.FEED_QUEUE_LENGTH], _write_list)

    @guarded(False)
    def user_artworks_replace(self, user_id: int, ids: list[int]) -> bool:
        ids = ids[: settings.USER_ARTWORKS_LIST_LENGTH]
        return self._replace(self.user_artworks_key(user_id), ids, _write_list)

    @guarded(False)
    def user_favorites_replace(self, user_id: int, ids: Iterable[int]) -> bool:
        return self._replace(self.user_favorites_key(user_id), set(ids), _write_set)

    @guarded(False)
    def rebuild_all(
        self,
        *,
        hot: list[tuple[int, float]],
        feed_queue: list[int],
        user_artworks: dict[int, list[int]],
        user_favorites: dict[int, set[int]],
        likes: dict[int, int],
    ) -> bool:
        """Replace the whole index. Every key is built under a temporary name first, then all
        are renamed in one MULTI, together with deleting index keys that should no longer
        exist, so readers see either the old index or the new one."""
        final: dict[str, tuple[Collection, Writer]] = {
            self.hot_rank_key(): (hot, _write_zset),
            self.feed_queue_key(): (feed_queue[: settings.FEED_QUEUE_LENGTH], _write_list),
        }
        for user_id, ids in user_artworks.items():
            cap = settings.USER_ARTWORKS_LIST_LENGTH
            final[self.user_artworks_key(user_id)] = (ids[:cap], _write_list)
        for user_id, ids in user_favorites.items():
            final[self.user_favorites_key(user_id)] = (ids, _write_set)
        final = {key: value for key, value in final.items() if value[0]}
        temps = self._write_temporaries(final, likes)
        self._swap_in(temps)
        return True

    def _write_temporaries(
        self, final: dict[str, tuple[Collection, Writer]], likes: dict[int, int]
    ) -> dict[str, str]:
        """Every collection and like count under a temporary key: {final key: temporary}."""
        temps: dict[str, str] = {}
        pipe = self.client.pipeline(transaction=False)
        for key, (members, write) in final.items():
            temps[key] = self._temp_key(key)
            write(pipe, temps[key], members)
            pipe.expire(temps[key], _TEMP_KEY_SECONDS)
            if len(pipe) > 10 * CHUNK:
                pipe.execute()
        for artwork_id, count in likes.items():
            key = self.artwork_likes_key(artwork_id)
            temps[key] = self._temp_key(key)
            pipe.set(temps[key], int(count), ex=_TEMP_KEY_SECONDS)
        pipe.execute()
        return temps

    def _swap_in(self, temps: dict[str, str]) -> None:
        """Rename every temporary into place and delete the index keys that have none, in
        one MULTI."""
        existing = {self.hot_rank_key(), self.feed_queue_key()}
        for head, tail in (("user:", ":artworks"), ("user:", ":favorites"), ("artwork:", ":likes")):
            existing.update(self.client.scan_iter(match=f"{self.prefix}{head}*{tail}", count=CHUNK))
        stale = [key for key in existing if key not in temps]
        pipe = self.client.pipeline(transaction=True)
        for key, temp in temps.items():
            pipe.rename(temp, key)
            pipe.persist(key)
        if stale:
            pipe.delete(*stale)
        pipe.execute()
