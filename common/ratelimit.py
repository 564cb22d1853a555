"""A fixed-window rate limiter on the shared cache (Redis in production), for writes.

`hit(...)` counts one attempt and says whether the caller is now over the limit. Limits live
in settings.RATE_LIMITS as scope → (max attempts, window seconds)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def hit(*, scope: str, key: str) -> bool:
    """Record one attempt for (scope, key); True when this attempt exceeds the limit."""
    limit, window = settings.RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    return count > limit


def client_key(request) -> str:
    """Who is asking: the user when signed in, else the client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + request.META.get("REMOTE_ADDR", "unknown")
