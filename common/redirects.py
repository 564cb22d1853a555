"""Where to send a visitor back to after a form (the `next` parameter, when it is safe), and
to sign in first."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest) -> str | None:
    """The `next` parameter (POST, then query) when it points at this site — no other host,
    no scheme change on a secure request — else None."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def sign_in_first(request: HttpRequest, page: str) -> HttpResponse:
    """Send a visitor to sign in and come back to `page`; behind htmx (a session that expired
    under a page still showing its form) a full navigation, not a fragment."""
    login = f"{settings.LOGIN_URL}?{urlencode({'next': page})}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login
        return response
    return redirect(login)
