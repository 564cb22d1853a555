"""Like / unlike and favorite / unfavorite from the pages (cards, the artwork page, profiles).

Each action is a plain POST form with CSRF that redirects back to a safe `next` without
JavaScript; with htmx it answers with the reactions partial, swapped in place (the count and
the pressed state). The reaction logic is the services' own (artworks.services.artwork_like …):
liking twice counts once, and a draft, hidden or missing artwork is a 404. Anonymous visitors
are sent to sign in and come back to the page they were on. Rate-limited per user with the
API's "reaction" scope → 429.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import ratelimit
from common.redirects import safe_next_url

from . import services
from .models import Artwork
from .selectors import artwork_get_visible_cached, artwork_reaction_state

PARTIAL = "artworks/partials/reactions.html"


def _back(request: HttpRequest, artwork: Artwork) -> str:
    """Where to come back to without JavaScript: the page the button was on, at its buttons."""
    target = safe_next_url(request) or artwork.get_absolute_url()
    if "#" not in target:
        target += f"#reactions-{artwork.pk}"
    return target


def _sign_in_first(request: HttpRequest, artwork_id: int) -> HttpResponse:
    page = safe_next_url(request) or reverse("artworks:detail_short", args=[artwork_id])
    login = f"{settings.LOGIN_URL}?{urlencode({'next': page})}"
    if request.htmx:
        # An expired session behind a page that still shows the buttons: a full navigation.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login
        return response
    return redirect(login)


def _partial(
    request: HttpRequest, artwork: Artwork, *, status: int = 200, error: str = ""
) -> HttpResponse:
    liked, favorited = artwork_reaction_state(viewer=request.user, artwork_ids=[artwork.pk])
    response = render(
        request,
        PARTIAL,
        {
            "artwork": artwork,
            "liked_ids": liked,
            "favorited_ids": favorited,
            "large": request.POST.get("large") == "1",
            "next": safe_next_url(request) or "",
            "reaction_error": error,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _react(request: HttpRequest, artwork_id: int, service: Callable[..., Artwork]) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sign_in_first(request, artwork_id)
    if ratelimit.hit(scope="reaction", key=ratelimit.client_key(request)):
        error = _("Too many reactions in a short time; try again in a minute.")
        if request.htmx:
            try:
                artwork = artwork_get_visible_cached(artwork_id=artwork_id, viewer=request.user)
            except Artwork.DoesNotExist:
                raise Http404(_("No such artwork.")) from None
            return _partial(request, artwork, status=429, error=error)
        return render(request, "429.html", status=429)
    try:
        artwork = service(artwork_id=artwork_id, user=request.user)
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None
    if request.htmx:
        return _partial(request, artwork)
    return redirect(_back(request, artwork))


def _reaction_view(service: Callable[..., Artwork]) -> Callable[[HttpRequest, int], HttpResponse]:
    """The POST-only view that applies `service` to the artwork (see `_react`), named after it
    (`artwork_like` → `like`)."""

    @require_POST
    def view(request: HttpRequest, artwork_id: int) -> HttpResponse:
        return _react(request, artwork_id, service)

    view.__name__ = view.__qualname__ = service.__name__.removeprefix("artwork_")
    return view


like = _reaction_view(services.artwork_like)
unlike = _reaction_view(services.artwork_unlike)
favorite = _reaction_view(services.artwork_favorite)
unfavorite = _reaction_view(services.artwork_unfavorite)
