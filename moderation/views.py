from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from artworks.models import Artwork
from artworks.selectors import artwork_get_visible
from social.models import Comment

from .forms import CommentReportForm, ReportForm
from .services import (
    ReportRateLimited,
    comment_get_reportable,
    report_comment_create,
    report_create,
)


def _submit_report(
    request: HttpRequest,
    form: forms.Form,
    *,
    own: bool,
    create: Callable[..., object],
    done_url: str,
) -> HttpResponse | int:
    """The POST half of a report form: the report made and a redirect to `done_url`, or the
    status to show the form again with (400 invalid or one's own, as the API answers; 429
    too many)."""
    if own or not form.is_valid():
        return 400
    try:
        create(reason=form.cleaned_data["reason"], details=form.cleaned_data["details"])
    except (Artwork.DoesNotExist, Comment.DoesNotExist):
        raise Http404("No such thing to report.") from None
    except ReportRateLimited as exc:
        form.add_error(None, str(exc))
        return 429
    except ValidationError as exc:
        form.add_error(None, exc)
        return 400
    messages.success(request, _("Thank you. Your report was sent; moderators will review it."))
    return redirect(done_url)


@login_required
@require_http_methods(["GET", "POST"])
def report_artwork(request: HttpRequest, artwork_id: int) -> HttpResponse:
    try:
        artwork = artwork_get_visible(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    own = artwork.user_id == request.user.pk
    status = 200
    # request.POST is falsy when nothing is sent; an empty report is still a submitted form.
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        outcome = _submit_report(
            request,
            form,
            own=own,
            create=partial(report_create, reporter=request.user, artwork=artwork),
            done_url=artwork.get_absolute_url(),
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {"artwork": artwork, "form": form, "own": own}
    return render(request, "moderation/report.html", context, status=status)


def _reportable_comment(request: HttpRequest, comment_id: int) -> Comment:
    try:
        return comment_get_reportable(comment_id=comment_id, reporter=request.user)
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None


@login_required
@require_http_methods(["GET", "POST"])
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The report form for a comment the member may see (else 404); not their own."""
    comment = _reportable_comment(request, comment_id)
    artwork = comment.artwork
    own = comment.author_id == request.user.pk
    status = 200
    form = CommentReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        outcome = _submit_report(
            request,
            form,
            own=own,
            create=partial(report_comment_create, reporter=request.user, comment=comment),
            done_url=f"{artwork.get_absolute_url()}#comment-{comment.pk}",
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = {"artwork": artwork, "comment": comment, "form": form, "own": own}
    return render(request, "moderation/report.html", context, status=status)
