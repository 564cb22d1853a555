"""Reactions in the JSON API (blueprint §2): like / unlike, favorite / unfavorite.

Liking twice counts once; unliking what was never liked changes nothing; a draft, hidden or
missing artwork is 404. Rate-limited per user (settings.RATE_LIMITS["reaction"]) → 429.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_noop
from ninja import Router, Schema

from accounts.api_auth import api_auth_counting
from common import ratelimit
from common.api import COMMON_ERRORS, errors

from . import services
from .models import Artwork

router = Router(tags=["reactions"])
_AUTH = api_auth_counting("reaction")


class LikeOut(Schema):
    like_count: int
    isLiked: bool


class FavoriteOut(Schema):
    is_favorite: bool
    favorite_count: int


def _react(
    request: HttpRequest, service: Callable[..., Artwork], artwork_id: int
) -> Artwork | None:
    # Counted with the member's read where a bearer token names them (_AUTH).
    if ratelimit.hit(scope="reaction", key=ratelimit.client_key(request), request=request):
        return None
    try:
        return service(artwork_id=artwork_id, user=request.user)
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None


_TOO_MANY_DETAIL = gettext_noop("Too many reactions in a short time; try again in a minute.")
_RESPONSES_LIKE = {200: LikeOut, **COMMON_ERRORS, **errors(404, 429)}
_RESPONSES_FAVORITE = {200: FavoriteOut, **COMMON_ERRORS, **errors(404, 429)}


def _answer(request: HttpRequest, status: int, body: dict) -> HttpResponse:
    # Rendered by the API's own renderer, as ninja renders a Status, without validating the
    # body against its schema again: built right here from two numbers and a flag (the
    # schemas still document it, and the API's contract tests hold every answer to them).
    # A like is the API's hottest write; that validation was a few per cent of it.
    from aicommunity.api import api  # the project's API, which mounts this router

    return api.create_response(request, body, status=status)


def _like_out(request: HttpRequest, artwork: Artwork | None, liked: bool) -> HttpResponse:
    if artwork is None:
        return _answer(request, 429, {"detail": gettext(_TOO_MANY_DETAIL)})
    return _answer(request, 200, {"like_count": artwork.like_count, "isLiked": liked})


def _favorite_out(request: HttpRequest, artwork: Artwork | None, favorite: bool) -> HttpResponse:
    if artwork is None:
        return _answer(request, 429, {"detail": gettext(_TOO_MANY_DETAIL)})
    body = {"is_favorite": favorite, "favorite_count": artwork.favorite_count}
    return _answer(request, 200, body)


def like(request: HttpRequest, artwork_id: int) -> HttpResponse:
    return _like_out(request, _react(request, services.artwork_like, artwork_id), True)


def unlike(request: HttpRequest, artwork_id: int) -> HttpResponse:
    return _like_out(request, _react(request, services.artwork_unlike, artwork_id), False)


def favorite(request: HttpRequest, artwork_id: int) -> HttpResponse:
    return _favorite_out(request, _react(request, services.artwork_favorite, artwork_id), True)


def unfavorite(request: HttpRequest, artwork_id: int) -> HttpResponse:
    return _favorite_out(request, _react(request, services.artwork_unfavorite, artwork_id), False)


# The routes, one operation each (its id is the view's name): method, path, view, responses.
_LIKE_PATH = "/artworks/{int:artwork_id}/like"
_FAVORITE_PATH = "/artworks/{int:artwork_id}/favorite"
for _method, _path, _view, _responses in (
    ("POST", _LIKE_PATH, like, _RESPONSES_LIKE),
    ("DELETE", _LIKE_PATH, unlike, _RESPONSES_LIKE),
    ("POST", _FAVORITE_PATH, favorite, _RESPONSES_FAVORITE),
    ("DELETE", _FAVORITE_PATH, unfavorite, _RESPONSES_FAVORITE),
):
    router.add_api_operation(_path, [_method], _view, response=_responses, auth=_AUTH)
