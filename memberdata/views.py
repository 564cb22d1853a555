"""The member's data pages: /settings/export (ask, follow, download) and /settings/delete."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from accounts.leaving import confirms_password

from . import selectors, services
from .forms import DeleteAccountForm

# How often the page looks again while an export is being built (no JavaScript needed).
REFRESH_SECONDS = 5


@login_required
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest) -> HttpResponse:
    error, status = "", 200
    if request.method == "POST":
        try:
            services.export_request(user=request.user)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 409
        except services.ExportRateLimited as exc:
            error, status = str(exc), 429
        else:
            return redirect("memberdata:export")
    export = selectors.export_latest(user=request.user)
    context = {
        "export": export,
        "downloadable": export is not None and export.is_downloadable,
        "refresh_seconds": REFRESH_SECONDS if export is not None and export.is_running else 0,
        "error": error,
    }
    response = render(request, "memberdata/export.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def export_download(request: HttpRequest, export_uuid: str) -> HttpResponse:
    """The member's own export, streamed from storage; 404 for anyone else (anonymous and
    staff included), before it is ready and after it expires."""
    export = selectors.export_for_download(viewer=request.user, export_uuid=export_uuid)
    if export is None:
        raise Http404
    try:
        source = default_storage.open(export.file, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    filename = f"aicommunity-{request.user.username}-{export.finished_at:%Y%m%d}.zip"
    response = FileResponse(
        source, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Content-Length"] = str(export.size)
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.account_deletion_request(
                    user=user, confirmation=form.cleaned_data["confirmation"]
                )
            except services.DeletionRateLimited as exc:
                form.add_error("confirmation", str(exc))
                status = 429
            except ValidationError as exc:
                form.add_error("confirmation", exc.messages)
            else:
                logout(request)
                return redirect("memberdata:deleted")
    context = {"form": form, "by_password": confirms_password(user)}
    response = render(request, "memberdata/delete.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def deleted_page(request: HttpRequest) -> HttpResponse:
    """For the member who has just left (signed out). Anyone signed in (another member,
    arriving through the header's "Log in", which comes back here) goes to the feed."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "memberdata/deleted.html")
