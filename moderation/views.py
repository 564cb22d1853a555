from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from artworks.models import Artwork
from artworks.selectors import artwork_get_visible

from .forms import ReportForm
from .services import ReportRateLimited, report_create


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
    if request.method == "POST" and not own and form.is_valid():
        try:
            report_create(
                reporter=request.user,
                artwork=artwork,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except Artwork.DoesNotExist:
            raise Http404("No such artwork.") from None
        except ReportRateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Thank you. Your report was sent; moderators will review it.")
            )
            return redirect(artwork.get_absolute_url())
    if request.method == "POST" and status == 200:
        status = 400
    return render(
        request,
        "moderation/report.html",
        {"artwork": artwork, "form": form, "own": own},
        status=status,
    )
