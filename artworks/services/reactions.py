"""Likes and favorites: a member's reaction to a public artwork, counted on its row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.db import IntegrityError, transaction

from ..models import Artwork, Favorite, Like
from ..ranking import hot_score
from ..selectors import artwork_is_visible_to
from ..signals import ArtworkEvent
from ._base import announce

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class _Reaction:
    """A kind of reaction: its rows, the artwork's counter of them, and its events."""

    model: type[Like] | type[Favorite]
    counter: Literal["like_count", "favorite_count"]
    added: str
    removed: str


_LIKE = _Reaction(Like, "like_count", ArtworkEvent.LIKED, ArtworkEvent.UNLIKED)
_FAVORITE = _Reaction(Favorite, "favorite_count", ArtworkEvent.FAVORITED, ArtworkEvent.UNFAVORITED)


def artwork_like(*, artwork_id: int, user: User) -> Artwork:
    return _react(_LIKE, user=user, artwork_id=artwork_id, add=True)


def artwork_unlike(*, artwork_id: int, user: User) -> Artwork:
    return _react(_LIKE, user=user, artwork_id=artwork_id, add=False)


def artwork_favorite(*, artwork_id: int, user: User) -> Artwork:
    return _react(_FAVORITE, user=user, artwork_id=artwork_id, add=True)


def artwork_unfavorite(*, artwork_id: int, user: User) -> Artwork:
    return _react(_FAVORITE, user=user, artwork_id=artwork_id, add=False)


def _react(reaction: _Reaction, *, user: User, artwork_id: int, add: bool) -> Artwork:
    """Add or remove `user`'s reaction (idempotent); a change recounts and is announced."""
    with transaction.atomic():
        artwork = _lock_reactable(artwork_id=artwork_id)
        rows = reaction.model.objects
        if add:
            try:
                with transaction.atomic():
                    _, changed = rows.get_or_create(user=user, artwork=artwork)
            except IntegrityError:  # a concurrent duplicate: it already counts once
                changed = False
        else:
            changed = rows.filter(user=user, artwork=artwork).delete()[0] > 0
        if changed:
            # Recount from the rows: exact, and the row lock makes it race-free.
            setattr(artwork, reaction.counter, rows.filter(artwork=artwork).count())
            _store_counts(artwork)
            event = reaction.added if add else reaction.removed
            announce(artwork_id=artwork.pk, user_id=user.pk, event=event, author_id=artwork.user_id)
    return artwork


_REACTION_FIELDS = (
    "id",
    "user_id",
    "user__id",
    "user__is_active",
    "status",
    "moderation",
    "title",
    "slug",
    "like_count",
    "favorite_count",
    "hot_score",
    "published_at",
)


def _lock_reactable(*, artwork_id: int) -> Artwork:
    """Lock the artwork row so concurrent reactions serialise on it (no lost updates); only
    public artworks take reactions."""
    # of=("self",): lock the artwork only. Locking the joined author row too would make every
    # reaction to any of an author's artworks wait on one row (and block the author's own
    # account writes, such as a sign-in).
    # Only what a reaction reads and its answers show (counts, state, the page's address): the
    # row's large fields (prompt, placeholder, thumbnails) cost more to load than the write.
    artwork = (
        Artwork.objects.select_for_update(of=("self",))
        .select_related("user")
        .only(*_REACTION_FIELDS)
        .get(pk=artwork_id)
    )
    if not artwork_is_visible_to(artwork=artwork, viewer=None):
        raise Artwork.DoesNotExist
    return artwork


def _store_counts(artwork: Artwork) -> None:
    artwork.hot_score = hot_score(
        like_count=artwork.like_count,
        favorite_count=artwork.favorite_count,
        published_at=artwork.published_at,
    )
    Artwork.objects.filter(pk=artwork.pk).update(
        like_count=artwork.like_count,
        favorite_count=artwork.favorite_count,
        hot_score=artwork.hot_score,
    )
