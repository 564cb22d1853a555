"""Follows in the JSON API: `POST` / `DELETE /api/users/{id}/follow`.

Following twice counts once; unfollowing whom one does not follow changes nothing. Following
oneself is 403 with the reason (`social.selectors.follow_refusal`); a missing or suspended
member is 404. Rate-limited per member
(settings.RATE_LIMITS["follow"]) → 429.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from accounts.api_auth import api_auth
from common import ratelimit
from common.api import COMMON_ERRORS, errors

from . import services

router = Router(tags=["social"])


class FollowOut(Schema):
    following: bool
    follower_count: int


_TOO_MANY_DETAIL = "Too many follows in a short time; try again later."
_RESPONSES = {200: FollowOut, **COMMON_ERRORS, **errors(404, 429)}


def _followee(user_id: int) -> object:
    try:
        return get_user_model().objects.get(pk=user_id, is_active=True)
    except get_user_model().DoesNotExist:
        raise Http404("No such member.") from None


def _change(
    request: HttpRequest, user_id: int, service: Callable[..., services.FollowState]
) -> Status:
    followee = _followee(user_id)
    if ratelimit.hit(scope="follow", key=ratelimit.client_key(request)):
        return Status(429, {"detail": _TOO_MANY_DETAIL})
    state = service(follower=request.user, followee=followee)
    return Status(200, {"following": state.following, "follower_count": state.follower_count})


def follow(request: HttpRequest, user_id: int) -> Status:
    return _change(request, user_id, services.user_follow)


def unfollow(request: HttpRequest, user_id: int) -> Status:
    return _change(request, user_id, services.user_unfollow)


_FOLLOW_PATH = "/users/{int:user_id}/follow"
for _method, _view in (("POST", follow), ("DELETE", unfollow)):
    router.add_api_operation(_FOLLOW_PATH, [_method], _view, response=_RESPONSES, auth=api_auth)
