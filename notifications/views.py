"""The notifications page, "mark all as read", and the member's choice of kinds.

/notifications lists what the member may read, newest first, grouped ("ada and 3 others
liked …"), unread lines marked; "Load more" is a plain link (rel=next) that htmx turns into an
in-place append. Opening the page does not mark anything read: the member does, with "Mark
all as read" (a POST form with CSRF: a page view must not change state, and a glance at the
list on a phone should not clear what the member meant to come back to). The pages are the
member's own: never kept by any cache (private, no-store)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.redirects import first_page_again

from . import services
from .forms import NotificationSettingsForm
from .selectors import InvalidCursor, newest_notification_id, notifications_page, unread_count
from .text import group_html


def _private(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        page = notifications_page(recipient=request.user, cursor=cursor)
    except InvalidCursor:
        return first_page_again(request, reverse("notifications:index"))
    lines = [{"group": group, "html": group_html(group)} for group in page.groups]
    unread = unread_count(user=request.user)
    context = {"page": page, "lines": lines, "unread": unread}
    if request.headers.get("HX-Request") == "true" and cursor:
        return _private(render(request, "notifications/partials/more.html", context))
    if unread:  # "Mark all as read": what is there now, not what comes while the page is open
        context["up_to_id"] = newest_notification_id(recipient=request.user)
    return _private(render(request, "notifications/index.html", context))


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("up_to_id") or None
    try:
        up_to_id = int(raw) if raw is not None else None
        services.notifications_mark_read(recipient=request.user, up_to_id=up_to_id)
    except ValueError:
        messages.error(request, _("The notification id must be a positive whole number."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your notifications are marked as read."))
    return redirect("notifications:index")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(user=request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.notification_settings_update(user=request.user, disabled=form.disabled_kinds())
        messages.success(request, _("Your notification settings are saved."))
        return redirect(reverse("notifications:preferences"))
    return _private(render(request, "notifications/settings.html", {"form": form}))
