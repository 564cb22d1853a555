"""Likes and favorites: a member's reaction to a public artwork, counted on its row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import Artwork, Favorite, Like
from ..signals import ArtworkEvent
from ._base import announce
from ._reaction_rows import reaction_rows

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class _Reaction:
    """A kind of reaction: its rows (and the artwork's counter of them), and its events."""

    model: type[Like] | type[Favorite]
    added: str
    removed: str


_LIKE = _Reaction(Like, ArtworkEvent.LIKED, ArtworkEvent.UNLIKED)
_FAVORITE = _Reaction(Favorite, ArtworkEvent.FAVORITED, ArtworkEvent.UNFAVORITED)


def artwork_like(*, artwork_id: int, user: User) -> Artwork:
    return _react(_LIKE, user=user, artwork_id=artwork_id, add=True)


def artwork_unlike(*, artwork_id: int, user: User) -> Artwork:
    return _react(_LIKE, user=user, artwork_id=artwork_id, add=False)


def artwork_favorite(*, artwork_id: int, user: User) -> Artwork:
    return _react(_FAVORITE, user=user, artwork_id=artwork_id, add=True)


def artwork_unfavorite(*, artwork_id: int, user: User) -> Artwork:
    return _react(_FAVORITE, user=user, artwork_id=artwork_id, add=False)


def _react(reaction: _Reaction, *, user: User, artwork_id: int, add: bool) -> Artwork:
    """Add or remove `user`'s reaction to a public artwork (idempotent: the artwork's counter
    moves only with a row really added or removed); a change is announced once committed."""
    rows = reaction_rows(reaction.model)
    artwork, changed = rows.change(user_id=user.pk, artwork_id=artwork_id, add=add)
    if changed:
        event = reaction.added if add else reaction.removed
        announce(artwork_id=artwork.pk, user_id=user.pk, event=event, author_id=artwork.user_id)
    return artwork
