"""Follow and unfollow, block and unblock, mute and unmute: a member's standing with another
(a block ends the follows between the two, and takes the blocker's work out of the blocked
member's collections)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from accounts import member_cache
from common.signals import send_on_commit

from ..models import Block, Follow, Mute
from ..selectors import (
    follow_refusal,
    pair_refusal,
)
from ..signals import (
    FollowEvent,
    StandingEvent,
    follow_changed,
    standing_changed,
)
from ._base import FollowRefused
from .collections import collection_items_by_author_remove
from .counts import follow_counts_recount

if TYPE_CHECKING:
    from accounts.models import User


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
        deleted, _rows = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            _announce(follower=follower, followee=followee, event=FollowEvent.UNFOLLOWED)
        count = _follower_count(followee.pk)
    return FollowState(following=False, follower_count=count)


def follow_row_removed(*, follower_id: int, followee_id: int) -> None:
    """A follow row is gone (unfollowed, blocked, or by cascade with a deleted member): both
    members' counts are set again from the rows left (a suspended member's row was not
    counted)."""
    follow_counts_recount(user_ids=[follower_id, followee_id])


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
    member_cache.forget(follower_id, followee_id)


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


def user_block(*, blocker: User, blocked: User) -> bool:
    """`blocker` blocks `blocked` (blocking twice changes nothing): the follows between the
    two go, both ways, with their counts, and the blocker's work leaves the blocked member's
    collections. Raises FollowRefused (yourself, a missing member)."""
    _refuse_pair(blocker, blocked, _("You cannot block yourself."))
    with transaction.atomic():
        _row, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        if created:
            between = Follow.objects.filter(
                Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
            )
            for follow in list(between):
                follow.delete()  # follow_row_removed moves the counts
                members = {blocker.pk: blocker, blocked.pk: blocked}
                _announce(
                    follower=members[follow.follower_id],
                    followee=members[follow.followee_id],
                    event=FollowEvent.UNFOLLOWED,
                )
            # What the blocked member may no longer save goes too (unblocking restores none).
            collection_items_by_author_remove(owner=blocked, author=blocker)
            _announce_standing(blocker, blocked, StandingEvent.BLOCKED)
    return True


def user_unblock(*, blocker: User, blocked: User) -> bool:
    """Lift a block (follows removed by it do not come back)."""
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
        if deleted:
            _announce_standing(blocker, blocked, StandingEvent.UNBLOCKED)
    return False


def user_mute(*, muter: User, muted: User) -> bool:
    """`muter` mutes `muted`: their work leaves the muter's following feed (muting twice
    changes nothing; the muted member is not told)."""
    _refuse_pair(muter, muted, _("You cannot mute yourself."))
    with transaction.atomic():
        _row, created = Mute.objects.get_or_create(muter=muter, muted=muted)
        if created:
            _move_muting_count(muter.pk, by=1)
            _announce_standing(muter, muted, StandingEvent.MUTED)
    return True


def user_unmute(*, muter: User, muted: User) -> bool:
    """Undo `user_mute` (the count moves in `mute_row_removed`, for every way a row goes)."""
    with transaction.atomic():
        deleted, _rows = Mute.objects.filter(muter=muter, muted=muted).delete()
        if deleted:
            _announce_standing(muter, muted, StandingEvent.UNMUTED)
    return False


def mute_row_removed(*, muter_id: int) -> None:
    """A mute row is gone (unmuted, or by cascade with a deleted member)."""
    _move_muting_count(muter_id, by=-1)


def _move_muting_count(muter_id: int, *, by: int) -> None:
    moved = Greatest(F("muting_count") + by, Value(0), output_field=PositiveIntegerField())
    get_user_model().objects.filter(pk=muter_id).update(muting_count=moved)
    member_cache.forget(muter_id)


def _refuse_pair(actor: User, user: User, themselves: str) -> None:
    refusal = pair_refusal(actor=actor, user=user, themselves=themselves)
    if refusal is not None:
        raise FollowRefused(refusal)


def _announce_standing(actor: User, user: User, event: str) -> None:
    send_on_commit(standing_changed, sender=Block, actor_id=actor.pk, user_id=user.pk, event=event)


# --- comments ---------------------------------------------------------------------------
