"""Comments: post, delete, and staff hiding; the artwork's comment count moves with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, PositiveIntegerField, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffAction
from accounts.services import staff_action_record
from artworks.models import Artwork
from artworks.selectors import artwork_get_visible
from common.signals import send_on_commit
from common.text import text_strip

from ..models import COMMENT_MAX_LENGTH, Comment
from ..selectors import (
    can_delete_comment,
    can_moderate_comments,
    comment_is_shown_to,
    comment_refusal,
    is_blocked_by,
)
from ..signals import (
    CommentEvent,
    comment_changed,
)
from ._base import CommentRefused
from .counts import comment_counts_recount

if TYPE_CHECKING:
    from accounts.models import User


def _clean_comment_body(body: str) -> str:
    """The body as stored: line breaks as one character (a form sent without JavaScript
    writes CR LF, counted as one by the textarea's limit), without control characters (they
    show nothing and no page may hold them), nor whitespace or invisible characters at either
    end; one of nothing else is empty."""
    if "\x00" in (body or ""):
        raise ValidationError(_("A comment cannot contain NUL characters."))
    body = text_strip((body or "").replace("\r\n", "\n").replace("\r", "\n"))
    if not body:
        raise ValidationError(_("Write something first: a comment cannot be empty."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("A comment can be at most %(max)d characters long (this one has %(length)d).")
            % {"max": COMMENT_MAX_LENGTH, "length": len(body)}
        )
    return body


def _reply_parent(*, author: User, artwork: Artwork, parent_id: int) -> Comment:
    """The top-level comment a reply goes under, locked until the reply is saved (so it cannot
    be deleted in between). A reply to a reply goes under that reply's own parent: replies are
    one level deep, and a thread stays together. CommentRefused when the author of the comment
    replied to (or of its thread's first) blocks `author`."""
    parent = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk=parent_id)
        .first()
    )
    if parent is not None and parent.artwork_id != artwork.pk:
        raise ValidationError(_("You can only reply to a comment on the same artwork."))
    if parent is None or not comment_is_shown_to(comment=parent, viewer=author):
        raise ValidationError(_("The comment you are replying to is no longer there."))
    if parent.author_id != author.pk and is_blocked_by(viewer=author, user=parent.author):
        # A block keeps the blocked member out of the blocker's threads too, on anyone's work.
        raise CommentRefused(_("You cannot reply to this member's comments."))
    if parent.parent_id is not None:
        return _reply_parent(author=author, artwork=artwork, parent_id=parent.parent_id)
    return parent


def comment_create(
    *, author: User, artwork_id: int, body: str, parent_id: int | None = None
) -> Comment:
    """`author` comments on the artwork (or replies under `parent_id`). Raises
    Artwork.DoesNotExist when the author may not see the artwork (the visibility rule),
    CommentRefused when `comment_refusal` says no, ValidationError for the body or the parent.
    Nothing is saved on a refusal."""
    artwork = artwork_get_visible(artwork_id=artwork_id, viewer=author)
    refusal = comment_refusal(actor=author, artwork=artwork)
    if refusal is not None:
        raise CommentRefused(refusal)
    body = _clean_comment_body(body)
    with transaction.atomic():
        parent = None
        if parent_id is not None:
            parent = _reply_parent(author=author, artwork=artwork, parent_id=parent_id)
        comment = Comment.objects.create(artwork=artwork, author=author, parent=parent, body=body)
        # The count holds what the public reads: a moderator's reply in a hidden thread (or
        # under a suspended member's comment) is not, until the thread comes back.
        if parent is None or comment_is_shown_to(comment=parent, viewer=None):
            _move_comment_count(artwork.pk, by=1)
        _announce_comment(comment, CommentEvent.POSTED)
    return comment


def comment_delete(*, actor: User, comment_id: int) -> None:
    """Delete a comment (and, for a top-level one, its replies). Raises Comment.DoesNotExist,
    or CommentRefused unless `can_delete_comment`. Staff deleting someone else's comment on
    someone else's work is logged. The counts move in `comment_row_removed` (post_delete),
    once per row, whichever way a row goes."""
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("artwork", "author")
            .get(pk=comment_id)
        )
        if not can_delete_comment(actor=actor, comment=comment):
            raise CommentRefused(_("You cannot delete this comment."))
        if actor.pk not in (comment.author_id, comment.artwork.user_id):
            _log_comment_action(actor, comment, StaffAction.Action.COMMENT_DELETE, "")
        Comment.objects.filter(pk=comment.pk).delete()
        _announce_comment(comment, CommentEvent.DELETED)


def comment_row_removed(*, artwork_id: int) -> None:
    """A comment row is gone (deleted, or by cascade with its artwork, author or parent): the
    count is set again from the rows left (the row may not have been counted: hidden, or by a
    suspended member). Nothing to count when the artwork went with it."""
    comment_counts_recount(artwork_ids=[artwork_id])


def comment_hide(*, actor: User, comment: Comment, reason: str = "") -> Comment:
    """Staff hide a comment (and so its replies) from everyone but staff: logged; hiding twice
    changes nothing."""
    return _set_hidden(actor=actor, comment=comment, hidden=True, reason=reason)


def comment_unhide(*, actor: User, comment: Comment, reason: str = "") -> Comment:
    """Undo `comment_hide`."""
    return _set_hidden(actor=actor, comment=comment, hidden=False, reason=reason)


def _set_hidden(*, actor: User, comment: Comment, hidden: bool, reason: str) -> Comment:
    if not can_moderate_comments(actor=actor):
        raise CommentRefused(_("Only staff who moderate comments can do that."))
    with transaction.atomic():
        locked = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("artwork")
            .get(pk=comment.pk)
        )
        if locked.is_hidden == hidden:
            return locked
        locked.hidden_at = timezone.now() if hidden else None
        locked.hidden_reason = reason if hidden else ""
        locked.save(update_fields=["hidden_at", "hidden_reason"])
        # The replies under a top-level comment leave the count with it, and come back.
        comment_counts_recount(artwork_ids=[locked.artwork_id])
        action = StaffAction.Action.COMMENT_HIDE if hidden else StaffAction.Action.COMMENT_UNHIDE
        _log_comment_action(actor, locked, action, reason)
        _announce_comment(locked, CommentEvent.HIDDEN if hidden else CommentEvent.UNHIDDEN)
    return locked


def _log_comment_action(actor: User, comment: Comment, action: str, reason: str) -> None:
    staff_action_record(
        actor=actor,
        action=action,
        target_type=StaffAction.TargetType.COMMENT,
        target_id=comment.pk,
        target_repr=f"#{comment.pk} on artwork #{comment.artwork_id}: {comment.body[:80]}",
        reason=reason,
    )


def _move_comment_count(artwork_id: int, *, by: int) -> None:
    """Move the artwork's comment count by `by` in one statement; never below zero."""
    moved = Greatest(F("comment_count") + by, Value(0), output_field=PositiveIntegerField())
    Artwork.objects.filter(pk=artwork_id).update(comment_count=moved)


def _announce_comment(comment: Comment, event: str) -> None:
    send_on_commit(
        comment_changed,
        sender=Comment,
        artwork_id=comment.artwork_id,
        artwork_author_id=comment.artwork.user_id,
        comment_id=comment.pk,
        author_id=comment.author_id,
        event=event,
    )
