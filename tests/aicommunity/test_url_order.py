"""The URL map (aicommunity/urls.py) is tried in order, and several apps share the root and
the `artwork/<id>/…` and `user/<name>/…` prefixes: no pattern may take another's URL (the
report form comes before the artwork page it would otherwise be taken for). Every named
route, given sample arguments, resolves back to its own route."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

# Sample values, the first a converter's pattern takes is used.
SAMPLES = (7, "sample", "12345678-1234-1234-1234-123456789abc", "a/b")


def _routes(patterns, namespace: str = "", converters: dict | None = None, prefix: str = ""):
    """(full name, its whole route, the route's converters) for every named route pattern."""
    converters = converters or {}
    for entry in patterns:
        own = (
            getattr(entry.pattern, "converters", {})
            if isinstance(entry.pattern, RoutePattern)
            else None
        )
        if own is None:
            continue  # a regular expression (the API's catch-all, media): no sample to build
        found = {**converters, **own}
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner, found, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route, found


def test_every_named_route_resolves_back_to_itself():
    checked = 0
    for name, route, converters in _routes(get_resolver().url_patterns):
        kwargs = {
            arg: next(v for v in SAMPLES if re.fullmatch(converter.regex, str(v)))
            for arg, converter in converters.items()
        }
        url = reverse(name, kwargs=kwargs)
        # Its own route (the API's operations on one path share it: one view per path).
        assert resolve(url).route == route, (name, url, resolve(url).route)
        checked += 1
    assert checked > 50  # the site's pages, the API's operations, allauth's, the admin's
