"""Keeping the Redis feed index (feed.redis_index) in step with the database.

The database is the source of truth. `index_sync_artwork` runs after every announced change
(through feed.tasks.sync_artwork): it reads the artwork's current state and makes every key
agree, whatever happened before — running it twice changes nothing more than running it once.

Two syncs of one artwork can run at once (parallel reactions). Either may read the database
before the other's change committed and write last. So every write is followed by a second
read, and repeated until the two agree: the last write to any key is then never stale.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.db.models import BooleanField, Case, QuerySet, Value, When

from artworks.models import Artwork, Favorite
from artworks.selectors import artwork_public_q, artworks_public
from artworks.signals import ArtworkEvent
from common.tasks import enqueue

from .redis_index import feed_index

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


def _artwork_state(artwork_id: int) -> ArtworkState | None:
    row = (
        Artwork.objects.filter(pk=artwork_id)
        .annotate(
            is_public=Case(
                When(artwork_public_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values_list("user_id", "is_public", "hot_score", "like_count")
        .first()
    )
    return ArtworkState(*row) if row else None


def _public_ids_newest_first() -> QuerySet[Artwork, int]:
    return artworks_public().order_by("-published_at", "-id").values_list("id", flat=True)


def _feed_queue_ids() -> list[int]:
    return list(_public_ids_newest_first()[: settings.FEED_QUEUE_LENGTH])


def _user_artwork_ids(user_id: int) -> list[int]:
    return list(
        _public_ids_newest_first().filter(user_id=user_id)[: settings.USER_ARTWORKS_LIST_LENGTH]
    )


def _user_favorite_ids(user_id: int) -> set[int]:
    return set(
        Favorite.objects.filter(
            user_id=user_id, artwork_id__in=artworks_public().values("id")
        ).values_list("artwork_id", flat=True)
    )


def _hot_pairs() -> list[tuple[int, float]]:
    return list(artworks_public().order_by().values_list("id", "hot_score"))


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
            user_id=user_id, artwork_id=artwork_id, artwork__in=artworks_public().values("id")
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


# --- entry points -------------------------------------------------------------------------


def index_sync_artwork(*, artwork_id: int, user_id: int | None = None, event: str = "") -> None:
    """Make every key agree with the artwork's current state in the database.

    `user_id` is the one the change concerns: the author for publish/unpublish/delete (a
    deleted row no longer says who its author was), the reacting user for a reaction."""
    if not feed_index.available():
        return
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
        .annotate(
            is_public=Case(
                When(artwork_public_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
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
    public_ids = artworks_public().filter(user_id=user_id).values("id")
    rows = (
        Favorite.objects.filter(artwork__user_id=user_id)
        .annotate(
            is_public=Case(
                When(artwork_id__in=public_ids, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
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
    from .tasks import sync_artwork  # tasks call these services

    for artwork_id in artwork_ids:
        if feed_index.claim(f"resync:{artwork_id}", seconds=_RESYNC_CLAIM_SECONDS):
            enqueue_sync(sync_artwork, artwork_id=artwork_id, user_id=None, event="")


def enqueue_sync(task, *, artwork_id: int, user_id: int | None, event: str) -> None:
    """Queue a sync; when the broker cannot take it, run it here (it is idempotent and Redis
    calls are bounded by short timeouts)."""
    _enqueue_or_run(task, (artwork_id, user_id), {"event": event}, f"artwork {artwork_id}")


def enqueue_user_sync(task, *, user_id: int) -> None:
    """Queue the sync of all of a user's artworks (see index_sync_user), or run it here."""
    _enqueue_or_run(task, (user_id,), {}, f"user {user_id}")


def _enqueue_or_run(task, args: tuple, kwargs: dict, what: str) -> None:
    if enqueue(task, *args, **kwargs):
        return
    logger.info("could not queue %s for %s; running it here", task.name, what)
    try:
        task.apply(args=args, kwargs=kwargs)
    except Exception:
        logger.exception("Redis index sync failed for %s", what)


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
        artworks_public().order_by("user_id", "-published_at", "-id").values_list("user_id", "id")
    ):
        user_artworks[user_id].append(artwork_id)
    user_favorites: dict[int, set[int]] = defaultdict(set)
    for user_id, artwork_id in Favorite.objects.filter(
        artwork_id__in=artworks_public().values("id")
    ).values_list("user_id", "artwork_id"):
        user_favorites[user_id].add(artwork_id)
    likes = dict(artworks_public().order_by().values_list("id", "like_count"))
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

    public_likes = dict(artworks_public().order_by().values_list("id", "like_count"))
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
