"""Writes of moderation: members report artworks; staff resolve the reports.

Resolving goes through the `artworks` and `accounts` moderation services, so hiding an
artwork from a report is the same act (same log entry, same announcement) as hiding it from
the artworks list.
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

from .models import Report
from .selectors import can_resolve_report

if TYPE_CHECKING:
    from accounts.models import User


class ReportRateLimited(Exception):
    """The member sent more reports than settings.RATE_LIMITS["report"] allows."""

    message = gettext_lazy("You have sent many reports in a short time. Please try again later.")


def report_create(*, reporter: User, artwork: Artwork, reason: str, details: str = "") -> Report:
    """File a report. Raises Artwork.DoesNotExist when the reporter cannot see the artwork
    (so a hidden artwork or a foreign draft is indistinguishable from a missing one),
    ValidationError for bad input or a second open report, ReportRateLimited when over the
    limit."""
    if not (reporter.is_authenticated and reporter.is_active):
        raise PermissionDenied(_("Sign in to report an artwork."))
    if not artwork_is_visible_to(artwork=artwork, viewer=reporter):
        raise Artwork.DoesNotExist
    if artwork.user_id == reporter.pk:
        raise ValidationError(_("You cannot report your own artwork."))
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    details = (details or "").strip()
    if reason == Report.Reason.OTHER and not details:
        raise ValidationError({"details": _("Tell us what is wrong when you choose “Other”.")})
    already = _("You have already reported this artwork; moderators will look at it.")
    if Report.objects.filter(
        reporter=reporter, artwork=artwork, status=Report.Status.OPEN
    ).exists():
        raise ValidationError(already)
    if ratelimit.hit(scope="report", key=f"user:{reporter.pk}"):
        raise ReportRateLimited(ReportRateLimited.message)
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter, artwork=artwork, reason=reason, details=details[:2000]
            )
    except IntegrityError:  # a concurrent duplicate: the constraint keeps one open report
        raise ValidationError(already) from None


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
                f"#{report.pk} {report.get_reason_display()} on artwork #{report.artwork_id}"
            ),
            reason=" — ".join(x for x in (str(report.get_resolution_display()), note) if x),
        )
        for report in reports
    )


def report_resolve(*, report: Report, actor: User, action: str, note: str = "") -> Report:
    """Close an open report, recording who, when and what was done:

    - "hide_artwork": hide the artwork; every open report on it is resolved with it;
    - "suspend_author": suspend the artwork's author; every open report on it is resolved;
    - "no_action": resolve this report without changing anything;
    - "dismiss": dismiss this report (unfounded).
    """
    require_staff(actor)
    if not can_resolve_report(actor=actor, report=report):
        raise PermissionDenied(_("You do not have permission to do that."))
    if action not in Report.Resolution.values or action == Report.Resolution.NONE:
        raise ValidationError(_("Unknown action for a report."))
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update().select_related("artwork__user").get(pk=report.pk)
        )
        if not locked.is_open:
            raise ValidationError(_("This report has already been handled."))
        artwork = locked.artwork
        reason = _("Report #%(id)s: %(reason)s") % {
            "id": locked.pk,
            "reason": locked.get_reason_display(),
        }
        if note:
            reason = f"{reason} — {note}"
        if action in (Report.Resolution.HIDE_ARTWORK, Report.Resolution.SUSPEND_AUTHOR):
            if action == Report.Resolution.HIDE_ARTWORK:
                artwork_hide(artwork=artwork, actor=actor, reason=reason)
            else:
                user_suspend(user=artwork.user, actor=actor, reason=reason)
            # The artwork is dealt with: every open report on it is answered at once.
            to_close = list(
                Report.objects.select_for_update().filter(
                    artwork=artwork, status=Report.Status.OPEN
                )
            )
            status = Report.Status.RESOLVED
        elif action == Report.Resolution.NO_ACTION:
            to_close, status = [locked], Report.Status.RESOLVED
        else:
            to_close, status = [locked], Report.Status.DISMISSED
        _close(reports=to_close, actor=actor, status=status, resolution=action, note=note)
    locked.refresh_from_db()
    return locked
