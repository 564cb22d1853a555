"""Authentication for the JSON API.

Endpoints accept a `Authorization: Bearer <access token>` JWT for app clients (issued by
POST /api/auth/login, validated by allauth headless' JWT strategy) and the site's own session
(with CSRF, so pages and htmx can call them). Both set `request.user`.

- `api_auth`: a signed-in user is required (401 JSON otherwise).
- `api_optional_auth`: anonymous callers are let through as AnonymousUser.

A request that presents a bearer token is judged by that token alone: an expired or tampered
token is a 401, never a silent fall-back to the session or to anonymous.

Who comes first, then CSRF: a caller with no credentials at all gets 401 (they need to sign
in, and a CSRF token would not help), and only a signed-in session without a valid CSRF token
gets 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from common import ratelimit

from .models import User
from .tokens import user_for_access_token


class JWTBearerAuth(HttpBearer):
    """`rate_scope`: the rate limit (settings.RATE_LIMITS) the endpoint counts each call
    against (`ratelimit.hit(..., request=request)`); the attempt is counted here, in the
    round trip that reads the member, rather than in one of its own."""

    def __init__(self, rate_scope: str | None = None) -> None:
        super().__init__()
        self.rate_scope = rate_scope

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")  # request.headers builds them all
        if not header:
            return None  # not ours: let session auth have a go
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(
                message=gettext("Malformed Authorization header; use 'Bearer <token>'.")
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        counted: list[ratelimit.Attempt] = []

        def counting(pk: int) -> ratelimit.Attempt:
            counted.append(ratelimit.attempt(scope=self.rate_scope, key=ratelimit.member_key(pk)))
            return counted[-1]

        user = user_for_access_token(token, counting=counting if self.rate_scope else None)
        if user is None:
            raise AuthenticationError(
                message=gettext("The access token is invalid or has expired.")
            )
        for attempt in counted:
            if attempt.counted:
                ratelimit.remember(request, attempt)
        request.user = user
        request.access_token = token  # POST /api/auth/logout revokes the sign-in it belongs to
        return user


CSRF_REFUSED = gettext_noop(
    "The CSRF token is missing or wrong: send the value of the csrftoken cookie in an "
    "X-CSRFToken header, or call the API with a bearer token."
)


class SessionCsrfAuth(SessionAuth):
    """The site's session, with the CSRF check only for a session that is signed in (ninja's
    own checks CSRF first, so an anonymous write would be a 403 rather than a 401)."""

    def __call__(self, request: HttpRequest) -> User | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super().__call__(request)
        except HttpError as exc:
            if exc.status_code != 403:
                raise
            # ninja's own words ("CSRF check Failed") say neither what is missing nor how
            # to send it.
            raise HttpError(403, gettext(CSRF_REFUSED)) from None


def _anonymous(request: HttpRequest) -> AnonymousUser:
    # Lets anonymous callers through for endpoints that merely personalise their answer.
    request.user = getattr(request, "user", None) or AnonymousUser()
    return AnonymousUser()


jwt_bearer_auth = JWTBearerAuth()
session_auth = SessionCsrfAuth()
api_auth: list = [jwt_bearer_auth, session_auth]


def api_auth_counting(rate_scope: str) -> list:
    """`api_auth` for an endpoint that counts every call against `rate_scope`: a bearer
    token's member is read with the attempt counted (one round trip for both)."""
    return [JWTBearerAuth(rate_scope), session_auth]


api_optional_auth: list = [*api_auth, _anonymous]
# In the OpenAPI schema: either credential, or none at all (`{}`): signing in only
# personalises the answer.
OPTIONAL_AUTH_OPENAPI = {
    "security": [
        {type(jwt_bearer_auth).__name__: []},
        {type(session_auth).__name__: []},
        {},
    ]
}
