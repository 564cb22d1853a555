"""Syncing the index after an announced change: one artwork, or all of a member's."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db.models import Q

from artworks.models import Artwork, Favorite
from artworks.selectors import artwork_listed_q, artworks_listed
from artworks.signals import ArtworkEvent
from common.tasks import BrokerDown, enqueue

from ..redis_index import feed_index

if TYPE_CHECKING:
    from celery import Task

from .state import (
    _ARTWORK_ONLY_EVENTS,
    _FAVORITE_EVENTS,
    _RESYNC_CLAIM_SECONDS,
    ArtworkState,
    _converge,
    _sync_artwork_keys,
    _sync_favoriters,
    _sync_feed_queue,
    _sync_one_favorite,
    _sync_user_artworks,
    _true_when,
)

logger = logging.getLogger(__name__)

# --- entry points -------------------------------------------------------------------------


def index_sync_artwork(*, artwork_id: int, user_id: int | None = None, event: str = "") -> None:
    """Make every key agree with the artwork's current state in the database.

    `user_id` is the one the change concerns: the author for publish/unpublish/delete (a
    deleted row no longer says who its author was), the reacting user for a reaction."""
    if not feed_index.available():
        return
    if event in _COALESCED_EVENTS:
        # Before reading: a like committed from now on queues a sync of its own.
        feed_index.release(_pending_name(artwork_id))
    state = _sync_artwork_keys(artwork_id)
    if event not in _ARTWORK_ONLY_EVENTS:
        _sync_feed_queue()
        authors = {state.author_id} if state else set()
        if user_id is not None:
            authors.add(user_id)
        for author_id in sorted(authors):
            _sync_user_artworks(author_id)
        _sync_favoriters(artwork_id)
    if user_id is not None and (event in _FAVORITE_EVENTS or not event):
        _sync_one_favorite(user_id=user_id, artwork_id=artwork_id)


def _user_artwork_states(user_id: int) -> list[tuple[int, ArtworkState]]:
    """Every artwork of the user with its current state, in one query."""
    rows = (
        Artwork.objects.filter(user_id=user_id)
        .annotate(is_public=_true_when(artwork_listed_q()))
        .order_by("id")
        .values_list("id", "user_id", "is_public", "hot_score", "like_count")
    )
    return [(row[0], ArtworkState(*row[1:])) for row in rows]


def _write_artwork_states(states: list[tuple[int, ArtworkState]]) -> bool:
    return feed_index.artworks_update(
        put=[(i, s.hot_score, s.like_count) for i, s in states if s.public],
        remove=[i for i, s in states if not s.public],
    )


def _user_favorites_of_fans(user_id: int) -> list[tuple[int, int, bool]]:
    """(fan, artwork, public) for every favorite of any artwork of the user, in one query."""
    public_ids = artworks_listed().filter(user_id=user_id).values("id")
    rows = (
        Favorite.objects.filter(artwork__user_id=user_id)
        .annotate(is_public=_true_when(Q(artwork_id__in=public_ids)))
        .order_by("user_id", "artwork_id")
        .values_list("user_id", "artwork_id", "is_public")
    )
    return list(rows)


def index_sync_user(*, user_id: int) -> None:
    """Make every key agree with the current state of all of a user's artworks: after a
    suspension (their work leaves hot_rank, feed_queue, like counts, their own list and every
    fan's favorites) or a restoration (it returns). Batched per user, so a prolific member
    costs a few queries and pipelines, not a sync per artwork; idempotent like the rest."""
    if not feed_index.available():
        return
    _converge(
        lambda: _user_artwork_states(user_id), _write_artwork_states, f"user {user_id} artworks"
    )
    _sync_feed_queue()
    _sync_user_artworks(user_id)
    _converge(
        lambda: _user_favorites_of_fans(user_id),
        feed_index.favorites_apply,
        f"favorites of user {user_id}'s artworks",
    )


def index_resync_later(artwork_ids: list[int]) -> None:
    """A reader found ids in Redis whose rows are not public (any more): have them synced,
    once per artwork however many readers notice."""
    from ..tasks import sync_artwork  # tasks call these services

    for artwork_id in artwork_ids:
        if feed_index.claim(f"resync:{artwork_id}", seconds=_RESYNC_CLAIM_SECONDS):
            # A reader writes nothing to wait for: send at once.
            enqueue(
                sync_artwork,
                artwork_id,
                None,
                event="",
                on_broker_down=BrokerDown.RUN_HERE,
                after_commit=False,
            )


# A like or an unlike changes only the artwork's own keys (its score in hot_rank, its like
# count), which a sync reads from the database when it starts. While one is queued and not yet
# started, a further like joins it rather than queueing another: the queued sync will read
# that like too. The claim is released when a sync starts, before it reads; one whose task
# was lost lapses after _PENDING_SECONDS (and the periodic reconcile repairs the keys).
_COALESCED_EVENTS = {ArtworkEvent.LIKED, ArtworkEvent.UNLIKED}
_PENDING_SECONDS = 60


def _pending_name(artwork_id: int) -> str:
    return f"sync-pending:{artwork_id}"


def enqueue_sync(task: Task, *, artwork_id: int, user_id: int | None, event: str) -> None:
    """Queue a sync after commit (a like's joins one already queued for its artwork); when
    the broker cannot take it, run it here (it is idempotent and Redis calls are bounded by
    short timeouts)."""

    def queue() -> None:
        enqueue(task, artwork_id, user_id, event=event, on_broker_down=BrokerDown.RUN_HERE)

    if event not in _COALESCED_EVENTS:
        queue()
        return

    def claimed(first: bool) -> None:
        # Not first: queued already and not started, it reads this change (or Redis is down).
        if first:
            queue()

    feed_index.claim_then(_pending_name(artwork_id), seconds=_PENDING_SECONDS, then=claimed)


def enqueue_user_sync(task: Task, *, user_id: int) -> None:
    """Queue the sync of all of a user's artworks (see index_sync_user), or run it here."""
    enqueue(task, user_id, on_broker_down=BrokerDown.RUN_HERE)
