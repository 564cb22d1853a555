"""The Redis feed index. The only code that knows Redis key names or talks to Redis for it:
one `FeedIndex`, `feed_index`, holding its client, its key names and its breaker.

Keys (blueprint §4), behind settings.REDIS_INDEX_KEY_PREFIX (empty by default):

- `hot_rank`                 sorted set: every public artwork id, scored by its hot_score
- `feed_queue`               list: the newest public artwork ids, newest first, capped
- `user:{user_id}:artworks`  list: the user's public artwork ids, newest first, capped
- `user:{user_id}:favorites` set: ids of the public artworks the user favorited
- `artwork:{id}:likes`       string: the artwork's like count

and the short-lived coordination keys: `claim:{name}` (a one-off claim, SET NX EX) and
`lease:{name}` (a lock with a TTL its holder renews: `lease:beat`, the one running
scheduler — aicommunity/beat.py).

"Public" means what an anonymous visitor may see (artworks.selectors): drafts and hidden
artworks are never in any key. The database is the source of truth; the index stores and
reads ids only, and `feed.services` decides what they should be.

Collections are complete or absent: an absent key is a miss (the reader goes to the
database and the index is refilled), never "empty". So incremental updates only touch
collections that exist, and whole collections are written atomically (built under a
temporary key, renamed).

Every call swallows Redis errors: it logs, and reports a miss (None) or failure (False), so
callers fall back to the database. After a connection failure Redis is skipped for
REDIS_INDEX_RETRY_SECONDS (common.redis_breaker) instead of timing out on every call.
Without REDIS_URL (settings.REDIS_INDEX_URL, which follows it) every call is a no-op that
reports a miss.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver

from .reads import IndexReads
from .writes import IndexWrites


class FeedIndex(IndexReads, IndexWrites):
    """The feed's Redis index: key names and connection (client.py), reads (reads.py),
    writes (writes.py)."""


feed_index = FeedIndex()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("REDIS"):
        feed_index.reset()


__all__ = ["FeedIndex", "feed_index"]
