"""Reads between members, and the rule of who may follow whom (one predicate, asked by the
pages, the API and the service alike)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in

from .models import Follow

if TYPE_CHECKING:
    from accounts.models import User


def follow_refusal(*, actor: User | None, user: User) -> str | None:
    """Why `actor` may not follow `user` (a sentence for them), or None when they may: a
    signed-in, active member may follow any other active member."""
    if not user_is_signed_in(actor):
        return _("Sign in to follow members.")
    if actor.pk == user.pk:
        return _("You cannot follow yourself.")
    if not user.is_active:
        return _("No such member.")
    return None


def can_follow(*, actor: User | None, user: User) -> bool:
    return follow_refusal(actor=actor, user=user) is None


def is_following(*, viewer: User | None, user: User) -> bool:
    """Whether the viewer follows `user` (one query; none for a visitor or themselves)."""
    if not user_is_signed_in(viewer) or viewer.pk == user.pk:
        return False
    return Follow.objects.filter(follower_id=viewer.pk, followee_id=user.pk).exists()


def followed_ids(*, viewer: User | None, user_ids: list[int]) -> set[int]:
    """Which of `user_ids` the viewer follows (one query; none for a visitor)."""
    if not user_is_signed_in(viewer) or not user_ids:
        return set()
    rows = Follow.objects.filter(follower_id=viewer.pk, followee_id__in=user_ids)
    return set(rows.values_list("followee_id", flat=True))


def followees_of(*, follower_id: int) -> QuerySet:
    """The ids of the members `follower_id` follows, as a subquery."""
    return Follow.objects.filter(follower_id=follower_id).values("followee_id")


def _active_members() -> QuerySet:
    return get_user_model().objects.filter(is_active=True)


def follow_rows_page(
    *, user: User, direction: str, after: tuple[datetime, int] | None, limit: int
) -> list[Follow]:
    """One page of `user`'s followers (`direction="followers"`) or of the members they follow
    (`"following"`), newest follow first, active members only, the other member loaded: one
    query. `after`: the (created_at, id) of the last row of the previous page."""
    if direction == "followers":
        rows = Follow.objects.filter(followee=user, follower__in=_active_members())
        other = "follower"
    elif direction == "following":
        rows = Follow.objects.filter(follower=user, followee__in=_active_members())
        other = "followee"
    else:
        raise ValueError(f"unknown direction {direction!r}")
    if after is not None:
        created_at, last_id = after
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id))
    return list(rows.select_related(other).order_by("-created_at", "-id")[: limit + 1])
