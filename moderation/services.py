"""Writes of moderation: members report artworks and comments; staff resolve the reports.

Resolving goes through the `artworks`, `social` and `accounts` moderation services, so hiding
an artwork (or a comment) from a report is the same act (same log entry, same announcement)
as hiding it from the artworks (or comments) list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffAction
from accounts.services import require_staff, user_suspend
from artworks.models import Artwork
from artworks.selectors import artwork_is_visible_to
from artworks.services import artwork_hide
from common import ratelimit
from common.exceptions import StateConflict
from common.text import text_strip
from social.models import Comment
from social.selectors import can_moderate_comments, comment_is_shown_to
from social.services import comment_hide

from .models import Report
from .selectors import can_resolve_report

if TYPE_CHECKING:
    from accounts.models import User


class ReportRateLimited(Exception):
    """The member sent more reports than settings.RATE_LIMITS["report"] allows."""

    message = gettext_lazy("You have sent many reports in a short time. Please try again later.")


def _check_reason(reason: str, details: str) -> str:
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    details = text_strip(details or "")  # as every stored text: no control characters
    if reason == Report.Reason.OTHER and not details:
        raise ValidationError({"details": _("Tell us what is wrong when you choose “Other”.")})
    return details[:2000]


def _file(
    *, reporter: User, already: str, artwork: Artwork, comment: Comment | None, **fields: str
) -> Report:
    """Save the report unless the member has an open one on the same target (`already`) or
    is over the rate limit."""
    if Report.objects.filter(
        reporter=reporter, artwork=artwork, comment=comment, status=Report.Status.OPEN
    ).exists():
        raise StateConflict(already)
    if ratelimit.hit(scope="report", key=f"user:{reporter.pk}"):
        raise ReportRateLimited(ReportRateLimited.message)
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter, artwork=artwork, comment=comment, **fields
            )
    except IntegrityError:  # a concurrent duplicate: the constraint keeps one open report
        raise StateConflict(already) from None


def report_create(*, reporter: User, artwork: Artwork, reason: str, details: str = "") -> Report:
    """File a report. Raises Artwork.DoesNotExist when the reporter cannot see the artwork
    (so a hidden artwork or a foreign draft is indistinguishable from a missing one),
    ValidationError for bad input, StateConflict (a ValidationError) for a second open report,
    ReportRateLimited when over the limit."""
    if not (reporter.is_authenticated and reporter.is_active):
        raise PermissionDenied(_("Sign in to report an artwork."))
    if not artwork_is_visible_to(artwork=artwork, viewer=reporter):
        raise Artwork.DoesNotExist
    if artwork.user_id == reporter.pk:
        raise ValidationError(_("You cannot report your own artwork."))
    details = _check_reason(reason, details)
    already = _("You have already reported this artwork; moderators will look at it.")
    return _file(
        reporter=reporter,
        already=already,
        artwork=artwork,
        comment=None,
        reason=reason,
        details=details,
    )


def comment_reportable_by(*, reporter: User | None, comment: Comment) -> bool:
    """Whether `reporter` may see `comment` (and so report it): its artwork by the visibility
    rule, and the comment by the comments' own (`comment.artwork` and `.author` are read)."""
    return bool(
        reporter is not None
        and artwork_is_visible_to(artwork=comment.artwork, viewer=reporter)
        and comment_is_shown_to(comment=comment, viewer=reporter)
    )


def comment_get_reportable(*, comment_id: int, reporter: User | None) -> Comment:
    """The comment `reporter` may report (with its artwork and author loaded, as the report's
    rules read them). Comment.DoesNotExist for one that is missing or not theirs to see."""
    comment = (
        Comment.objects.select_related("artwork__user", "author").filter(pk=comment_id).first()
    )
    if comment is None or not comment_reportable_by(reporter=reporter, comment=comment):
        raise Comment.DoesNotExist("Comment matching query does not exist.")
    return comment


def report_comment_create(
    *, reporter: User, comment: Comment, reason: str, details: str = ""
) -> Report:
    """Report a comment: the same as `report_create`, for a comment the reporter may see
    (`comment_reportable_by`, else Comment.DoesNotExist) and did not write."""
    if not (reporter.is_authenticated and reporter.is_active):
        raise PermissionDenied(_("Sign in to report a comment."))
    if not comment_reportable_by(reporter=reporter, comment=comment):
        raise Comment.DoesNotExist
    if comment.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own comment."))
    details = _check_reason(reason, details)
    already = _("You have already reported this comment; moderators will look at it.")
    return _file(
        reporter=reporter,
        already=already,
        artwork=comment.artwork,
        comment=comment,
        reason=reason,
        details=details,
    )


def _close(*, reports: list[Report], actor: User, status: str, resolution: str, note: str) -> None:
    now = timezone.now()
    for report in reports:
        report.status = status
        report.resolution = resolution
        report.resolution_note = note
        report.resolved_by = actor
        report.resolved_at = now
    Report.objects.bulk_update(
        reports, ["status", "resolution", "resolution_note", "resolved_by", "resolved_at"]
    )
    action = (
        StaffAction.Action.REPORT_DISMISS
        if status == Report.Status.DISMISSED
        else StaffAction.Action.REPORT_RESOLVE
    )
    StaffAction.objects.bulk_create(
        StaffAction(
            actor=actor,
            actor_username=actor.username,
            action=action,
            target_type=StaffAction.TargetType.REPORT,
            target_id=report.pk,
            target_repr=(
                f"#{report.pk} {report.get_reason_display()} on "
                + (
                    f"comment #{report.comment_id} of artwork #{report.artwork_id}"
                    if report.comment_id
                    else f"artwork #{report.artwork_id}"
                )
            ),
            reason=" — ".join(x for x in (str(report.get_resolution_display()), note) if x),
        )
        for report in reports
    )


def report_resolve(*, report: Report, actor: User, action: str, note: str = "") -> Report:
    """Close an open report, recording who, when and what was done:

    - "hide_artwork": hide the artwork; every open report on it is resolved with it;
    - "hide_comment" (a report of a comment): hide the comment; its open reports are resolved;
    - "suspend_author": suspend the author of the reported artwork (or comment); every open
      report on it is resolved;
    - "no_action": resolve this report without changing anything;
    - "dismiss": dismiss this report (unfounded).
    """
    require_staff(actor)
    if not can_resolve_report(actor=actor, report=report):
        raise PermissionDenied(_("You do not have permission to do that."))
    if action not in Report.Resolution.values or action == Report.Resolution.NONE:
        raise ValidationError(_("Unknown action for a report."))
    note = text_strip(note or "")[:2000]
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("artwork__user", "comment__author", "comment__artwork")
            .get(pk=report.pk)
        )
        if not locked.is_open:
            raise ValidationError(_("This report has already been handled."))
        reason = _("Report #%(id)s: %(reason)s") % {
            "id": locked.pk,
            "reason": locked.get_reason_display(),
        }
        if note:
            reason = f"{reason} — {note}"
        to_close, status = _act(locked, actor=actor, action=action, reason=reason)
        _close(reports=to_close, actor=actor, status=status, resolution=action, note=note)
    locked.refresh_from_db()
    return locked


def _act(report: Report, *, actor: User, action: str, reason: str) -> tuple[list[Report], str]:
    """Do what `action` says to the reported artwork, comment or author; the reports it
    answers, and their new status."""
    artwork, comment = report.artwork, report.comment
    same_target = {"comment": comment} if comment is not None else {"artwork": artwork}
    if action == Report.Resolution.HIDE_ARTWORK:
        artwork_hide(artwork=artwork, actor=actor, reason=reason)
        same_target = {"artwork": artwork}  # every report on the artwork, its comments' too
    elif action == Report.Resolution.HIDE_COMMENT:
        if comment is None:
            raise ValidationError(_("Only a report of a comment can hide a comment."))
        if not can_moderate_comments(actor=actor):
            raise PermissionDenied(_("You do not have permission to do that."))
        comment_hide(actor=actor, comment=comment, reason=reason)
    elif action == Report.Resolution.SUSPEND_AUTHOR:
        author = comment.author if comment is not None else artwork.user
        user_suspend(user=author, actor=actor, reason=reason)
    elif action == Report.Resolution.NO_ACTION:
        return [report], Report.Status.RESOLVED
    else:
        return [report], Report.Status.DISMISSED
    # The target is dealt with: every open report on it is answered at once.
    to_close = Report.objects.select_for_update().filter(status=Report.Status.OPEN, **same_target)
    return list(to_close), Report.Status.RESOLVED
