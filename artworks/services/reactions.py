"""Likes and favorites: a member's reaction to a public artwork, counted on its row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from ..models import Artwork, Favorite, Like
from ..ranking import hot_score
from ..selectors import ALL_RATINGS, ratings_shown_to
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
    ratings = ratings_shown_to(user)  # a member's own settings: no query
    try:
        artwork, changed = rows.change(
            user_id=user.pk, artwork_id=artwork_id, add=add, ratings=ratings
        )
    except Artwork.DoesNotExist:
        # An author sees their own work whatever its rating (the visibility rule); asked
        # only once the member's ratings refused it, so that a like costs nothing more.
        if ratings == ALL_RATINGS or not _is_own(artwork_id=artwork_id, user=user):
            raise
        artwork, changed = rows.change(user_id=user.pk, artwork_id=artwork_id, add=add)
    if changed:
        event = reaction.added if add else reaction.removed
        announce(artwork_id=artwork.pk, user_id=user.pk, event=event, author_id=artwork.user_id)
    return artwork


def _is_own(*, artwork_id: int, user: User) -> bool:
    return Artwork.objects.filter(pk=artwork_id, user_id=user.pk).exists()


def member_reactions_remove(*, user_id: int) -> int:
    """Take back every like and favorite of a member (whose account is being deleted): each
    row goes, and the counter and hot score of the artwork it was on move down by one with it,
    in one transaction with the artworks locked; each removal is announced as an unlike or an
    unfavorite is, so the read side drops it (the artwork's score, the member's favorites).
    Whatever the artwork's state: a hidden or draft artwork's counts stay exact too. Returns
    how many rows went."""
    with transaction.atomic():
        liked = set(Like.objects.filter(user_id=user_id).values_list("artwork_id", flat=True))
        kept = set(Favorite.objects.filter(user_id=user_id).values_list("artwork_id", flat=True))
        artworks = list(
            Artwork.objects.select_for_update()
            .filter(pk__in=liked | kept)
            .order_by("pk")
            .only("id", "user_id", "like_count", "favorite_count", "hot_score", "published_at")
        )
        # Read again under the locks: only rows whose artwork is locked are counted here.
        liked = set(Like.objects.filter(user_id=user_id).values_list("artwork_id", flat=True))
        kept = set(Favorite.objects.filter(user_id=user_id).values_list("artwork_id", flat=True))
        Like.objects.filter(user_id=user_id, artwork_id__in=liked).delete()
        Favorite.objects.filter(user_id=user_id, artwork_id__in=kept).delete()
        for artwork in artworks:
            _count_down(artwork, like=artwork.pk in liked, favorite=artwork.pk in kept)
            for event, reacted in ((_LIKE.removed, liked), (_FAVORITE.removed, kept)):
                if artwork.pk in reacted:
                    announce(
                        artwork_id=artwork.pk,
                        user_id=user_id,
                        event=event,
                        author_id=artwork.user_id,
                    )
    return len(liked) + len(kept)


def _count_down(artwork: Artwork, *, like: bool, favorite: bool) -> None:
    artwork.like_count = max(0, artwork.like_count - like)
    artwork.favorite_count = max(0, artwork.favorite_count - favorite)
    artwork.hot_score = hot_score(
        like_count=artwork.like_count,
        favorite_count=artwork.favorite_count,
        published_at=artwork.published_at,
    )
    artwork.save(update_fields=["like_count", "favorite_count", "hot_score"])
