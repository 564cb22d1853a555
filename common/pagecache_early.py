"""The page cache's early door: an anonymous visitor's cached page served before the session,
the member, CSRF, messages and the rest of the middleware are set up.

Most of what a cache hit cost was the middleware around it, not the cache: loading a session,
resolving the member, CSRF, messages, allauth. A visitor who sends no session cookie, no
one-time message cookie and no Authorization header has none of those to look at, so for a
cacheable view (settings.PAGE_CACHE_VIEWS) this middleware finds the language as
LocaleMiddleware and QueryLanguageMiddleware would, and asks the page cache
(`pagecache.from_cache`, the same lookup the in-stack PageCacheMiddleware makes). A miss
goes down the whole stack as before, which renders and keeps the copy.

It goes after the security and CSP middlewares (every answer still gets their headers and its
own nonce) and puts on what the middlewares it skips would have: Vary, Content-Language,
X-Frame-Options and Content-Length; the copy's own headers (Cache-Control, ETag) are kept with
it. tests/common/test_pagecache_early.py holds the two doors to the same answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import pagecache
from .seo import LANG_PARAM
from .setting_memos import cleared_on_change


@cleared_on_change("ROOT_URLCONF", "PAGE_CACHE_VIEWS")
@functools.lru_cache(maxsize=4096)
def _cacheable_route(urlconf: str, path: str) -> tuple[tuple[str, object], ...] | None:
    """The URL's arguments when it is a cacheable view's (settings.PAGE_CACHE_VIEWS), else None.
    Remembered per process: resolving walks the URL patterns, which cost more than the cache
    lookup. Bounded, so any number of distinct URLs only evicts."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    if match.view_name not in settings.PAGE_CACHE_VIEWS:
        return None
    return tuple(match.kwargs.items())


class EarlyPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._cached(request)
        if response is None:
            return self.get_response(request)
        # Never resolved, so the metrics name its view this way (common/observability).
        request.early_page_cache_hit = True
        # What LocaleMiddleware and SessionMiddleware would have said, in their order.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        if "X-Frame-Options" not in response:
            response["X-Frame-Options"] = settings.X_FRAME_OPTIONS.upper()
        if not response.streaming and "Content-Length" not in response:
            response["Content-Length"] = str(len(response.content))
        return response

    def _cached(self, request: HttpRequest) -> HttpResponse | None:
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
            return None
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or CookieStorage.cookie_name in cookies
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None  # someone's own: the whole stack decides
        route = _cacheable_route(get_urlconf() or settings.ROOT_URLCONF, request.path_info)
        if route is None:
            return None
        request.LANGUAGE_CODE = self._language(request)
        response = pagecache.from_cache(request, dict(route))
        if response is None:
            # A miss (or a cache that cannot say) renders through the whole stack, which
            # looks the copy up again: nothing pending is kept from here.
            request._page_cache_pending = None
        return response

    def _language(self, request: HttpRequest) -> str:
        code = request.GET.get(LANG_PARAM, "").lower()
        if code in self.codes:
            return code
        return translation.get_language_from_request(request)
