"""Who is on the other end of a request: the one place that decides the client's address.

Every limiter (common.ratelimit and allauth's, through accounts.adapters) asks `client_ip`.
Behind reverse proxies, REMOTE_ADDR is the nearest proxy, so every client would share one
address; settings.TRUSTED_PROXY_COUNT says how many proxies in front of Django are ours.

Each proxy appends the address it received the connection from to X-Forwarded-For, so with N
trusted proxies the N-th entry from the right was written by the outermost trusted proxy and
is the client as that proxy saw it. Anything further left was sent by the client and proves
nothing. Our nginx config replaces the header instead of appending to it, which gives the same
answer with one proxy; counting from the right keeps the answer right either way."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# What a request without any usable address is keyed on: such requests share one limit
# rather than escaping limits altogether.
UNKNOWN = "unknown"


def _normalized(value: str) -> str | None:
    """The canonical text of an IP address, or None. Tolerates the `[v6]:port` and
    `v4:port` forms some proxies write."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as far as the trusted proxies vouch for it."""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= trusted:
            address = _normalized(forwarded[-trusted])
            if address:
                return address
        # Fewer entries than trusted proxies (or garbage where a proxy should have written):
        # the request did not come through all of them. Fall back to the peer, whom every
        # such request shares, so that skipping a proxy never buys a fresh limit.
    return _normalized(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
