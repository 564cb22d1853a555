"""A fixed-window rate limiter on the shared cache (Redis in production), for writes.

`hit(...)` counts one attempt and says whether the caller is now over the limit. Limits live
in settings.RATE_LIMITS as scope → (max attempts, window seconds)."""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .client_address import client_ip

# An IPv6 subscriber is usually handed a whole /64 and could rotate through it for fresh
# limits; allauth groups IPv6 clients the same way (its RATE_LIMIT_IPV6_PREFIX).
IPV6_PREFIX = 64


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


def client_key(request: HttpRequest) -> str:
    """Who is asking: the user when signed in, else the client address (an IPv6 client by
    its /64 network)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address}"
    if parsed.version == 6:
        return f"ip:{ipaddress.ip_network(f'{parsed}/{IPV6_PREFIX}', strict=False)}"
    return f"ip:{parsed}"
