"""Reports in the JSON API, for app clients: `POST /api/artworks/{id}/report` and
`POST /api/comments/{id}/report` (201 with the report), by the same services and rules as the
report pages.

Something the member may not see (the visibility rule; for a comment, the comments' own too)
is 404, as a missing one. A reason outside the list is 422; "other" without details or one's
own artwork or comment is 400 with the reason; a second open report on the same thing is 409.
Reports are rate-limited per member (settings.RATE_LIMITS["report"]) → 429.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from accounts.api_auth import api_auth
from artworks.models import Artwork
from artworks.selectors import artwork_get_visible
from common.api import BODY_ERRORS, SafeText, errors
from social.models import Comment

from .models import Report
from .services import (
    ReportRateLimited,
    comment_get_reportable,
    report_comment_create,
    report_create,
)

router = Router(tags=["moderation"])

REPORT_ERRORS = {**BODY_ERRORS, **errors(404, 409, 429)}


class ReportIn(Schema):
    reason: Report.Reason
    details: SafeText = Field("", max_length=2000)


class ReportOut(Schema):
    id: int
    artwork_id: int
    comment_id: int | None
    reason: str
    details: str
    status: str
    created_at: datetime


@router.post(
    "/artworks/{int:artwork_id}/report", response={201: ReportOut, **REPORT_ERRORS}, auth=api_auth
)
def artwork_report(request: HttpRequest, artwork_id: int, payload: ReportIn) -> Status:
    """Report an artwork to the moderators (not one's own; one open report per artwork)."""
    try:
        artwork = artwork_get_visible(artwork_id=artwork_id, viewer=request.user)
        report = report_create(
            reporter=request.user, artwork=artwork, reason=payload.reason, details=payload.details
        )
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    except ReportRateLimited as exc:
        return Status(429, {"detail": str(exc)})
    return Status(201, report)


@router.post(
    "/comments/{int:comment_id}/report", response={201: ReportOut, **REPORT_ERRORS}, auth=api_auth
)
def comment_report(request: HttpRequest, comment_id: int, payload: ReportIn) -> Status:
    """Report a comment to the moderators (not one's own; one open report per comment)."""
    try:
        comment = comment_get_reportable(comment_id=comment_id, reporter=request.user)
        report = report_comment_create(
            reporter=request.user, comment=comment, reason=payload.reason, details=payload.details
        )
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None
    except ReportRateLimited as exc:
        return Status(429, {"detail": str(exc)})
    return Status(201, report)
