"""Whole-page cache for anonymous visitors, with exact invalidation.

Anonymous visitors of the public pages (landing, features, feed, profiles, artwork pages) all
see the same HTML for a given URL and language, so it is rendered once and served from the
shared cache. Every cached page remembers the site-wide content version it was rendered at;
any change that could show on a public page (an artwork announced as changed, a member's
account saved) bumps the version, and a copy from an older version is a miss, so no visitor
ever gets a page older than the last change. The version and the copy are read in one round
trip (MGET). Signed-in visitors, htmx fragments of signed-in pages, and responses that set
cookies or carry a one-time message are never cached.

The page carries the Content-Security-Policy nonce of the response it was rendered for (the
theme script's). A nonce must never be served twice, so the stored copy has a placeholder in
its place, and every hit gets this response's own nonce (the one the CSP middleware, outside
this one, puts in the header). The placeholder is derived from SECRET_KEY: text on a page
cannot spell it, so no one can plant a nonce-to-be in a cached page.

On by default, with Redis (REDIS_URL) or with the embedded default's file cache, which is
shared by every process too (PAGE_CACHE_SECONDS=0 turns it off).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.crypto import salted_hmac

VERSION_KEY = "pagecache:version"
HIT_HEADER = "X-Page-Cache"
# Headers worth restoring on a cached copy (Set-Cookie never is).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "X-Robots-Tag")


def _new_version() -> str:
    # A value no process has seen before, rather than an increment: the file cache of the
    # embedded default increments by read-then-write, so two processes bumping at once could
    # both write the same number and a page rendered between them would pass as current.
    return uuid.uuid4().hex


def _nonce_placeholder() -> bytes:
    return _placeholder_for(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _placeholder_for(secret: str) -> bytes:
    # Computed once per secret rather than on every cache hit.
    return (
        b"csp-nonce-"
        + salted_hmac("pagecache.csp-nonce", "placeholder", secret=secret).hexdigest()[:24].encode()
    )


def _used_nonce(request: HttpRequest) -> str:
    """This response's CSP nonce if the page used it ("" if not). django-csp's request.csp_nonce
    is lazy and is truthy only once something has read it."""
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce) if nonce else ""


def _content_to_store(request: HttpRequest, content: bytes) -> bytes:
    nonce = _used_nonce(request)
    return content.replace(nonce.encode(), _nonce_placeholder()) if nonce else content


def _content_to_serve(request: HttpRequest, stored: bytes) -> bytes:
    placeholder = _nonce_placeholder()
    if placeholder not in stored:
        return stored
    # Reading request.csp_nonce makes one for this response; the CSP middleware sends it.
    return stored.replace(placeholder, str(getattr(request, "csp_nonce", "")).encode())


def bump_version() -> None:
    """Invalidate every cached page at once."""
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def page_key(request: HttpRequest) -> str:
    url = request.get_full_path()
    variant = f"{request.LANGUAGE_CODE}|{bool(getattr(request, 'htmx', False))}|{url}"
    return "pagecache:page:" + hashlib.sha256(variant.encode()).hexdigest()[:32]


def _lookup(key: str) -> tuple[str | None, tuple | None]:
    """(current version, the cached copy if it was rendered at that version) — one round trip.
    The version is None when the cache cannot say (then nothing is served or stored)."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    cached = found.get(key)
    if version is not None and cached is not None and cached[0] == version:
        return version, cached
    return version, None


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.resolver_match
    if match is None or match.view_name not in settings.PAGE_CACHE_VIEWS:
        return False
    if request.user.is_authenticated:
        return False
    # A pending one-time message ("You have signed out") belongs to this visitor only.
    if "messages" in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.get("_messages"))


class AnonymousPageCacheMiddleware:
    """Goes last in MIDDLEWARE: it needs the user, the session and the resolved view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_page_cache_pending", None)
        if (
            pending
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            key, version = pending
            headers = {h: response[h] for h in KEPT_HEADERS if h in response}
            content = _content_to_store(request, response.content)
            cache.set(key, (version, content, headers), timeout=settings.PAGE_CACHE_SECONDS)
            response[HIT_HEADER] = "miss"
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        if settings.PAGE_CACHE_SECONDS <= 0 or not _cacheable_request(request):
            return None
        key = page_key(request)
        version, cached = _lookup(key)
        if version is None:
            return None  # the cache is unreachable: render, and keep no copy
        if cached is None:
            # Stored with the version read *before* rendering: a change during the render
            # leaves an already-outdated copy, which the next visitor treats as a miss.
            request._page_cache_pending = (key, version)
            return None
        _version, content, headers = cached
        response = HttpResponse(_content_to_serve(request, content))
        for name, value in headers.items():
            response[name] = value
        response[HIT_HEADER] = "hit"
        return response
