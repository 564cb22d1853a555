"""The signed-in member without a query on every request.

Every signed-in request needs its member (the session's or the access token's): a SELECT by
primary key, which cost a signed-in page more than the page itself once the page was cached.
Each web process keeps the rows of the members it has served (bounded, least recently used
first out), each with the **stamp** it was read under: a value in the shared cache that every
change of the member's row replaces (`forget`, after commit). A kept row is used only while
its stamp is still the current one, so a saved row (a new name, a new password, a
deactivation, a changed setting, a moved count) is read afresh on the member's next request
in every process; a missing stamp (never set, evicted, Redis emptied) gets a fresh one, which
no kept row carries. When the cache cannot answer, the row is read from the database.

A signed-in page cached for its member reads the stamp in the page's own round trip
(`session_hint`, `common.pagecache`), and the session too once this process has seen it name
that member: a warm signed-in page costs one round trip and no query.

The session is checked as Django checks it: the backend it names must be one of ours, the row
must belong to an active member, and its session hash must match; anything else (a mismatch,
fallback keys, an inactive member) goes through Django's own `get_user`, which flushes what
it must. Each request gets its own model instance, built from the kept values: what a view
sets on `request.user` never reaches another request."""

from __future__ import annotations

import contextlib
import copy
import datetime
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBSessionStore
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from .models import User

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from common import ratelimit

_STAMP_PREFIX = "member:stamp:"
_UNREAD = object()
_IMMUTABLE = (str, int, float, bool, type(None), datetime.datetime, datetime.date)


@dataclass(frozen=True)
class _Kept:
    stamp: str
    alias: str
    values: tuple
    session_hash: str


# pk → the member's row as this process last read it. Only ever replaced whole (no entry is
# changed in place), so a reader never sees half an entry.
_KEPT: OrderedDict[int, _Kept] = OrderedDict()
_FIELDS = [f.attname for f in User._meta.concrete_fields]


def stamp_key(pk: object) -> str:
    return f"{_STAMP_PREFIX}{pk}"


def forget(*pks: object) -> None:
    """The rows of these members changed: every process reads them afresh. New stamps now, for
    what this transaction reads next; and again once committed, for everything kept in between
    from the database as it was before the commit. (New stamps rather than none: the next
    reader then needs no round trip to make one.)"""
    keys = [stamp_key(pk) for pk in pks if pk is not None]
    if keys:
        _new_stamps(keys)
        transaction.on_commit(lambda: _new_stamps(keys), robust=True)


def _new_stamps(keys: list[str]) -> None:
    cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)


def forget_all_in_this_process() -> None:
    _KEPT.clear()


def _current_stamp(pk: int, read: object = _UNREAD) -> str | None:
    """The member's current stamp (`read`: what the caller already read for its key); a fresh
    one when there is none. None when the cache cannot say."""
    stamp = cache.get(stamp_key(pk)) if read is _UNREAD else read
    if stamp is not None:
        return stamp
    fresh = uuid.uuid4().hex
    added = cache.add(stamp_key(pk), fresh, timeout=None)
    if added:
        return fresh
    return None if added is None else cache.get(stamp_key(pk))


def _kept(pk: int, stamp: str | None) -> _Kept | None:
    kept = _KEPT.get(pk)
    if kept is None or stamp is None or kept.stamp != stamp:
        return None
    with contextlib.suppress(KeyError):  # dropped by another thread meanwhile
        _KEPT.move_to_end(pk)
    return kept


def _keep(user: AbstractBaseUser, stamp: str | None) -> None:
    """Remember `user`'s row under `stamp`, the stamp read *before* the row was: a change
    committed in between replaced it, so this row is never taken for a newer one."""
    if stamp is None or not getattr(user, "is_active", False):
        return
    values = tuple(_stored(getattr(user, name)) for name in _FIELDS)
    _KEPT[user.pk] = _Kept(stamp, user._state.db or "default", values, user.get_session_auth_hash())
    with contextlib.suppress(KeyError):  # threads share it: another may evict at once
        _KEPT.move_to_end(user.pk)
        while len(_KEPT) > settings.MEMBER_CACHE_SIZE:
            _KEPT.popitem(last=False)


def _stored(value: object) -> object:
    """A field's value as the row holds it: a file field's is its name (the instance wraps it
    in a FieldFile again on access), not the FieldFile, which would be deep-copied."""
    return value.name if isinstance(value, FieldFile) else value


def _build(kept: _Kept) -> User:
    # Mutable values (none today but a JSON field would be one) are the instance's own.
    values = [v if isinstance(v, _IMMUTABLE) else copy.deepcopy(v) for v in kept.values]
    return User.from_db(kept.alias, _FIELDS, values)


def active_member(pk: int, *, counting: ratelimit.Attempt | None = None) -> User | None:
    """The active member with this primary key, or None (no such member, or deactivated).
    `counting`: an attempt of theirs the rate limiter counts, in the same round trip as the
    member's stamp where the cache can (then `counting.counted`)."""
    together = getattr(cache, "get_and_count", None)
    if counting is not None and together is not None:
        read, count = together(stamp_key(pk), counting.cache_key, counting.timeout)
        counting.record(count)
        stamp = _current_stamp(pk, read=read)
    else:
        stamp = _current_stamp(pk)
    kept = _kept(pk, stamp)
    if kept is not None:
        return _build(kept)
    try:
        user = User.objects.get(pk=pk)
    except User.DoesNotExist:
        return None
    if not user.is_active:
        return None
    _keep(user, stamp)
    return user


def _session_member_id(request: HttpRequest) -> int | None:
    """The member the session names, if it names one through one of our backends."""
    session = request.session
    try:
        pk = User._meta.pk.to_python(session[SESSION_KEY])
        backend = session[BACKEND_SESSION_KEY]
    except (KeyError, ValueError, TypeError, ValidationError):
        return None  # Django's get_user decides (and answers) what such a session is
    return pk if backend in settings.AUTHENTICATION_BACKENDS else None


@dataclass
class SessionHint:
    """For the page cache, before the member is looked up: the member the session names, and
    the cache keys to read with their page, in the page's own round trip (their row's stamp;
    and, when this process has seen the session before and has not loaded it yet, the
    session itself). `confirm` takes what was read: False when the session turned out to
    name someone else, or no one (the page read for that member is then not theirs)."""

    member: int
    keys: tuple[str, ...]
    session_key: str | None = None  # the session's own cache key, when it is read too

    def confirm(self, request: HttpRequest, found: dict) -> bool:
        if self.session_key is not None:
            session = request.session
            data = found.get(self.session_key)
            if isinstance(data, dict):
                # What the session engine's load() would have read from the cache just now.
                session._session_cache = data
            if not isinstance(data, dict) or _session_member_id(request) != self.member:
                _SESSION_MEMBERS.pop(session.session_key, None)
                return False
        request._member_stamps = {self.member: found.get(self.keys[0])}
        return True


# Session key → the member it named when this process last read it: the next request with
# that session reads the session and the member's page together (`SessionHint`). Only ever a
# guess, checked against the session read: never what decides who the member is.
_SESSION_MEMBERS: OrderedDict[str, int] = OrderedDict()


def session_hint(request: HttpRequest) -> SessionHint | None:
    """The page cache's hint for a signed-in member's page (`SessionHint`); None when the
    member is known already or the session names none."""
    if hasattr(request, "_cached_user") or not hasattr(request, "session"):
        return None
    session = request.session
    guessed = _guess(session)
    if guessed is not None:
        return SessionHint(guessed, (stamp_key(guessed), session.cache_key), session.cache_key)
    pk = _session_member_id(request)
    if pk is None:
        return None
    if session.session_key:
        _SESSION_MEMBERS[session.session_key] = pk
        with contextlib.suppress(KeyError):  # threads share it: another may evict at once
            _SESSION_MEMBERS.move_to_end(session.session_key)
            while len(_SESSION_MEMBERS) > settings.MEMBER_CACHE_SIZE:
                _SESSION_MEMBERS.popitem(last=False)
    return SessionHint(pk, (stamp_key(pk),))


def _guess(session: SessionBase) -> int | None:
    """The member this session named last time, if it is not loaded yet and lives in the cache
    the pages do (the cached_db engine with the default cache)."""
    if (
        hasattr(session, "_session_cache")
        or not isinstance(session, CachedDBSessionStore)
        or settings.SESSION_CACHE_ALIAS != "default"
        or not session.session_key
    ):
        return None
    return _SESSION_MEMBERS.get(session.session_key)


def session_member(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """Django's `auth.get_user(request)`, from this process's kept row when it is current and
    the session's hash matches it."""
    pk = _session_member_id(request)
    if pk is None:
        return auth.get_user(request)
    prefetched = getattr(request, "_member_stamps", {})
    stamp = _current_stamp(pk, prefetched.get(pk, _UNREAD))
    kept = _kept(pk, stamp)
    session_hash = request.session.get(HASH_SESSION_KEY) or ""
    if kept is not None and constant_time_compare(session_hash, kept.session_hash):
        return _build(kept)
    user = auth.get_user(request)
    if user.is_authenticated and user.pk == pk:
        _keep(user, stamp)
    return user
