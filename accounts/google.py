"""Verification of Google ID tokens (the `id_token` that app clients send to /api/auth/login).

A token is accepted only when it is signed by one of Google's current certificates, was issued
by Google for our client id, has not expired, and has not been presented before. Google's
certificates are cached in the shared cache for as long as Google says they are valid; an
unknown key id triggers one refetch (Google rotates its keys)."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Any

import jwt
import requests
from cryptography import x509
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

CERTS_CACHE_KEY = "google:id_token_certs"
CERTS_FETCH_TIMEOUT = 5.0
# Tolerated clock difference between Google and us when checking exp/iat.
CLOCK_SKEW_SECONDS = 10


class GoogleTokenError(Exception):
    """A refused ID token. `status` is the HTTP status the API should answer with."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _fetch_certs() -> dict[str, str]:
    try:
        response = requests.get(settings.GOOGLE_CERTS_URL, timeout=CERTS_FETCH_TIMEOUT)
        response.raise_for_status()
        certs = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("Could not fetch Google's certificates: %s", exc)
        raise GoogleTokenError(
            gettext("Google's signing certificates are unavailable; try again shortly."),
            status=503,
        ) from exc
    if not isinstance(certs, dict) or not certs:
        raise GoogleTokenError(
            gettext("Google's signing certificates are unavailable."), status=503
        )
    match = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
    timeout = min(int(match.group(1)), 86400) if match else 3600
    cache.set(CERTS_CACHE_KEY, certs, timeout=timeout)
    return certs


def _certificate_for(kid: str) -> str:
    certs = cache.get(CERTS_CACHE_KEY)
    if not certs or kid not in certs:
        certs = _fetch_certs()
    if kid not in certs:
        raise GoogleTokenError(gettext("The ID token is signed with an unknown key."))
    return certs[kid]


def verify_id_token(token: str) -> dict[str, Any]:
    """The verified claims of a Google ID token, or GoogleTokenError. Accepts each token once."""
    client_id = settings.GOOGLE_CLIENT_ID
    if not client_id:
        raise GoogleTokenError(
            gettext("Google sign-in is not configured on this server."), status=503
        )
    if not isinstance(token, str) or token.count(".") != 2 or len(token) > 8192:
        raise GoogleTokenError(gettext("The ID token is malformed."), status=400)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise GoogleTokenError(gettext("The ID token is malformed."), status=400) from exc
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise GoogleTokenError(gettext("The ID token is not signed the way Google signs them."))

    pem = _certificate_for(header["kid"])
    public_key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    try:
        claims = jwt.decode(
            token,
            key=public_key,
            algorithms=["RS256"],
            audience=client_id,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise GoogleTokenError(gettext("The ID token has expired.")) from exc
    except jwt.InvalidAudienceError as exc:
        raise GoogleTokenError(
            gettext("The ID token was issued for a different application.")
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise GoogleTokenError(gettext("The ID token's signature is invalid.")) from exc
    except jwt.PyJWTError as exc:
        raise GoogleTokenError(
            gettext("The ID token is invalid: %(error)s.") % {"error": exc}
        ) from exc

    if claims["iss"] not in settings.GOOGLE_ID_TOKEN_ISSUERS:
        raise GoogleTokenError(gettext("The ID token was not issued by Google."))
    if not claims.get("email"):
        raise GoogleTokenError(gettext("The Google account has no email address."), status=400)
    if claims.get("email_verified") not in (True, "true"):
        raise GoogleTokenError(
            gettext("The Google account's email address is not verified."), status=400
        )

    _accept_once(token, expires_at=int(claims["exp"]))
    return claims


def _accept_once(token: str, *, expires_at: int) -> None:
    """Replay protection: remember every accepted token until it expires."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    timeout = max(1, expires_at - int(time.time()) + CLOCK_SKEW_SECONDS)
    added = cache.add(f"google:id_token_seen:{digest}", 1, timeout=timeout)
    if added is None:
        # The cache swallowed an error (Redis down): without it a replay cannot be detected,
        # so refuse rather than accept a possibly stolen token.
        raise GoogleTokenError(
            gettext("Sign-in is temporarily unavailable; try again shortly."), status=503
        )
    if not added:
        raise GoogleTokenError(gettext("The ID token has already been used."))
