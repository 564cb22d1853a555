"""Likes and favorites: a member's reaction to a public artwork, counted on its row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.db import transaction

from ..models import Artwork, Favorite, Like
from ..ranking import hot_score
from ..selectors import artwork_is_visible_to
from ..signals import ArtworkEvent
from ._base import announce
from ._reaction_rows import reaction_rows

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
    rows = reaction_rows(reaction.model)
    with transaction.atomic(using=rows.alias):
        # Concurrent reactions to one artwork serialise on its row (no lost updates).
        artwork = rows.lock(artwork_id)
        if not artwork_is_visible_to(artwork=artwork, viewer=None):
            raise Artwork.DoesNotExist  # only public artworks take reactions
        change = rows.add if add else rows.remove
        if change(user_id=user.pk, artwork_id=artwork.pk):
            # Recount from the rows: exact, and the row lock makes it race-free.
            setattr(artwork, reaction.counter, rows.count(artwork_id=artwork.pk))
            artwork.hot_score = hot_score(
                like_count=artwork.like_count,
                favorite_count=artwork.favorite_count,
                published_at=artwork.published_at,
            )
            rows.store_counts(artwork)
            event = reaction.added if add else reaction.removed
            announce(artwork_id=artwork.pk, user_id=user.pk, event=event, author_id=artwork.user_id)
    return artwork
