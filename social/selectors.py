"""Reads between members, and the rules of who may follow whom and who may comment where
(one predicate each, asked by the pages, the API and the services alike)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.selectors import staff_has_perm, user_is_signed_in
from artworks.models import Artwork
from artworks.selectors import artwork_is_visible_to, artworks_public

from .models import Block, Comment, Follow, Mute

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
    first, the other member loaded: one query (for their settings). A suspended member is left
    out, as from every list (their profile is gone), and comes back with their restoration."""
    if kind == "blocks":
        rows, other, owner = Block.objects.all(), "blocked", "blocker"
    elif kind == "mutes":
        rows, other, owner = Mute.objects.all(), "muted", "muter"
    else:
        raise ValueError(f"unknown kind {kind!r}")
    rows = rows.filter(**{owner: user, f"{other}__is_active": True})
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


@dataclass(frozen=True)
class FollowStates:
    """The viewer's standing with the members of a list, for their follow buttons."""

    followed: frozenset[int] = frozenset()  # those the viewer follows
    blocked: frozenset[int] = frozenset()  # those blocking the viewer or blocked by them


def follow_states(*, viewer: User | None, user_ids: list[int]) -> FollowStates:
    """Which of `user_ids` the viewer follows, and which stand in a block with them either
    way (no follow button for those, as on their profile: `member_standing`). One query;
    none for a visitor."""
    if not user_is_signed_in(viewer) or not user_ids:
        return FollowStates()
    me = viewer.pk
    rows = (
        Follow.objects.filter(follower_id=me, followee_id__in=user_ids)
        .annotate(kind=Value("followed"))
        .values_list("followee_id", "kind")
        .union(
            Block.objects.filter(blocker_id=me, blocked_id__in=user_ids)
            .annotate(kind=Value("blocked"))
            .values_list("blocked_id", "kind"),
            Block.objects.filter(blocker_id__in=user_ids, blocked_id=me)
            .annotate(kind=Value("blocked"))
            .values_list("blocker_id", "kind"),
            all=True,
        )
    )
    found: dict[str, set[int]] = {"followed": set(), "blocked": set()}
    for user_id, kind in rows:
        found[kind].add(user_id)
    return FollowStates(frozenset(found["followed"]), frozenset(found["blocked"]))


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


# --- comments ---------------------------------------------------------------------------

MODERATE_COMMENT = "social.moderate_comment"


def comment_staff_sees_all(viewer: User | None) -> bool:
    """Staff who may moderate comments see them all (hidden ones, a suspended author's)."""
    return staff_has_perm(actor=viewer, perm=MODERATE_COMMENT)


def comment_refusal(
    *, actor: User | None, artwork: Artwork, blocked_by: bool | None = None
) -> str | None:
    """Why `actor` may not comment on `artwork` (a sentence for them), or None when they may:
    a signed-in, active member may comment on a published artwork they may see (the
    visibility rule) and the public sees too (listed, as for likes: staff see hidden work and
    a suspended member's to moderate it, not to discuss it), unless its author blocks them.
    (A member who blocks the author may still comment: the block keeps the blocked member
    away, not the other way round.)
    `blocked_by`: whether the author blocks the actor, when the page has read it already
    (`member_standing`); else it is read here (one query)."""
    if not user_is_signed_in(actor):
        return _("Sign in to comment.")
    if not artwork_is_visible_to(artwork=artwork, viewer=actor):
        return _("No such artwork.")
    if artwork.status != Artwork.Status.PUBLISHED:
        return _("Comments open once the artwork is published.")
    if not artwork_is_visible_to(artwork=artwork, viewer=None, any_rating=True):
        return _("Comments are closed while this artwork is hidden.")
    if blocked_by is None:
        blocked_by = artwork.user_id != actor.pk and is_blocked_by(viewer=actor, user=artwork.user)
    if blocked_by:
        return _("You cannot comment on this member's work.")
    return None


def can_comment(*, actor: User | None, artwork: Artwork) -> bool:
    return comment_refusal(actor=actor, artwork=artwork) is None


def can_delete_comment(*, actor: User | None, comment: Comment) -> bool:
    """Whether `actor` may delete `comment`: its author, the author of the artwork it is on,
    or staff with `social.moderate_comment`. (`comment.artwork` is read: load it.)"""
    if not user_is_signed_in(actor):
        return False
    if actor.pk in (comment.author_id, comment.artwork.user_id):
        return True
    return comment_staff_sees_all(actor)


def can_moderate_comments(*, actor: User | None) -> bool:
    """Whether `actor` may hide and unhide comments (and delete anyone's)."""
    return comment_staff_sees_all(actor)


def comments_shown_to(*, viewer: User | None) -> QuerySet[Comment]:
    """The comments `viewer` may read (on an artwork they may see: the caller asks the
    visibility rule): all for staff who moderate comments; for everyone else, those not
    hidden and whose author is active. A suspended member's comments are left out here, not
    rewritten, so they come back with the member's restoration."""
    comments = Comment.objects.all()
    if comment_staff_sees_all(viewer):
        return comments
    return comments.filter(hidden_at__isnull=True, author__is_active=True)


def comments_readable_by(*, viewer: User | None) -> QuerySet[Comment]:
    """`comments_shown_to` less the replies the pages do not show: those in a thread whose
    first comment the viewer may not read (hidden, or by a suspended member) go with it. What
    `artworks.comment_count` counts (for the public), and what a notification may be about."""
    shown = comments_shown_to(viewer=viewer)
    if comment_staff_sees_all(viewer):
        return shown
    return shown.filter(
        Q(parent__isnull=True) | Q(parent__hidden_at__isnull=True, parent__author__is_active=True)
    )


def comment_is_shown_to(*, comment: Comment, viewer: User | None) -> bool:
    """The same rule as `comments_shown_to`, for a comment in memory (its author loaded)."""
    if comment_staff_sees_all(viewer):
        return True
    return comment.hidden_at is None and comment.author.is_active


class InvalidCommentCursor(ValueError):
    """A cursor that `comments_page` did not make."""


@dataclass(frozen=True)
class CommentPage:
    items: list[Comment]  # top-level comments, each with `shown_replies` (a list) set
    next_cursor: str | None


def _comment_cursor(comment: Comment) -> str:
    raw = f"{comment.created_at.isoformat()}|{comment.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def comment_cursor_at(comment: Comment) -> str:
    """A cursor for `comments_page` whose page begins with the top-level `comment` (where the
    pages send a member back to the comment they just wrote)."""
    raw = f"{comment.created_at.isoformat()}|{comment.pk - 1}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _comment_after(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, comment_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        # In UTC here: a time that leaves the calendar when moved there fails now, not in the
        # query.
        return datetime.fromisoformat(created_at).astimezone(UTC), int(comment_id)
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCommentCursor(
            _("This page link is invalid; start again from the first page.")
        ) from exc


def comments_page(
    *, artwork: Artwork, viewer: User | None, cursor: str | None, limit: int
) -> CommentPage:
    """One page of `artwork`'s top-level comments that the viewer may read, oldest first, with
    all their replies the viewer may read (oldest first, as `shown_replies`), the authors
    loaded: two queries (one without comments), whatever the number. The caller has checked
    that the viewer may see the artwork. `cursor`: `next_cursor` of the previous page. For a
    signed-in viewer each top-level comment says whether its author blocks them
    (`author_blocks_viewer`: no reply there, as `comment_create` says), in the same query."""
    shown = comments_shown_to(viewer=viewer).filter(artwork=artwork).select_related("author")
    top = shown.filter(parent__isnull=True)
    if user_is_signed_in(viewer):
        blocks = Block.objects.filter(blocker_id=OuterRef("author_id"), blocked_id=viewer.pk)
        top = top.annotate(author_blocks_viewer=Exists(blocks))
    if cursor:
        created_at, last_id = _comment_after(cursor)
        top = top.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=last_id))
    rows = list(top.order_by("created_at", "id")[: max(1, limit) + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    replies: dict[int, list[Comment]] = {row.pk: [] for row in rows}
    if rows:
        for reply in shown.filter(parent_id__in=list(replies)).order_by("created_at", "id"):
            reply.artwork = artwork
            replies[reply.parent_id].append(reply)
    for row in rows:
        row.artwork = artwork
        row.shown_replies = replies[row.pk]
    return CommentPage(items=rows, next_cursor=_comment_cursor(rows[-1]) if more else None)


# `@name` where a word starts (not inside an address or another word): the member's username.
# Only the characters of a username (ASCII) join it to the text around: Chinese writes a name
# against its words ("谢谢@ada的画"), as a space would stand in English.
MENTION_PATTERN = re.compile(
    r"(?<![A-Za-z0-9_@/.+-])@(?P<name>[A-Za-z0-9_-]{3,30})(?![A-Za-z0-9_-])"
)


def mentioned_members(bodies: Iterable[str]) -> dict[str, User]:
    """The active members mentioned (`@username`) in `bodies`, by lower-case username, in the
    order they are first written: one query for a whole page of comments (none when nobody is
    mentioned)."""
    names = {m["name"].lower(): None for body in bodies for m in MENTION_PATTERN.finditer(body)}
    if not names:
        return {}
    members = (
        _active_members()
        .annotate(username_lower=Lower("username"))
        .filter(username_lower__in=list(names))
    )
    found = {member.username.lower(): member for member in members}
    return {name: found[name] for name in names if name in found}


def comment_mentions(comments: Iterable[Comment]) -> dict[int, dict[str, User]]:
    """For each comment (by id), the members its `@username`s may link to: active members,
    less those who block the comment's author (a blocked member cannot mention them). Two
    queries for a whole page (none when nobody is mentioned)."""
    comments = list(comments)
    members = mentioned_members(c.body for c in comments)
    if not members:
        return {c.pk: {} for c in comments}
    blocks = set(
        Block.objects.filter(
            blocker_id__in=[m.pk for m in members.values()],
            blocked_id__in={c.author_id for c in comments},
        ).values_list("blocker_id", "blocked_id")
    )
    return {
        c.pk: {
            name: member
            for name, member in members.items()
            if (member.pk, c.author_id) not in blocks
        }
        for c in comments
    }
