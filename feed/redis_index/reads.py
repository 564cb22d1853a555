"""The index's reads: pages of ids for the list readers, whole collections for reconcile."""

from __future__ import annotations

from django.conf import settings

from .client import IndexClient, guarded, ids_of

# How many members or keys one call or pipeline handles at most.
CHUNK = 1000


class IndexReads(IndexClient):
    @guarded(False)
    def exists(self, key: str) -> bool:
        return bool(self.client.exists(key))

    @guarded(None)
    def hot_page(
        self, *, after: tuple[float, int] | None, count: int
    ) -> list[tuple[int, float]] | None:
        """The next `count` (id, score) pairs of hot_rank in (score desc, id desc) order after
        the cursor (score, id); None when hot_rank is absent.

        Redis orders equal scores by member text ("9" after "10"), not by number, so equal
        scores at the edge of a batch are re-read until they are complete and sorted here."""
        key = self.hot_rank_key()
        top = "+inf" if after is None else repr(float(after[0]))
        batch = count + 16
        while True:
            pipe = self.client.pipeline(transaction=False)
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
                # Members sharing the lowest score may continue past this batch: keep only
                # the scores that are surely complete.
                lowest = entries[-1][1]
                entries = [e for e in entries if e[1] != lowest]
            if after is not None:
                score, last_id = after
                entries = [e for e in entries if e[1] < score or (e[1] == score and e[0] < last_id)]
            if not full or len(entries) >= count:
                return entries[:count]
            batch *= 4

    def _list_page(self, key: str, after_id: int | None, count: int, cap: int) -> list[int] | None:
        result = self.scripts.list_page(
            keys=[key], args=["" if after_id is None else after_id, count]
        )
        if not result:
            return None
        length, members = int(result[0]), result[1]
        if len(members) < count and length >= cap:
            return None  # the page runs past the capped list: only the database has the rest
        return ids_of(members)

    @guarded(None)
    def feed_queue_page(self, *, after_id: int | None, count: int) -> list[int] | None:
        """Up to `count` ids of feed_queue after `after_id`; None when the list cannot answer
        (absent, the cursor's id is not in it, or the page runs past its cap)."""
        return self._list_page(self.feed_queue_key(), after_id, count, settings.FEED_QUEUE_LENGTH)

    @guarded(None)
    def user_artworks_page(
        self, *, user_id: int, after_id: int | None, count: int
    ) -> list[int] | None:
        """Like `feed_queue_page`, for user:{user_id}:artworks."""
        return self._list_page(
            self.user_artworks_key(user_id), after_id, count, settings.USER_ARTWORKS_LIST_LENGTH
        )

    @guarded(None)
    def user_favorite_ids(self, user_id: int) -> set[int] | None:
        """The user's favorites set; None when absent (or Redis cannot answer)."""
        key = self.user_favorites_key(user_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.exists(key)
        pipe.smembers(key)
        present, members = pipe.execute()
        return set(ids_of(members)) if present else None

    @guarded(None)
    def hot_rank_all(self) -> dict[int, float] | None:
        key = self.hot_rank_key()
        if not self.client.exists(key):
            return None
        return {int(m): s for m, s in self.client.zscan_iter(key, count=CHUNK) if str(m).isdigit()}

    @guarded(None)
    def list_all(self, key: str) -> list[int] | None:
        if not self.client.exists(key):
            return None
        return ids_of(self.client.lrange(key, 0, -1))

    @guarded(None)
    def like_counts(self, artwork_ids: list[int]) -> dict[int, int | None] | None:
        counts: dict[int, int | None] = {}
        for start in range(0, len(artwork_ids), CHUNK):
            chunk = artwork_ids[start : start + CHUNK]
            values = self.client.mget([self.artwork_likes_key(i) for i in chunk])
            counts.update(
                {
                    i: int(v) if v is not None and v.isdigit() else None
                    for i, v in zip(chunk, values, strict=True)
                }
            )
        return counts

    def _scan_ids(self, head: str, tail: str) -> set[int]:
        found = set()
        for key in self.client.scan_iter(match=f"{self.prefix}{head}*{tail}", count=CHUNK):
            ident = self.id_in_key(key, head, tail)
            if ident is not None:
                found.add(ident)
        return found

    @guarded(None)
    def indexed_user_ids(self) -> tuple[set[int], set[int]] | None:
        """(user ids with an artworks list, user ids with a favorites set)."""
        return self._scan_ids("user:", ":artworks"), self._scan_ids("user:", ":favorites")

    @guarded(None)
    def indexed_like_ids(self) -> set[int] | None:
        """Artwork ids that have an artwork:{id}:likes key."""
        return self._scan_ids("artwork:", ":likes")
