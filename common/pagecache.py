"""Whole-page cache for anonymous visitors, with exact invalidation.

Anonymous visitors of the public pages (landing, features, feed, profiles, artwork pages, and
the JSON API's public reads) all see the same response for a given URL and language, so it is
rendered once and served from the shared cache. Every cached page remembers the versions of
what it shows, read before it was rendered; a copy whose versions are no longer current is a
miss, so no visitor ever gets a page older than the last change that shows on it:

- the site-wide version: a change that shows everywhere (a member's name or picture, a
  suspension) bumps it;
- tags: an artwork page depends on `artwork:<id>` (from its URL) and on `author:<id>` (what
  its "more by the author" strip shows, declared by the view with `depends_on`); every other
  page (lists: landing, feed, profiles) on `lists`. An announced change of an artwork bumps
  its artwork tag, its author's tag and `lists`, so a like on one artwork leaves the cached
  pages of other authors' artworks in place.

The site-wide version, the URL's tags and the copy are read in one round trip (MGET); a copy
with declared tags needs a second one for those. Signed-in visitors, htmx fragments of
signed-in pages, and responses that set cookies or carry a one-time message are never cached.

The page carries the Content-Security-Policy nonce of the response it was rendered for (the
theme script's). A nonce must never be served twice, so the stored copy has a placeholder in
its place, and every hit gets this response's own nonce (the one the CSP middleware, outside
this one, puts in the header). The placeholder is derived from SECRET_KEY: text on a page
cannot spell it, so no one can plant a nonce-to-be in a cached page.

On by default, with Redis (REDIS_URL) or with the embedded default's file cache, which is
shared by every process too (PAGE_CACHE_SECONDS=0 turns it off).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags, quote_etag
from django.utils.module_loading import import_string

from . import host_changes
from .cache_writes import set_and_delete
from .csrf_tokens import masked_csrf_token

VERSION_KEY = "pagecache:version"
LISTS = "lists"
HIT_HEADER = "X-Page-Cache"
# Headers worth restoring on a cached copy (Set-Cookie never is).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    "Cache-Control",
    "X-Robots-Tag",
    "ETag",
)


def _new_version() -> int:
    # A value no process has seen before, rather than an increment: the file cache of the
    # embedded default increments by read-then-write, so two processes bumping at once could
    # both write the same number and a page rendered between them would pass as current.
    # A number (63 random bits): the Redis cache stores it as it is, without pickling.
    return int.from_bytes(os.urandom(8), "big") >> 1


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


def _content_to_serve(request: HttpRequest, parts: tuple[bytes, ...]) -> bytes:
    """A page's bytes for this response, from its `_parts`: its placeholders replaced with
    this response's CSP nonce and (a member's page) the member's CSRF token. A process splits
    a kept copy once, when it takes its bytes: searching tens of kilobytes for the
    placeholders on every answer cost more than the rest of a hit. (A member's page just
    rendered is split on its way out, where its token goes in.)"""
    if len(parts) == 1:
        return parts[0]
    nonce, token = _nonce_placeholder(), _csrf_placeholder().encode()
    values: dict[bytes, bytes] = {}
    filled = list(parts)
    for at in range(1, len(filled), 2):
        mark = filled[at]
        value = values.get(mark)
        if value is None:
            # Reading request.csp_nonce makes one for this response (the CSP middleware sends
            # it); the member's token renews their CSRF cookie, as get_token does.
            value = values[mark] = (
                str(getattr(request, "csp_nonce", "")).encode()
                if mark == nonce
                else masked_csrf_token(request).encode()
            )
        filled[at] = value
    if token in values:
        request._page_csrf_filled = True
    return b"".join(filled)


def _parts(content: bytes) -> tuple[bytes, ...]:
    """`content` split around its placeholders, each kept at an odd index."""
    return tuple(_placeholders_for(settings.SECRET_KEY).split(content))


@functools.lru_cache(maxsize=4)
def _placeholders_for(secret: str) -> re.Pattern[bytes]:
    nonce, token = _placeholder_for(secret), _csrf_placeholder_for(secret).encode()
    return re.compile(b"(" + re.escape(nonce) + b"|" + re.escape(token) + b")")


def bump_version() -> None:
    """Invalidate every cached page at once."""
    _bump([VERSION_KEY])


def artwork_tag(artwork_id: int) -> str:
    return f"artwork:{artwork_id}"


def author_tag(user_id: int) -> str:
    return f"author:{user_id}"


def member_tag(user_id: int) -> str:
    """What only this member's own pages show (their liked and kept state)."""
    return f"member:{user_id}"


def collections_tag(user_id: int) -> str:
    """What a member's collections show to others: their list, each one's page and feed."""
    return f"collections:{user_id}"


def tag_key(tag: str) -> str:
    return f"pagecache:tag:{tag}"


def bump_tags(*tags: str, drop: Iterable[str] = ()) -> None:
    """Invalidate the cached pages that depend on any of `tags`, and delete the cache keys
    `drop` with them (what else the change made stale): one round trip on Redis."""
    _bump([tag_key(tag) for tag in tags], drop)


def artwork_changed(
    *, artwork_id: int, author_id: int, member_id: int | None = None, drop: Iterable[str] = ()
) -> None:
    """What an announced change of an artwork invalidates: its page, the pages that show it
    beside its author's other works, and the lists; for a reaction, also the pages of the
    member who reacted (their liked and kept state). `drop`: cache keys deleted with them."""
    tags = [artwork_tag(artwork_id), author_tag(author_id), LISTS]
    if member_id is not None:
        tags.append(member_tag(member_id))
    bump_tags(*tags, drop=drop)


def _is_htmx(request: HttpRequest) -> bool:
    # What django-htmx's `request.htmx` says, read from the header: the early path
    # (common/pagecache_early.py) answers before that middleware runs.
    return request.META.get("HTTP_HX_REQUEST") == "true"


def _member_id(request: HttpRequest) -> int | None:
    bearer = getattr(request, "_page_cache_bearer", None)
    if bearer is not None:
        return bearer.pk
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def page_key(request: HttpRequest, member: int | None = None) -> str:
    """The cache key of this request's copy: `member`'s own (by default, the requester's)."""
    url = request.get_full_path()
    member = member if member is not None else (_member_id(request) or "")
    variant = f"{request.LANGUAGE_CODE}|{_is_htmx(request)}|{member}|{url}"
    return "pagecache:page:" + hashlib.sha256(variant.encode()).hexdigest()[:32]


def _route_tags(view_kwargs: dict) -> list[str]:
    """The tags a page depends on, known from its URL alone."""
    artwork_id = view_kwargs.get("artwork_id")
    return [artwork_tag(artwork_id)] if artwork_id is not None else [LISTS]


# --- versions: kept as values in the cache, or as the cache's own stamps where it has them
# (the embedded file cache: a file's modification time, one system call to read or to bump).


def _stamps() -> object | None:
    supported = getattr(cache, "stamps_supported", None)
    return cache if supported is not None and supported() else None


def _bump(keys: list[str], drop: Iterable[str] = ()) -> None:
    """Fresh versions for `keys`, after deleting the cache keys `drop` (one round trip on
    Redis)."""
    stamps = _stamps()
    if stamps is None:
        set_and_delete({key: _new_version() for key in keys}, drop, timeout=None)
    else:
        drop = list(drop)
        if drop:
            cache.delete_many(drop)
        stamps.stamps_new(keys)
    host_changes.advance()  # after the bump: what a process reuses from before is not reused


def read_versions(keys: list[str], *values: str) -> dict:
    """The versions of `keys` that have one, and the cached `values` that are there, in one
    read (one round trip on Redis)."""
    stamps = _stamps()
    if stamps is None:
        return cache.get_many([*keys, *values])
    found = stamps.stamps_read(keys)
    if values:
        found.update(cache.get_many(list(values)))
    return found


def current_versions(keys: list[str], found: dict) -> dict[str, object] | None:
    """The current version of each key, from `found` (read_versions) where it is there. A
    missing one (never bumped yet, or culled) is given a fresh version: a copy rendered before
    it went missing must not pass as current. None when the cache cannot say."""
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        stamps = _stamps()
        if stamps is None:
            for key in missing:
                cache.add(key, _new_version(), timeout=None)
        else:
            stamps.stamps_add(missing)
        found = {**found, **read_versions(missing)}
        if any(found.get(key) is None for key in missing):
            return None
    return {key: found[key] for key in keys}


# What each page declared it depends on (depends_on) the last time this process read its copy:
# asked for in the first round trip, so a hit needs one. Only a hint: a copy is checked against
# everything it recorded, so a hint that is missing or outdated costs a second round trip,
# never a stale page.
_DECLARED: dict[str, tuple[str, ...]] = {}
_DECLARED_MAX = 20_000


def lookup_keys(key: str, tags: list[str]) -> list[str]:
    """The versions a lookup of the copy `key` of a page depending on `tags` reads."""
    return [VERSION_KEY, *(tag_key(tag) for tag in tags), *_DECLARED.get(key, ())]


# --- the copies' bytes, kept by each process too ---------------------------------------------
# A page is tens of kilobytes; its versions, a few dozen bytes. A process that holds a copy's
# bytes reads only the copy's summary (`meta_key`: its versions, the digest of its bytes, its
# headers) with the versions, in the same one round trip, and serves its own bytes when the
# digests match; a process without them reads the whole copy, as before, and keeps its bytes.
# Bounded by PAGE_CACHE_PROCESS_BYTES (least recently used first out).
_BODIES: OrderedDict[str, tuple[str, tuple[bytes, ...]]] = OrderedDict()  # digest, `_parts`
_BODIES_SIZE = [0]


def meta_key(key: str) -> str:
    return key.replace("pagecache:page:", "pagecache:meta:", 1)


def _digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


def _size(parts: tuple[bytes, ...]) -> int:
    return sum(map(len, parts))


def _keep_body(key: str, digest: str, parts: tuple[bytes, ...]) -> None:
    limit = settings.PAGE_CACHE_PROCESS_BYTES
    size = _size(parts)
    if size > limit // 4:
        return
    old = _BODIES.pop(key, None)
    if old is not None:
        _BODIES_SIZE[0] -= _size(old[1])
    _BODIES[key] = (digest, parts)
    _BODIES_SIZE[0] += size
    with contextlib.suppress(KeyError):  # threads share it: another may evict at once
        while _BODIES_SIZE[0] > limit and _BODIES:
            _old_key, (_d, dropped) = _BODIES.popitem(last=False)
            _BODIES_SIZE[0] -= _size(dropped)


def forget_bodies() -> None:
    _BODIES.clear()
    _BODIES_SIZE[0] = 0
    _RECENT.clear()


def _store(key: str, versions: dict, content: bytes, headers: dict, *, timeout: int) -> None:
    """Keep a copy: whole, and its summary for the processes that hold its bytes."""
    digest = _digest(content)
    cache.set_many(
        {key: (versions, content, headers), meta_key(key): (versions, digest, headers)},
        timeout=timeout,
    )
    _keep_body(key, digest, _parts(content))


def _read(keys: list[str], key: str, *values: str) -> tuple[dict, str]:
    """`read_versions` of a lookup: with the copy's summary where this process holds its
    bytes, else with the whole copy. (what was found, the key the copy was read under)"""
    copy_key = meta_key(key) if key in _BODIES else key
    return read_versions(keys, copy_key, *values), copy_key


def _copy(key: str, copy_key: str, found: dict) -> tuple | None:
    """The copy (versions, its bytes' `_parts`, headers) from what a lookup found: this
    process's own bytes when the summary's digest is theirs, else the whole copy (read now,
    if only the summary was), whose bytes this process keeps from then on."""
    value = found.get(copy_key)
    if value is None or not isinstance(value[0], dict):
        return None
    if copy_key != key:
        versions, digest, headers = value
        held = _BODIES.get(key)
        if held is not None and held[0] == digest:
            with contextlib.suppress(KeyError):  # dropped by another thread meanwhile
                _BODIES.move_to_end(key)
            return versions, held[1], headers
        value = cache.get(key)  # re-rendered elsewhere since: the new bytes
        if value is None or not isinstance(value[0], dict):
            return None
    versions, content, headers = value
    parts = _parts(content)
    _keep_body(key, _digest(content), parts)
    return versions, parts, headers


def _lookup(
    key: str, tags: list[str], *values: str
) -> tuple[dict[str, str] | None, tuple | None, dict]:
    """(the versions the page depends on, read before rendering; the cached copy if it is
    still current; what else was read: `values`, in the same round trip). The versions are
    None when the cache cannot say (then nothing is served or stored)."""
    keys = lookup_keys(key, tags)
    found, copy_key = _read(keys, key, *values)
    versions = current_versions(keys, found)
    if versions is None:
        return None, None, found
    cached = _copy(key, copy_key, found)
    if cached is None:
        return versions, None, found
    stored = cached[0]
    if any(stored.get(k) != v for k, v in versions.items()):
        return versions, None, found
    declared = [k for k in stored if k not in versions]
    if declared:
        now = read_versions(declared)
        if any(now.get(k) != stored[k] for k in declared):
            return versions, None, found
        if len(_DECLARED) >= _DECLARED_MAX:
            _DECLARED.clear()
        _DECLARED[key] = (*_DECLARED.get(key, ()), *declared)
    return versions, cached, found


def depends_on(request: HttpRequest, *tags: str) -> None:
    """A view declares what else its page shows, beyond what its URL says (an artwork page:
    its author's other works). Call it before reading that data: the versions are read now,
    so a change committed while the page renders leaves an outdated copy (a miss), never a
    stale one that passes as current."""
    pending = getattr(request, "_page_cache_pending", None)
    if not pending:
        return
    key, versions = pending
    keys = [tag_key(tag) for tag in tags]
    current = current_versions(keys, read_versions(keys))
    if current is None:
        request._page_cache_pending = None  # the cache cannot say: keep no copy
        return
    request._page_cache_pending = (key, {**versions, **current})


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.resolver_match
    if match is None or match.view_name not in settings.PAGE_CACHE_VIEWS:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        # An API call with a token is the token's member's, whatever the session says.
        request._page_cache_bearer = _bearer_member(request, match.view_name)
        if request._page_cache_bearer is None:
            return False
    elif request.user.is_authenticated and not _member_page(request, match.view_name):
        return False
    # A pending one-time message ("You have signed out") belongs to this visitor only.
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.get("_messages"))


def _member_page(request: HttpRequest, view_name: str) -> bool:
    """Whether a signed-in member's copy of this page may be kept (for them alone). Not for
    staff accounts (what they see follows permissions, which no tag follows), nor for the
    JSON API called with the session (with a token it may: `_bearer_member`)."""
    if settings.MEMBER_PAGE_CACHE_SECONDS <= 0 or view_name.startswith("api:"):
        return False
    user = request.user
    return not (user.is_staff or user.is_superuser)


def _bearer_member(request: HttpRequest, view_name: str) -> object | None:
    """The member an API read's access token speaks for, when their own copy may be kept: the
    same check the API's authentication makes (settings.PAGE_CACHE_BEARER_USER), so a token
    the API would refuse is never answered from here. Not for staff accounts."""
    if settings.MEMBER_PAGE_CACHE_SECONDS <= 0 or not view_name.startswith("api:"):
        return None
    scheme, _, token = request.META["HTTP_AUTHORIZATION"].partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = import_string(settings.PAGE_CACHE_BEARER_USER)(token.strip())
    if user is None or user.is_staff or user.is_superuser:
        return None
    return user


def keep_out(request: HttpRequest) -> None:
    """A view whose page this time shows what no tag follows (an author's own drafts and
    their generation progress, owner controls) keeps it out of the cache."""
    request._page_cache_pending = None


def _personal(request: HttpRequest) -> bool:
    return _member_id(request) is not None or "HTTP_AUTHORIZATION" in request.META


def _csrf_placeholder() -> str:
    return _csrf_placeholder_for(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _csrf_placeholder_for(secret: str) -> str:
    return "csrf" + salted_hmac("pagecache.csrf", "placeholder", secret=secret).hexdigest()[:28]


def csrf_token_for_render(request: HttpRequest) -> str | None:
    """The CSRF token a member's page is drawn with when it may be kept: a placeholder (no
    member's token is ever stored), which every answer, the first included, replaces with
    this member's own. None for any other page (the usual token)."""
    return _csrf_placeholder() if getattr(request, "_page_cache_member", False) else None


def _shareable(response: HttpResponse, content: bytes) -> None:
    """Headers that let a CDN keep an anonymous answer: an ETag (304 on revalidation) and
    `s-maxage` with `stale-while-revalidate`. Only for answers that are the same bytes for
    everyone: a page carrying a per-response CSP nonce stays with the browser and this cache.
    `Vary: Authorization`: a call with a token is its member's (as one with a session cookie
    is, `Vary: Cookie`), never to be answered with the visitors' copy."""
    if _nonce_placeholder() in content or "Cache-Control" in response:
        return
    response["ETag"] = quote_etag(hashlib.sha256(content).hexdigest()[:32])
    patch_vary_headers(response, ("Authorization",))
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PAGE_CDN_MAX_AGE,
        stale_while_revalidate=settings.PAGE_CDN_STALE_SECONDS,
    )


class PageCacheMiddleware:
    """Goes last in MIDDLEWARE: it needs the user, the session and the resolved view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_page_cache_pending", None)
        member = getattr(request, "_page_cache_member", False)
        if (
            pending
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            key, versions = pending
            content = _content_to_store(request, response.content)
            if not member:
                _shareable(response, content)
            headers = {h: response[h] for h in KEPT_HEADERS if h in response}
            _store(key, versions, content, headers, timeout=_seconds(member))
            response[HIT_HEADER] = "miss"
        if member and not response.streaming and not getattr(request, "_page_csrf_filled", False):
            # Drawn with the placeholder token whether or not it was kept (a copy served from
            # the cache has the member's token already: `_content_to_serve`).
            response.content = _content_to_serve(request, _parts(response.content))
        if _personal(request) and "Cache-Control" not in response:
            # A member's page or answer: never for a shared cache.
            patch_cache_control(response, private=True)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        if settings.PAGE_CACHE_SECONDS <= 0:
            return None
        early = _session_member_lookup(request, view_kwargs)
        if not _cacheable_request(request):
            return None
        member = _member_id(request)
        request._page_cache_member = member is not None
        if early is not None and member is not None and early[0] == page_key(request, member):
            return _answer(request, *early)
        return from_cache(request, view_kwargs)


def _session_member_lookup(
    request: HttpRequest, view_kwargs: dict[str, object]
) -> tuple[str, dict | None, tuple | None] | None:
    """A signed-in member's page looked up before the member is: the session names them, and
    their row's stamp (settings.PAGE_CACHE_SESSION_HINT) is read in the page's round trip, so
    finding the member then costs nothing more (accounts/member_cache.py); so is the session
    itself, when the process has seen it name that member before. (key, versions,
    copy), as `from_cache` would find them for that member; None when this is not such a
    request. The caller uses it only if the member turns out to be the one the session named
    and the page is theirs to keep."""
    match = request.resolver_match
    if (
        request.method not in ("GET", "HEAD")
        or "HTTP_AUTHORIZATION" in request.META
        or settings.MEMBER_PAGE_CACHE_SECONDS <= 0
        or match is None
        or match.view_name not in settings.PAGE_CACHE_VIEWS
        or match.view_name.startswith("api:")
    ):
        return None
    hint = import_string(settings.PAGE_CACHE_SESSION_HINT)(request)
    if hint is None:
        return None
    key = page_key(request, hint.member)
    tags = [*_route_tags(view_kwargs), member_tag(hint.member)]
    versions, cached, found = _lookup(key, tags, *hint.keys)
    if not hint.confirm(request, found):
        # The session was read with the page and names someone else (or no one): now that
        # it is loaded, look again for whoever it names.
        return _session_member_lookup(request, view_kwargs)
    return key, versions, cached


def _seconds(member: bool) -> int:
    return settings.MEMBER_PAGE_CACHE_SECONDS if member else settings.PAGE_CACHE_SECONDS


def from_cache(request: HttpRequest, view_kwargs: dict[str, object]) -> HttpResponse | None:
    """The cached answer to an anonymous visitor's request for a cacheable view (a 304 when
    the visitor's copy is current), or None: then the view renders, and a fresh copy is kept
    if the cache could say which versions it depends on."""
    key = page_key(request)
    tags = _route_tags(view_kwargs)
    member = _member_id(request)
    if member is not None:
        tags.append(member_tag(member))
        versions, cached, _found = _lookup(key, tags)
        return _answer(request, key, versions, cached)
    recent = _recent(key)
    if recent is not None:
        return _answer(request, key, *recent)
    mark = host_changes.current()  # read before the lookup: a change after it moves the mark
    versions, cached, _found = _lookup(key, tags)
    if cached is not None and mark is not None and settings.PAGE_CACHE_LOCAL_SECONDS > 0:
        if len(_RECENT) >= _RECENT_MAX:
            _RECENT.clear()
        deadline = time.monotonic() + settings.PAGE_CACHE_LOCAL_SECONDS
        _RECENT[key] = (deadline, mark, versions, cached)
    return _answer(request, key, versions, cached)


# --- an anonymous copy found a moment ago, reused without asking the cache --------------------
# page key → (until when, the host's change mark read before the lookup, versions, copy). A
# copy is reused for PAGE_CACHE_LOCAL_SECONDS at most, and only while no process of this host
# changed anything since (common/host_changes.py): a like, an edit, a takedown made here moves
# the mark once its versions are bumped, and the next request looks the copy up again. A
# change made on another host is seen when the reuse runs out. Members' copies are never
# reused this way (their session and row are checked on every request). Bounded: emptied
# when full.
_RECENT: dict[str, tuple[float, bytes, dict, tuple]] = {}
_RECENT_MAX = 4096


def _recent(key: str) -> tuple[dict, tuple] | None:
    recent = _RECENT.get(key)
    if recent is None:
        return None
    deadline, mark, versions, cached = recent
    if time.monotonic() < deadline and host_changes.current() == mark:
        return versions, cached
    _RECENT.pop(key, None)
    return None


def _answer(
    request: HttpRequest, key: str, versions: dict | None, cached: tuple | None
) -> HttpResponse | None:
    if versions is None:
        return None  # the cache is unreachable: render, and keep no copy
    if cached is None:
        # Stored with the versions read *before* rendering: a change during the render
        # leaves an already-outdated copy, which the next visitor treats as a miss.
        request._page_cache_pending = (key, versions)
        return None
    _version, parts, headers = cached
    etag = headers.get("ETag")
    if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Vary"):
            if name in headers:
                response[name] = headers[name]
        response[HIT_HEADER] = "hit"
        return response
    # With this response's nonce and, a member's copy, their CSRF token.
    response = HttpResponse(_content_to_serve(request, parts))
    for name, value in headers.items():
        response[name] = value
    response[HIT_HEADER] = "hit"
    return response
