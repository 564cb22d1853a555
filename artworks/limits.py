"""The creation limit, asked alike by the create page and the API (common.ratelimit).

It counts artworks made (generated, uploaded, generations retried), so that a member whose
attempt is refused (a form error, a file that is not an image) has used none of it. Each
attempt may decode an upload or a reference image, so attempts have a limit of their own,
higher, counted before any work. Both fail closed: see common.ratelimit."""

from __future__ import annotations

from django.http import HttpRequest

from common import ratelimit

MADE, ATTEMPTED = "artwork_create", "artwork_create_attempt"


def creation_refused(request: HttpRequest) -> bool:
    """Count this attempt; True when the caller may not create now (over either limit).
    Raises ratelimit.RateLimitUnavailable when the cache cannot count."""
    key = ratelimit.client_key(request)
    too_many_attempts = ratelimit.hit(scope=ATTEMPTED, key=key)
    return too_many_attempts or ratelimit.reached(scope=MADE, key=key)


def creation_made(request: HttpRequest) -> None:
    """Count an artwork the caller made (after the attempt `creation_refused` allowed)."""
    ratelimit.succeeded(scope=MADE, key=ratelimit.client_key(request))
