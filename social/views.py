"""Following from the pages, and the followers / following lists.

Follow and unfollow are plain POST forms with CSRF that redirect back to a safe `next`
without JavaScript; with htmx they answer with the follow button alone, swapped in place
(social/partials/follow_button.html). The rules are the services' own (social.services):
following twice counts once; a refusal (following oneself) shows its reason, as a message on
the page it came from without JavaScript, in the button's place with htmx (403, like the
API); a missing or suspended member is a 404. Anonymous visitors are sent to sign in and come
back. Rate-limited per member with the API's "follow" scope → 429.

The lists read one page of members with one query, and the viewer's follow state of all its
rows with one more, whatever the number of rows (social.page_selectors).

Block, unblock, mute and unmute are plain POST forms too (from the profile's menu and the
settings lists), answered with a message on the page they came from; the member's settings
list whom they block and mute (/settings/blocked, /settings/muted), newest first, paginated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from common import ratelimit
from common.redirects import first_page_again, moved_permanently, safe_next_url

from . import seo, services
from .buttons import PARTIAL, follow_button_context
from .page_selectors import (
    Direction,
    InvalidCursor,
    StandingKind,
    follow_page,
    follow_tabs,
    standing_page,
)
from .selectors import follow_states, is_following

if TYPE_CHECKING:
    from accounts.models import User


def _member(username: str) -> User:
    """The active member `username` (any letter case), else 404."""
    return get_object_or_404(get_user_model(), username__iexact=username, is_active=True)


def _back(request: HttpRequest, person: User) -> str:
    """Where to come back to without JavaScript: the page the button was on, at the button."""
    target = safe_next_url(request) or person.get_absolute_url()
    if "#" not in target:
        target += f"#follow-{person.pk}"
    return target


def _sign_in_first(request: HttpRequest, person: User) -> HttpResponse:
    page = safe_next_url(request) or person.get_absolute_url()
    login = f"{settings.LOGIN_URL}?{urlencode({'next': page})}"
    if request.htmx:
        # An expired session behind a page that still shows the button: a full navigation.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login
        return response
    return redirect(login)


def _partial(
    request: HttpRequest,
    person: User,
    *,
    following: bool,
    follower_count: int,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    stats = request.POST.get("stats") == "1"
    context = follow_button_context(
        request=request,
        person=person,
        following=following,
        back=safe_next_url(request) or person.get_absolute_url(),
        stats=stats,
        follower_count=follower_count,
        error=error,
    )
    response = render(request, PARTIAL, {**context, "oob_stats": stats}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _unchanged(request: HttpRequest, person: User, *, status: int, error: str) -> HttpResponse:
    """The button as it was, with why nothing changed (htmx)."""
    following = is_following(viewer=request.user, user=person)
    return _partial(
        request,
        person,
        following=following,
        follower_count=person.follower_count,
        status=status,
        error=error,
    )


def _change(
    request: HttpRequest, username: str, service: Callable[..., services.FollowState]
) -> HttpResponse:
    person = _member(username)
    if not request.user.is_authenticated:
        return _sign_in_first(request, person)
    if ratelimit.hit(scope="follow", key=ratelimit.client_key(request)):
        if request.htmx:
            error = _("Too many follows in a short time; try again later.")
            return _unchanged(request, person, status=429, error=error)
        return render(request, "429.html", status=429)
    try:
        state = service(follower=request.user, followee=person)
    except services.FollowRefused as refusal:
        if request.htmx:
            return _unchanged(request, person, status=403, error=refusal.messages[0])
        messages.error(request, refusal.messages[0])
        return redirect(_back(request, person))
    if request.htmx:
        return _partial(
            request, person, following=state.following, follower_count=state.follower_count
        )
    return redirect(_back(request, person))


@require_POST
def follow(request: HttpRequest, username: str) -> HttpResponse:
    return _change(request, username, services.user_follow)


@require_POST
def unfollow(request: HttpRequest, username: str) -> HttpResponse:
    return _change(request, username, services.user_unfollow)


def _is_load_more(request: HttpRequest) -> bool:
    # htmx "load more" asks for the next rows only; a boosted or plain request gets the page.
    return bool(request.htmx) and not request.htmx.boosted


def _follow_list(request: HttpRequest, username: str, direction: Direction) -> HttpResponse:
    person = _member(username)
    first_page = reverse(f"social:{direction}", args=[person.username])
    if username != person.username:
        return moved_permanently(request, first_page)
    cursor = request.GET.get("cursor") or None
    try:
        page = follow_page(user=person, direction=direction, cursor=cursor)
    except InvalidCursor:
        return first_page_again(request, first_page)
    context = {
        "person": person,
        "direction": direction,
        "page": page,
        "follow_states": follow_states(viewer=request.user, user_ids=[m.pk for m in page.items]),
        "heading": seo.follow_list_heading(user=person, direction=direction),
        "tabs": follow_tabs(user=person),
        "meta": seo.follow_list_meta(user=person, direction=direction, cursor=cursor),
    }
    if _is_load_more(request) and cursor:
        response = render(request, "social/partials/member_page.html", context)
    else:
        response = render(request, "social/follow_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def followers(request: HttpRequest, username: str) -> HttpResponse:
    return _follow_list(request, username, "followers")


@require_safe
def following(request: HttpRequest, username: str) -> HttpResponse:
    return _follow_list(request, username, "following")


def _change_standing(
    request: HttpRequest, username: str, service: Callable[..., bool], done: str
) -> HttpResponse:
    """Apply a block / mute service to the member `username` and come back with `done` (a
    sentence with %(username)s) or the refusal, as a message."""
    person = _member(username)
    if not request.user.is_authenticated:
        return _sign_in_first(request, person)
    if ratelimit.hit(scope="follow", key=ratelimit.client_key(request)):
        return render(request, "429.html", status=429)
    try:
        service(request.user, person)
    except services.FollowRefused as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, done % {"username": person.username})
    return redirect(safe_next_url(request) or person.get_absolute_url())


@require_POST
def block(request: HttpRequest, username: str) -> HttpResponse:
    return _change_standing(
        request,
        username,
        lambda me, them: services.user_block(blocker=me, blocked=them),
        _("You blocked @%(username)s."),
    )


@require_POST
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    return _change_standing(
        request,
        username,
        lambda me, them: services.user_unblock(blocker=me, blocked=them),
        _("You unblocked @%(username)s."),
    )


@require_POST
def mute(request: HttpRequest, username: str) -> HttpResponse:
    return _change_standing(
        request,
        username,
        lambda me, them: services.user_mute(muter=me, muted=them),
        _("You muted @%(username)s: their work no longer shows in your feeds."),
    )


@require_POST
def unmute(request: HttpRequest, username: str) -> HttpResponse:
    return _change_standing(
        request,
        username,
        lambda me, them: services.user_unmute(muter=me, muted=them),
        _("You unmuted @%(username)s."),
    )


def _standing_settings(request: HttpRequest, kind: StandingKind) -> HttpResponse:
    first_page = reverse(f"social:settings_{kind}")
    cursor = request.GET.get("cursor") or None
    try:
        page = standing_page(user=request.user, kind=kind, cursor=cursor)
    except InvalidCursor:
        return first_page_again(request, first_page)
    title = _("Blocked members") if kind == "blocked" else _("Muted members")
    context = {"kind": kind, "title": title, "page": page, "back": request.get_full_path()}
    if _is_load_more(request) and cursor:
        response = render(request, "social/partials/standing_page.html", context)
    else:
        response = render(request, "social/settings_standing.html", context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def settings_blocked(request: HttpRequest) -> HttpResponse:
    return _standing_settings(request, "blocked")


@login_required
@require_safe
def settings_muted(request: HttpRequest) -> HttpResponse:
    return _standing_settings(request, "muted")
