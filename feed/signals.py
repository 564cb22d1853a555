"""What the feed's list readers (feed.selectors) announce when the Redis index could not
answer. The readers only read; feed.receivers has the index repaired (feed.services), in
the same request, as the readers did themselves before.

- `index_missed`: the reader went to the database; `collection` is "hot_rank", "feed_queue"
  or "user_artworks" (with `user_id`). The collection is refilled if it is really absent.
- `index_stale`: the index held `artwork_ids` whose rows are not public (any more); they
  are synced.
"""

from __future__ import annotations

from django.dispatch import Signal

index_missed = Signal()
index_stale = Signal()
