"""Auth endpoints of the JSON API: Google ID token → JWT pair, refresh, and who am I."""

from __future__ import annotations

from django.contrib.auth import logout as django_logout
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from common import ratelimit
from common.api import ErrorOut, errors

from . import google, tokens
from .api_auth import api_auth
from .models import User

router = Router(tags=["auth"])


class UserOut(Schema):
    id: int
    username: str
    name: str
    email: str
    profile_pic: str | None = None
    follower_count: int
    following_count: int


class LoginIn(Schema):
    id_token: str


class RefreshIn(Schema):
    refresh_token: str


class TokenOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    user: UserOut


def user_out(user: User) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "email": user.email,
        "profile_pic": user.profile_pic.url if user.profile_pic else None,
        "follower_count": user.follower_count,
        "following_count": user.following_count,
    }


def _token_out(user: User, pair: tokens.TokenPair) -> dict:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": pair.token_type,
        "expires_in": pair.expires_in,
        "user": user_out(user),
    }


@router.post(
    "/login", response={200: TokenOut, **errors(400, 401, 403, 413, 415, 422, 429, 503)}, auth=None
)
def login(request: HttpRequest, payload: LoginIn) -> Status:
    """Exchange a Google ID token for an access token and a refresh token."""
    try:
        if ratelimit.hit(scope="api_login", key=ratelimit.client_key(request)):
            return Status(
                429, {"detail": gettext("Too many sign-in attempts; try again in a few minutes.")}
            )
    except ratelimit.RateLimitUnavailable:
        # Fails closed: without a working limit, sign-in would be open to guessing.
        return Status(
            503, {"detail": gettext("Sign-in is paused for a moment; try again shortly.")}
        )
    try:
        claims = google.verify_id_token(payload.id_token)
        user, pair = tokens.token_pair_google_sign_in(request=request, claims=claims)
    except google.GoogleTokenError as exc:
        return Status(exc.status, {"detail": exc.message})
    except tokens.SignInRefused as exc:
        return Status(exc.status, {"detail": exc.message})
    return Status(200, _token_out(user, pair))


@router.post("/refresh", response={200: TokenOut, **errors(400, 401, 413, 415, 422)}, auth=None)
def refresh(request: HttpRequest, payload: RefreshIn) -> Status:
    """Trade a refresh token for a new pair. Each refresh token works once: presenting a used
    one again revokes every token of that sign-in (401), as it means the token was copied."""
    try:
        pair = tokens.token_pair_refresh(refresh_token=payload.refresh_token)
    except tokens.RefreshTokenReused:
        return Status(
            401,
            {
                "detail": gettext(
                    "This refresh token was already used; every token of this sign-in "
                    "is now revoked. Sign in again."
                )
            },
        )
    if pair is None:
        return Status(
            401, {"detail": gettext("The refresh token is invalid, expired or already used.")}
        )
    user = tokens.user_for_access_token(pair.access_token)
    if user is None:
        return Status(
            401, {"detail": gettext("The account behind this refresh token is not active.")}
        )
    return Status(200, _token_out(user, pair))


class LoggedOutOut(Schema):
    logged_out: bool


@router.post("/logout", response={200: LoggedOutOut, **errors(401, 403)}, auth=api_auth)
def logout(request: HttpRequest) -> Status:
    """Sign out. With a bearer token: every refresh token of that sign-in stops working at
    once; access tokens already issued expire on their own within their lifetime
    (`expires_in`, 900 s by default). With the site's session: the browser is signed out."""
    access_token = getattr(request, "access_token", None)
    if access_token:
        tokens.token_family_revoke(access_token=access_token)
    else:
        django_logout(request)
    return Status(200, {"logged_out": True})


@router.get("/me", response={200: UserOut, 401: ErrorOut, 403: ErrorOut}, auth=api_auth)
def me(request: HttpRequest) -> Status:
    """The signed-in user (by bearer token or by session)."""
    return Status(200, user_out(request.user))
