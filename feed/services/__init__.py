"""Keeping the Redis feed index (feed.redis_index) in step with the database.

The database is the source of truth. `index_sync_artwork` runs after every announced change
(through feed.tasks.sync_artwork): it reads the artwork's current state and makes every key
agree, whatever happened before — running it twice changes nothing more than running it once.

Two syncs of one artwork can run at once (parallel reactions). Either may read the database
before the other's change committed and write last. So every write is followed by a second
read, and repeated until the two agree: the last write to any key is then never stale.

The modules: `state` (what the database says, converging writes), `sync` (after an announced
change), `repair` (refills, rebuild, reconcile).
"""

from .repair import (
    index_rebuild,
    index_reconcile,
    index_refill,
    index_refill_feed_queue,
    index_refill_hot_rank,
    index_refill_user_artworks,
)
from .search_index import search_index_artwork, search_index_member, search_rebuild
from .state import ArtworkState
from .sync import (
    enqueue_sync,
    enqueue_user_sync,
    index_resync_later,
    index_sync_artwork,
    index_sync_user,
)

__all__ = [
    "ArtworkState",
    "enqueue_sync",
    "enqueue_user_sync",
    "index_rebuild",
    "index_reconcile",
    "index_refill",
    "index_refill_feed_queue",
    "index_refill_hot_rank",
    "index_refill_user_artworks",
    "index_resync_later",
    "index_sync_artwork",
    "index_sync_user",
    "search_index_artwork",
    "search_index_member",
    "search_rebuild",
]
