"""API tokens, issued, refreshed and validated by allauth headless' JWT strategy.

Every token pair is anchored to a server-side session that holds the signed-in user and the
refresh tokens still valid for it: one session per sign-in, so the session is the token
*family* (every refresh token descended from that sign-in). Refreshing rotates the refresh
token (the old one stops working); deleting the session revokes the family.

- Reuse: a rotated refresh token presented again means two parties hold it (one of them a
  thief), so the whole family is revoked and both must sign in again.
- Sign-out (`POST /api/auth/logout`) deletes the family's session.
- A password change or deactivation makes the session's user check fail: refresh refused.
- Access tokens are not looked up per request (no query on the hot path); a revoked family's
  access tokens run out within `HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN` (900 s by default)."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

# allauth's key loader uses `cryptography.hazmat.primitives.serialization` without importing
# it; a process that has not imported it elsewhere (a fresh `issue_token`) would fail.
import cryptography.hazmat.primitives.serialization  # noqa: F401
from allauth.account.internal.userkit import str_to_user_id
from allauth.headless import app_settings as headless_settings
from allauth.headless.internal.sessionkit import new_session
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.sessions.backends.base import SessionBase

    from common import ratelimit

from common.setting_memos import cleared_on_change

from . import member_cache
from .models import User


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 (a scheme name, not a secret)


def _keep_session_for_refresh_lifetime(request: HttpRequest) -> None:
    request.session.set_expiry(headless_settings.JWT_REFRESH_TOKEN_EXPIRES_IN)


def token_pair_for_signed_in_request(request: HttpRequest) -> TokenPair:
    """Tokens for the user just signed into `request.session` (a session of its own, not the
    browser's)."""
    _keep_session_for_refresh_lifetime(request)
    if not request.session.session_key:
        request.session.save()
    payload = headless_settings.TOKEN_STRATEGY.create_access_token_payload(request)
    request.session.save()  # stores the new refresh token's id
    return TokenPair(
        access_token=payload["access_token"],
        refresh_token=payload["refresh_token"],
        expires_in=headless_settings.JWT_ACCESS_TOKEN_EXPIRES_IN,
    )


def token_pair_issue(*, user: User) -> TokenPair:
    """A fresh pair for `user` in a new session (operators' `issue_token`, scripts)."""
    request = HttpRequest()
    request.session = new_session()
    request.user = AnonymousUser()  # login() replaces it with `user`
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return token_pair_for_signed_in_request(request)


class RefreshTokenReused(Exception):
    """A refresh token that was already exchanged came back: its family is now revoked."""


def _family_session(claims: dict) -> SessionBase | None:
    return jwt_internal.get_token_session(claims)


def token_pair_refresh(*, refresh_token: str) -> TokenPair | None:
    """A new pair for a valid refresh token, which is used up; None when it is not valid.
    Raises RefreshTokenReused (after revoking every token of its sign-in) when the token is
    one this server issued for a live sign-in but has already been exchanged."""
    claims = jwt_internal.decode_token(refresh_token, "refresh")
    if claims is None:
        return None  # not ours, tampered, expired, or not a refresh token
    session = _family_session(claims)
    if session is None:
        return None  # signed out, revoked, or the session expired
    if claims["jti"] not in jwt_internal.get_refresh_token_state(session):
        # Genuinely signed for this live sign-in, yet no longer on its list: it was rotated.
        session.delete()
        raise RefreshTokenReused
    result = headless_settings.TOKEN_STRATEGY.refresh_token(refresh_token)
    if result is None:
        return None
    access_token, next_refresh_token = result
    return TokenPair(
        access_token=access_token,
        refresh_token=next_refresh_token,
        expires_in=headless_settings.JWT_ACCESS_TOKEN_EXPIRES_IN,
    )


def token_family_revoke(*, access_token: str) -> bool:
    """Sign out the sign-in an access token belongs to: every refresh token of its family
    stops working at once. False when there was nothing (left) to revoke."""
    claims = jwt_internal.decode_token(access_token, "access")
    session = _family_session(claims) if claims is not None else None
    if session is None:
        return False
    session.delete()
    return True


def user_for_access_token(
    token: str, *, counting: Callable[[int], ratelimit.Attempt] | None = None
) -> User | None:
    """The active user an access token speaks for, or None (bad signature, expired, not an
    access token, unknown or deactivated user). `counting`: the rate-limit attempt (for the
    member's primary key) that the member's read counts with it where it can
    (member_cache.active_member); `.counted` says whether it did."""
    stateful, algorithm, key = _access_check()
    if stateful:
        result = jwt_internal.validate_access_token(token)
        user = result.user if result is not None else None
    else:
        claims = _verified_access_claims(token, algorithm, key)
        # Checked on every use: a verified token still expires.
        if claims is None or not time.time() < claims["exp"]:
            return None
        try:  # the active member, as this process keeps them while their row is current
            pk = str_to_user_id(claims["sub"])
            attempt = counting(pk) if counting is not None else None
            user = member_cache.active_member(pk, counting=attempt)
        except (ValueError, TypeError, ValidationError):  # a subject that is no member's id
            return None
    try:
        if user is None or not user.is_active:
            return None
    except User.DoesNotExist:
        return None
    return user._wrapped if hasattr(user, "_wrapped") else user


@cleared_on_change(prefix="HEADLESS_")
@functools.cache
def _access_check() -> tuple[bool, str, str]:
    """How access tokens are checked (allauth reads each of these from the settings on every
    access): whether statefully, and the signature's algorithm and key."""
    return (
        headless_settings.JWT_STATEFUL_VALIDATION_ENABLED,
        headless_settings.JWT_ALGORITHM,
        headless_settings.JWT_PRIVATE_KEY,
    )


@functools.lru_cache(maxsize=2048)
def _verified_access_claims(token: str, algorithm: str, key: str) -> dict | None:
    """allauth's check of an access token's signature, kind and claims, remembered per process
    for the token (and the signing settings): checking an RSA signature cost a tenth of a like.
    What a token says never changes, so a refusal stands; an acceptance is only that the
    signature holds, and the caller checks the expiry on every use. Bounded, so any number of
    tokens only evicts."""
    claims = jwt_internal.decode_token(token, "access")
    if claims is None or not isinstance(claims.get("exp"), int | float):
        return None
    return claims


class SignInRefused(Exception):
    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _inactive_refusal() -> SignInRefused:
    return SignInRefused(gettext("This account cannot sign in (it may be inactive)."))


def token_pair_google_sign_in(*, request: HttpRequest, claims: dict) -> tuple[User, TokenPair]:
    """Sign in with verified Google ID-token claims through allauth's own social-login flow
    (the same lookup, email matching and first-time sign-up as the website's "Continue with
    Google"), in a session of its own, and issue tokens for it."""
    from allauth.core.exceptions import ImmediateHttpResponse, SignupClosedException
    from allauth.socialaccount.adapter import get_adapter as get_social_adapter
    from allauth.socialaccount.internal import flows
    from django.db import transaction

    from .adapters import QUIET_REQUEST_ATTR

    provider = get_social_adapter().get_provider(request, "google")
    sociallogin = provider.sociallogin_from_response(request, claims)
    browser_session, browser_user = request.session, request.user
    setattr(request, QUIET_REQUEST_ATTR, True)
    request.session = new_session()
    request.user = AnonymousUser()
    try:
        with transaction.atomic():
            try:
                flows.login.complete_login(request, sociallogin, raises=True)
            except SignupClosedException as exc:
                raise SignInRefused(gettext("Sign-up is closed on this server.")) from exc
            except ImmediateHttpResponse as exc:
                raise _inactive_refusal() from exc
            user = request.user
            if not user.is_authenticated and sociallogin.user.pk and not sociallogin.user.is_active:
                # allauth answers a deactivated member (suspended, leaving) with its
                # "inactive" page, not an exception.
                raise _inactive_refusal()
            if not user.is_authenticated:
                raise SignInRefused(
                    gettext(
                        "This Google account cannot be signed in automatically; "
                        "sign in on the website once to finish setting it up."
                    ),
                    status=400,
                )
            pair = token_pair_for_signed_in_request(request)
    finally:
        request.session, request.user = browser_session, browser_user
        # Signing in rotates the CSRF token; this API response must not change the browser's.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    return user, pair
