"""Reads between members, and the rule of who may follow whom (one predicate, asked by the
pages, the API and the service alike)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in
from artworks.selectors import artworks_public

from .models import Block, Follow, Mute

if TYPE_CHECKING:
    from accounts.models import User


def follow_refusal(*, actor: User | None, user: User) -> str | None:
    """Why `actor` may not follow `user` (a sentence for them), or None when they may: a
    signed-in, active member may follow any other active member, unless either blocks the
    other."""
    if not user_is_signed_in(actor):
        return _("Sign in to follow members.")
    if actor.pk == user.pk:
        return _("You cannot follow yourself.")
    if not user.is_active:
        return _("No such member.")
    blockers = set(_blocks_between(actor.pk, user.pk).values_list("blocker_id", flat=True))
    if actor.pk in blockers:
        return _("You blocked this member; unblock them to follow them.")
    if blockers:
        return _("You cannot follow this member.")
    return None


def _blocks_between(first_id: int, second_id: int) -> QuerySet:
    return Block.objects.filter(
        Q(blocker_id=first_id, blocked_id=second_id) | Q(blocker_id=second_id, blocked_id=first_id)
    )


def pair_refusal(*, actor: User | None, user: User, themselves: str) -> str | None:
    """Why `actor` may not block or mute `user`, or None: any signed-in member may block or
    mute any other active member. `themselves`: the sentence for trying it on oneself."""
    if not user_is_signed_in(actor):
        return _("Sign in first.")
    if actor.pk == user.pk:
        return themselves
    if not user.is_active:
        return _("No such member.")
    return None


def is_blocked_by(*, viewer: User | None, user: User) -> bool:
    """Whether `user` blocks the viewer (then the viewer is not offered to follow them)."""
    if not user_is_signed_in(viewer) or viewer.pk == user.pk:
        return False
    return Block.objects.filter(blocker_id=user.pk, blocked_id=viewer.pk).exists()


def member_standing(*, viewer: User | None, user: User) -> dict[str, bool]:
    """The viewer's standing with `user` in one query: whether they follow, block or mute
    them, and whether `user` blocks them (all False for a visitor and for themselves)."""
    standing = dict.fromkeys(("following", "blocking", "muting", "blocked_by"), False)
    if not user_is_signed_in(viewer) or viewer.pk == user.pk:
        return standing
    me, them = viewer.pk, user.pk
    rows = (
        Follow.objects.filter(follower_id=me, followee_id=them)
        .annotate(kind=Value("following"))
        .values_list("kind")
        .union(
            Block.objects.filter(blocker_id=me, blocked_id=them)
            .annotate(kind=Value("blocking"))
            .values_list("kind"),
            Block.objects.filter(blocker_id=them, blocked_id=me)
            .annotate(kind=Value("blocked_by"))
            .values_list("kind"),
            Mute.objects.filter(muter_id=me, muted_id=them)
            .annotate(kind=Value("muting"))
            .values_list("kind"),
            all=True,
        )
    )
    for (kind,) in rows:
        standing[kind] = True
    return standing


def muted_by(*, viewer_id: int) -> QuerySet:
    """The ids of the members the viewer mutes, as a subquery (they vanish from the viewer's
    following feed)."""
    return Mute.objects.filter(muter_id=viewer_id).values("muted_id")


def member_pairs_page(
    *, user: User, kind: str, after: tuple[datetime, int] | None, limit: int
) -> list[Block] | list[Mute]:
    """One page of the members `user` blocks (`kind="blocks"`) or mutes (`"mutes"`), newest
    first, the other member loaded: one query (for their settings)."""
    if kind == "blocks":
        rows, other, owner = Block.objects.all(), "blocked", "blocker"
    elif kind == "mutes":
        rows, other, owner = Mute.objects.all(), "muted", "muter"
    else:
        raise ValueError(f"unknown kind {kind!r}")
    rows = rows.filter(**{owner: user})
    if after is not None:
        created_at, last_id = after
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id))
    return list(rows.select_related(other).order_by("-created_at", "-id")[: limit + 1])


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


# How many of the hottest public artworks the suggested creators are drawn from: it bounds the
# work (an index walk and a few rows per author) whatever the number of members and artworks.
SUGGESTION_POOL = 200


def creators_to_follow(*, viewer: User, limit: int = 6) -> list[User]:
    """A few active creators with published, visible work whom `viewer` does not follow yet
    (nor themselves, nor whom they mute, nor anyone on either side of a block with them):
    among the authors of the hottest public artworks (work that is loved now), the most
    followed first, then the most liked (over all their public work): one query."""
    hot_authors = artworks_public().order_by("-hot_score", "-id").values("user_id")
    public_work = artworks_public().filter(user_id=OuterRef("pk")).order_by()
    likes = public_work.values("user_id").annotate(total=Sum("like_count")).values("total")
    creators = (
        _active_members()
        .filter(pk__in=hot_authors[:SUGGESTION_POOL])
        .exclude(pk=viewer.pk)
        .exclude(pk__in=followees_of(follower_id=viewer.pk))
        .exclude(pk__in=muted_by(viewer_id=viewer.pk))
        .exclude(pk__in=Block.objects.filter(blocker_id=viewer.pk).values("blocked_id"))
        .exclude(pk__in=Block.objects.filter(blocked_id=viewer.pk).values("blocker_id"))
        .annotate(likes_received=Subquery(likes))
        .order_by("-follower_count", F("likes_received").desc(nulls_last=True), "-id")
    )
    return list(creators[: max(0, limit)])
