"""Follows, blocks and mutes in the JSON API: `POST` / `DELETE /api/users/{id}/follow`,
`…/block`, `…/mute`.

Doing one twice counts once; undoing what was never done changes nothing. A refusal
(`social.selectors.follow_refusal`: following yourself, or across a block; blocking or muting
yourself) is 403 with the reason; a missing or suspended member is 404. All three share one
rate limit per member (settings.RATE_LIMITS["follow"]) → 429.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja import Router, Schema, Status

from accounts.api_auth import api_auth
from accounts.models import User
from common import ratelimit
from common.api import COMMON_ERRORS, errors

from . import services

router = Router(tags=["social"])


class FollowOut(Schema):
    following: bool
    follower_count: int


class BlockOut(Schema):
    blocking: bool


class MuteOut(Schema):
    muting: bool


_TOO_MANY_DETAIL = gettext_noop("Too many follows in a short time; try again later.")


def _member(user_id: int) -> User:
    try:
        return get_user_model().objects.get(pk=user_id, is_active=True)
    except get_user_model().DoesNotExist:
        raise Http404("No such member.") from None


def _act(request: HttpRequest, user_id: int, action: Callable[[User, User], dict]) -> Status:
    member = _member(user_id)
    if ratelimit.hit(scope="follow", key=ratelimit.client_key(request)):
        return Status(429, {"detail": gettext(_TOO_MANY_DETAIL)})
    return Status(200, action(request.user, member))


def _follow_out(state: services.FollowState) -> dict:
    return {"following": state.following, "follower_count": state.follower_count}


def follow(request: HttpRequest, user_id: int) -> Status:
    return _act(
        request,
        user_id,
        lambda me, them: _follow_out(services.user_follow(follower=me, followee=them)),
    )


def unfollow(request: HttpRequest, user_id: int) -> Status:
    return _act(
        request,
        user_id,
        lambda me, them: _follow_out(services.user_unfollow(follower=me, followee=them)),
    )


def block(request: HttpRequest, user_id: int) -> Status:
    return _act(
        request,
        user_id,
        lambda me, them: {"blocking": services.user_block(blocker=me, blocked=them)},
    )


def unblock(request: HttpRequest, user_id: int) -> Status:
    return _act(
        request,
        user_id,
        lambda me, them: {"blocking": services.user_unblock(blocker=me, blocked=them)},
    )


def mute(request: HttpRequest, user_id: int) -> Status:
    return _act(
        request, user_id, lambda me, them: {"muting": services.user_mute(muter=me, muted=them)}
    )


def unmute(request: HttpRequest, user_id: int) -> Status:
    return _act(
        request, user_id, lambda me, them: {"muting": services.user_unmute(muter=me, muted=them)}
    )


# The routes, one operation each (its id is the view's name): path, method, view, output.
for _path, _out, _operations in (
    ("/users/{int:user_id}/follow", FollowOut, (("POST", follow), ("DELETE", unfollow))),
    ("/users/{int:user_id}/block", BlockOut, (("POST", block), ("DELETE", unblock))),
    ("/users/{int:user_id}/mute", MuteOut, (("POST", mute), ("DELETE", unmute))),
):
    for _method, _view in _operations:
        router.add_api_operation(
            _path,
            [_method],
            _view,
            response={200: _out, **COMMON_ERRORS, **errors(404, 429)},
            auth=api_auth,
        )
