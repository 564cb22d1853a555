"""Refilling an empty list on a reader's miss, rebuilding everything, reconciling after an
outage."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from artworks.models import Favorite
from artworks.selectors import artworks_listed

from ..redis_index import feed_index

if TYPE_CHECKING:
    pass

from .state import (
    _REFILL_CLAIM_SECONDS,
    _feed_queue_ids,
    _hot_pairs,
    _sync_artwork_keys,
    _sync_feed_queue,
    _sync_user_artworks,
    _user_artwork_ids,
    _user_favorite_ids,
)

logger = logging.getLogger(__name__)


def _refill(name: str, key: str, write: Callable[[], object]) -> None:
    """Cache-aside refill after a miss: once (a short claim stops a stampede), and only when
    the key is really absent (not when a page merely ran past a capped list)."""
    if not feed_index.available() or feed_index.exists(key):
        return
    if not feed_index.claim(f"refill:{name}", seconds=_REFILL_CLAIM_SECONDS):
        return
    try:
        write()
    finally:
        feed_index.release(f"refill:{name}")


def index_refill_hot_rank() -> None:
    _refill(
        "hot_rank", feed_index.hot_rank_key(), lambda: feed_index.hot_rank_replace(_hot_pairs())
    )


def index_refill_feed_queue() -> None:
    _refill("feed_queue", feed_index.feed_queue_key(), _sync_feed_queue)


def index_refill_user_artworks(user_id: int) -> None:
    _refill(
        f"user_artworks:{user_id}",
        feed_index.user_artworks_key(user_id),
        lambda: _sync_user_artworks(user_id),
    )


def index_refill(*, collection: str, user_id: int | None = None) -> None:
    """A list reader read the database because `collection` could not answer
    (feed.signals.index_missed): refill it if it is really absent."""
    if collection == "hot_rank":
        index_refill_hot_rank()
    elif collection == "feed_queue":
        index_refill_feed_queue()
    elif collection == "user_artworks" and user_id is not None:
        index_refill_user_artworks(user_id)


def index_rebuild() -> dict[str, int] | None:
    """Rebuild every key from the database and swap it in atomically. None when Redis is not
    configured or not reachable."""
    if not feed_index.available():
        return None
    hot = _hot_pairs()
    feed_queue = _feed_queue_ids()
    user_artworks: dict[int, list[int]] = defaultdict(list)
    for user_id, artwork_id in (
        artworks_listed().order_by("user_id", "-published_at", "-id").values_list("user_id", "id")
    ):
        user_artworks[user_id].append(artwork_id)
    user_favorites: dict[int, set[int]] = defaultdict(set)
    for user_id, artwork_id in Favorite.objects.filter(
        artwork_id__in=artworks_listed().values("id")
    ).values_list("user_id", "artwork_id"):
        user_favorites[user_id].add(artwork_id)
    likes = dict(artworks_listed().order_by().values_list("id", "like_count"))
    if not feed_index.rebuild_all(
        hot=hot,
        feed_queue=feed_queue,
        user_artworks=dict(user_artworks),
        user_favorites=dict(user_favorites),
        likes=likes,
    ):
        return None
    return {
        "hot_rank": len(hot),
        "feed_queue": len(feed_queue),
        "user_artworks": len(user_artworks),
        "user_favorites": len(user_favorites),
        "likes": len(likes),
    }


def index_reconcile() -> dict[str, int] | None:
    """Repair drift between Redis and the database, key by key, without a full swap (so
    concurrent syncs are not overwritten). Returns how many keys or members were repaired;
    None when Redis is not reachable. Absent collections are left to the readers' refill,
    except hot_rank, which is refilled here."""
    if not feed_index.available():
        return None
    repaired = {"hot_rank": 0, "likes": 0, "feed_queue": 0, "user_artworks": 0, "user_favorites": 0}

    public_likes = dict(artworks_listed().order_by().values_list("id", "like_count"))
    indexed = feed_index.hot_rank_all()
    if indexed is None:
        index_refill_hot_rank()
    else:
        db_scores = dict(_hot_pairs())
        drifted = {
            i for i in indexed.keys() | db_scores.keys() if indexed.get(i) != db_scores.get(i)
        }
        for artwork_id in sorted(drifted):
            _sync_artwork_keys(artwork_id)
        repaired["hot_rank"] = len(drifted)

    redis_likes = feed_index.like_counts(list(public_likes)) or {}
    stray_like_ids = (feed_index.indexed_like_ids() or set()) - public_likes.keys()
    drifted = {i for i, count in public_likes.items() if redis_likes.get(i) != count}
    for artwork_id in sorted(drifted | stray_like_ids):
        _sync_artwork_keys(artwork_id)
    repaired["likes"] = len(drifted | stray_like_ids)

    if feed_index.list_all(feed_index.feed_queue_key()) not in (None, _feed_queue_ids()):
        _sync_feed_queue()
        repaired["feed_queue"] = 1

    list_users, favorite_users = feed_index.indexed_user_ids() or (set(), set())
    for user_id in sorted(list_users):
        if feed_index.list_all(feed_index.user_artworks_key(user_id)) != _user_artwork_ids(user_id):
            _sync_user_artworks(user_id)
            repaired["user_artworks"] += 1
    for user_id in sorted(favorite_users):
        expected = _user_favorite_ids(user_id)
        if feed_index.user_favorite_ids(user_id) != expected:
            feed_index.user_favorites_replace(user_id, expected)
            repaired["user_favorites"] += 1
    return repaired
