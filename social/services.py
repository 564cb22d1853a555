"""Writes between members: follow and unfollow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Value, When
from django.db.models.functions import Greatest

from common.signals import send_on_commit

from .models import Follow
from .selectors import follow_refusal
from .signals import FollowEvent, follow_changed

if TYPE_CHECKING:
    from accounts.models import User


class FollowRefused(PermissionDenied):
    """`follow_refusal` said no (the API answers 403); the message is for the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


@dataclass(frozen=True)
class FollowState:
    following: bool
    follower_count: int


def user_follow(*, follower: User, followee: User) -> FollowState:
    """`follower` follows `followee` (following twice counts once). Raises FollowRefused."""
    refusal = follow_refusal(actor=follower, user=followee)
    if refusal is not None:
        raise FollowRefused(refusal)
    with transaction.atomic():
        _row, created = Follow.objects.get_or_create(follower=follower, followee=followee)
        if created:
            _move_counts(follower_id=follower.pk, followee_id=followee.pk, by=1)
            _announce(follower=follower, followee=followee, event=FollowEvent.FOLLOWED)
        count = _follower_count(followee.pk)
    return FollowState(following=True, follower_count=count)


def user_unfollow(*, follower: User, followee: User) -> FollowState:
    """`follower` stops following `followee` (unfollowing whom one does not follow changes
    nothing). Anyone signed in may unfollow, whatever `follow_refusal` would say now."""
    with transaction.atomic():
        # The counts move in follow_row_removed (post_delete), for every way a row goes.
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            _announce(follower=follower, followee=followee, event=FollowEvent.UNFOLLOWED)
        count = _follower_count(followee.pk)
    return FollowState(following=False, follower_count=count)


def follow_row_removed(*, follower_id: int, followee_id: int) -> None:
    """A follow row is gone (unfollowed, or by cascade with a deleted member): both members'
    counts move down with it."""
    _move_counts(follower_id=follower_id, followee_id=followee_id, by=-1)


def _move_counts(*, follower_id: int, followee_id: int, by: int) -> None:
    """Move the followee's follower count and the follower's following count by `by` in one
    statement (two members following each other at once lock their rows in the same order);
    a count never goes below zero."""

    def moved(count: str, member_id: int) -> Case:
        by_one = Greatest(F(count) + by, Value(0), output_field=PositiveIntegerField())
        return Case(When(pk=member_id, then=by_one), default=F(count))

    get_user_model().objects.filter(pk__in=[follower_id, followee_id]).update(
        follower_count=moved("follower_count", followee_id),
        following_count=moved("following_count", follower_id),
    )


def _follower_count(user_id: int) -> int:
    users = get_user_model().objects.filter(pk=user_id)
    return users.values_list("follower_count", flat=True).get()


def _announce(*, follower: User, followee: User, event: str) -> None:
    send_on_commit(
        follow_changed,
        sender=Follow,
        follower_id=follower.pk,
        followee_id=followee.pk,
        event=event,
    )
