"""Where to send a visitor back to after a form (the `next` parameter, when it is safe), to
sign in first, to a page's one address, and to the first page of a list for a page link the
site did not make."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


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


def moved_permanently(request: HttpRequest, url: str) -> HttpResponse:
    """To `url`, the page's one address (a member's name in its own case), with the query it
    was asked with: its tab, page and language (?lang=) stay."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


def first_page_again(request: HttpRequest, first_page: str) -> HttpResponse:
    """A list page asked for with a cursor the site did not make (tampered with, or from an
    older release): a person following the link is sent to `first_page` with a message;
    htmx "load more" gets a 400 with the reason as text. htmx would follow a redirect unseen
    and append the whole first page, header and all, under the rows already shown."""
    if request.htmx and not request.htmx.boosted:
        reason = _("This page link is invalid; start again from the first page.")
        response = HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")
    else:
        messages.error(request, _("That page link is no longer valid. Here is the first page."))
        response = redirect(first_page)
    patch_vary_headers(response, ["HX-Request"])
    return response
