"""What the database says each index key should hold, and writes that converge on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from django.conf import settings
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from artworks.models import Artwork, Favorite
from artworks.selectors import artwork_listed_q, artworks_listed
from artworks.signals import ArtworkEvent

from ..redis_index import feed_index

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

T = TypeVar("T")

_CONVERGE_ATTEMPTS = 5
_REFILL_CLAIM_SECONDS = 30
_RESYNC_CLAIM_SECONDS = 30

# Events that change only the artwork's own keys (score, like count, one favorite); every
# other event (publish, unpublish, hide, restore, delete, or none given) may change which
# lists hold the artwork, so those are rewritten too.
_ARTWORK_ONLY_EVENTS = {
    ArtworkEvent.CREATED,
    ArtworkEvent.UPDATED,
    ArtworkEvent.MEDIA_READY,
    ArtworkEvent.LIKED,
    ArtworkEvent.UNLIKED,
    ArtworkEvent.FAVORITED,
    ArtworkEvent.UNFAVORITED,
}
_FAVORITE_EVENTS = {ArtworkEvent.FAVORITED, ArtworkEvent.UNFAVORITED}


class ArtworkState(NamedTuple):
    author_id: int
    public: bool
    hot_score: float
    like_count: int


# --- what the database says ---------------------------------------------------------------


def _true_when(condition: Q) -> Case:
    """A boolean column: true for the rows that meet `condition`."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _artwork_state(artwork_id: int) -> ArtworkState | None:
    row = (
        Artwork.objects.filter(pk=artwork_id)
        .annotate(is_public=_true_when(artwork_listed_q()))
        .values_list("user_id", "is_public", "hot_score", "like_count")
        .first()
    )
    return ArtworkState(*row) if row else None


def _public_ids_newest_first() -> QuerySet[Artwork, int]:
    return artworks_listed().order_by("-published_at", "-id").values_list("id", flat=True)


def _feed_queue_ids() -> list[int]:
    return list(_public_ids_newest_first()[: settings.FEED_QUEUE_LENGTH])


def _user_artwork_ids(user_id: int) -> list[int]:
    return list(
        _public_ids_newest_first().filter(user_id=user_id)[: settings.USER_ARTWORKS_LIST_LENGTH]
    )


def _user_favorite_ids(user_id: int) -> set[int]:
    return set(
        Favorite.objects.filter(
            user_id=user_id, artwork_id__in=artworks_listed().values("id")
        ).values_list("artwork_id", flat=True)
    )


def _hot_pairs() -> list[tuple[int, float]]:
    return list(artworks_listed().order_by().values_list("id", "hot_score"))


# --- converging writes --------------------------------------------------------------------


def _converge(read: Callable[[], T], write: Callable[[T], bool], what: str) -> T:
    """Write what the database says, then read again; repeat until they agree (see above)."""
    value = read()
    for _ in range(_CONVERGE_ATTEMPTS):
        if not write(value):
            return value  # Redis cannot take it now; the reconcile job will
        again = read()
        if again == value:
            return value
        value = again
    logger.warning("Redis index: %s kept changing during sync; left for reconcile", what)
    return value


def _write_artwork_state(artwork_id: int) -> Callable[[ArtworkState | None], bool]:
    def write(state: ArtworkState | None) -> bool:
        if state is None or not state.public:
            return feed_index.artwork_remove(artwork_id=artwork_id)
        return feed_index.artwork_put(
            artwork_id=artwork_id, hot_score=state.hot_score, like_count=state.like_count
        )

    return write


def _sync_artwork_keys(artwork_id: int) -> ArtworkState | None:
    return _converge(
        lambda: _artwork_state(artwork_id),
        _write_artwork_state(artwork_id),
        f"artwork {artwork_id}",
    )


def _sync_feed_queue() -> None:
    _converge(_feed_queue_ids, feed_index.feed_queue_replace, "feed_queue")


def _sync_user_artworks(user_id: int) -> None:
    _converge(
        lambda: _user_artwork_ids(user_id),
        lambda ids: feed_index.user_artworks_replace(user_id, ids),
        f"user {user_id} artworks",
    )


def _sync_one_favorite(*, user_id: int, artwork_id: int) -> None:
    def read() -> bool:
        return Favorite.objects.filter(
            user_id=user_id, artwork_id=artwork_id, artwork__in=artworks_listed().values("id")
        ).exists()

    def write(present: bool) -> bool:
        done = feed_index.favorite_set(user_id=user_id, artwork_id=artwork_id, present=present)
        if done is False:  # the set is absent: build it whole rather than partly
            return feed_index.user_favorites_replace(user_id, _user_favorite_ids(user_id))
        return bool(done)

    _converge(read, write, f"favorite {user_id}/{artwork_id}")


def _sync_favoriters(artwork_id: int) -> None:
    """Everyone who favorited the artwork: in their sets while it is public, out otherwise."""

    def read() -> tuple[bool, list[int]]:
        state = _artwork_state(artwork_id)
        user_ids = Favorite.objects.filter(artwork_id=artwork_id).values_list("user_id", flat=True)
        return bool(state and state.public), sorted(user_ids)

    def write(value: tuple[bool, list[int]]) -> bool:
        public, user_ids = value
        if not user_ids:
            return True
        return feed_index.favorites_update(user_ids=user_ids, artwork_id=artwork_id, present=public)

    _converge(read, write, f"favoriters of {artwork_id}")
