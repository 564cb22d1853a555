"""A fixed-window rate limiter on the shared cache (Redis in production), for writes.

`hit(...)` counts one attempt and says whether the caller is now over the limit. Limits live
in settings.RATE_LIMITS as scope → (max attempts, window seconds). A limit on what succeeded
rather than on attempts is asked with `reached(...)` before the work and counted with
`succeeded(...)` after it.

When the cache cannot count (Redis is down), a limit fails OPEN — the attempt is allowed —
unless its scope is in settings.RATE_LIMITS_FAIL_CLOSED: those guard against abuse that costs
real money or accounts (API sign-in, artwork creation and generation), and refuse with
`RateLimitUnavailable` (callers answer 503) rather than run unlimited."""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .client_address import client_ip

# An IPv6 subscriber is usually handed a whole /64 and could rotate through it for fresh
# limits; allauth groups IPv6 clients the same way (its RATE_LIMIT_IPV6_PREFIX).
IPV6_PREFIX = 64

logger = logging.getLogger(__name__)


class RateLimitUnavailable(Exception):
    """The counter of a fail-closed limit cannot be read: refuse the attempt."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"rate limit {scope!r} cannot count attempts right now")
        self.scope = scope


@dataclass
class Attempt:
    """One attempt for (scope, key), in this window: its counter's cache key, and once
    counted, the count (None: the cache could not count)."""

    cache_key: str
    timeout: int
    counted: bool = False
    count: int | None = None

    def record(self, count: int | None) -> None:
        self.counted, self.count = True, count


def attempt(*, scope: str, key: str) -> Attempt:
    _, window = settings.RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    return Attempt(f"ratelimit:{scope}:{key}:{bucket}", timeout=window + 1)


def remember(request: HttpRequest, counted: Attempt) -> None:
    """`counted` was counted for `request` already (with another read, in the same round
    trip): the request's `hit` for it uses that count instead of counting again."""
    request._rate_attempts = {**getattr(request, "_rate_attempts", {}), counted.cache_key: counted}


def hit(*, scope: str, key: str, request: HttpRequest | None = None) -> bool:
    """Record one attempt for (scope, key); True when this attempt exceeds the limit.
    Raises RateLimitUnavailable when the cache cannot count and the scope fails closed.
    `request`: an attempt counted for it already (`remember`) is not counted twice."""
    this = attempt(scope=scope, key=key)
    counted = getattr(request, "_rate_attempts", {}).pop(this.cache_key, None)
    count = counted.count if counted is not None else _count(this.cache_key, timeout=this.timeout)
    if count is None:
        if scope in settings.RATE_LIMITS_FAIL_CLOSED:
            raise RateLimitUnavailable(scope)
        return False
    limit, _ = settings.RATE_LIMITS[scope]
    return count > limit


def reached(*, scope: str, key: str) -> bool:
    """Whether (scope, key) has used up its limit in this window, as counted by `succeeded`:
    a limit on what was done rather than on attempts, so that a refused attempt costs none of
    it. Read before the work and counted after it, so requests in flight at once can each
    pass: pair it with a limit on attempts (`hit`), which also fails closed for it."""
    return cache.get(attempt(scope=scope, key=key).cache_key + ":reached") is True


def succeeded(*, scope: str, key: str) -> None:
    """Count one success for (scope, key); the one that reaches the limit marks it `reached`
    for the rest of the window."""
    this = attempt(scope=scope, key=key)
    count = _count(this.cache_key, timeout=this.timeout)
    limit, _ = settings.RATE_LIMITS[scope]
    if count is not None and count >= limit:
        cache.set(this.cache_key + ":reached", True, timeout=this.timeout)


def _count(cache_key: str, *, timeout: int) -> int | None:
    """The attempt count after this one; None when the cache cannot answer. (The Redis cache
    swallows its errors and answers None where a working cache answers a number or a bool.)
    Our caches count in one call, exact across processes (`count_attempt`: Redis's INCR, the
    file cache's appends); any other counts with incr, and add for a window's first."""
    counter = getattr(cache, "count_attempt", None)
    if counter is not None:
        try:
            count = counter(cache_key, timeout)
        except Exception:
            logger.warning("rate-limit counter %s unavailable", cache_key, exc_info=True)
            return None
        return count if isinstance(count, int) else None
    try:
        try:
            # Counting on is the usual case (one round trip); the window's first attempt
            # finds no counter and adds it.
            count = cache.incr(cache_key)
        except ValueError:
            added = cache.add(cache_key, 1, timeout=timeout)
            if added is None:
                return None
            if added:
                return 1
            try:
                count = cache.incr(cache_key)  # another attempt added it first
            except ValueError:  # and it expired in between
                cache.set(cache_key, 1, timeout=timeout)
                return 1
    except Exception:
        logger.warning("rate-limit counter %s unavailable", cache_key, exc_info=True)
        return None
    return count if isinstance(count, int) else None


def member_key(pk: int) -> str:
    """A signed-in member's key (what `client_key` says for them)."""
    return f"user:{pk}"


def client_key(request: HttpRequest) -> str:
    """Who is asking: the user when signed in, else the client address (an IPv6 client by
    its /64 network)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return member_key(user.pk)
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"ip:{address}"
    if parsed.version == 6:
        return f"ip:{ipaddress.ip_network(f'{parsed}/{IPV6_PREFIX}', strict=False)}"
    return f"ip:{parsed}"
