"""The counts the pages show, set again from the rows when a path other than a plain follow or
comment changes them: a row removed (by the service or by cascade), a comment hidden or shown,
a member suspended or restored. What each count holds:

- `users.follower_count`: follows of the member by active members; `following_count`: follows
  of active members by the member (a suspended member leaves both sides' counts, and comes
  back with the restoration);
- `artworks.comment_count`: the comments the public reads (`comments_shown_to(viewer=None)`),
  replies under a top-level comment the public reads.

Each recount locks its rows first (in id order), then counts in a new statement, so it sees
every write committed before it and none after it is lost (a follow or a comment moves the
count by one after taking the same lock)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts import member_cache
from artworks.models import Artwork

from ..models import Comment, Follow
from ..selectors import comments_readable_by


def _counted(rows: QuerySet, group: str) -> Coalesce:
    counted = rows.filter(**{group: OuterRef("pk")}).values(group).annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")), Value(0), output_field=IntegerField())


def follow_counts_recount(*, user_ids: Iterable[int]) -> None:
    """Set these members' follower and following counts from the follow rows."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    users = get_user_model().objects
    with transaction.atomic():
        list(users.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        users.filter(pk__in=ids).update(
            follower_count=_counted(Follow.objects.filter(follower__is_active=True), "followee"),
            following_count=_counted(Follow.objects.filter(followee__is_active=True), "follower"),
        )
        member_cache.forget(*ids)


def public_comments() -> QuerySet[Comment]:
    """The comments `artworks.comment_count` counts."""
    return comments_readable_by(viewer=None)


def comment_counts_recount(*, artwork_ids: Iterable[int]) -> None:
    """Set these artworks' comment counts from the comment rows."""
    ids = sorted(set(artwork_ids))
    if not ids:
        return
    with transaction.atomic():
        list(Artwork.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        Artwork.objects.filter(pk__in=ids).update(
            comment_count=_counted(public_comments(), "artwork")
        )


def member_counts_recount(*, user_id: int) -> list[int]:
    """A member was suspended or restored: the counts that hold their follows and comments.
    Returns the ids of the artworks whose comments they were in."""
    follows = Follow.objects.filter(Q(follower_id=user_id) | Q(followee_id=user_id))
    members = {user_id}
    for follower_id, followee_id in follows.values_list("follower_id", "followee_id"):
        members.update((follower_id, followee_id))
    follow_counts_recount(user_ids=members)
    commented = Comment.objects.filter(Q(author_id=user_id) | Q(parent__author_id=user_id))
    artwork_ids = list(commented.values_list("artwork_id", flat=True).distinct())
    comment_counts_recount(artwork_ids=artwork_ids)
    return artwork_ids
