"""One-time messages (common.middleware.LazyMessageMiddleware): built only when read or
added, and then stored and shown exactly as Django's own middleware does."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from common.middleware import LazyMessageMiddleware

pytestmark = pytest.mark.django_db


def _request(cookies: dict | None = None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    request.session = SessionStore()
    return request


def _middleware() -> LazyMessageMiddleware:
    return LazyMessageMiddleware(lambda request: HttpResponse("ok"))


def test_a_request_that_never_touches_messages_builds_no_storage():
    request = _request()
    response = _middleware()(request)
    assert request._messages._wrapped is empty
    assert not response.cookies


def test_an_added_message_is_stored_and_read_once():
    request = _request()

    def view(req):
        messages.info(req, "You have signed out.")
        return HttpResponse("ok")

    response = LazyMessageMiddleware(view)(request)
    cookie = response.cookies[CookieStorage.cookie_name].value
    assert cookie

    following = _request({CookieStorage.cookie_name: cookie})

    def reader(req):
        return HttpResponse(" | ".join(str(m) for m in messages.get_messages(req)))

    shown = LazyMessageMiddleware(reader)(following)
    assert shown.content == b"You have signed out."
    # Read once: the cookie is cleared on the way out.
    assert shown.cookies[CookieStorage.cookie_name].value == ""


def test_an_unread_message_waits_for_a_request_that_reads_it():
    def adds(req):
        messages.info(req, "Saved.")
        return HttpResponse()

    cookie = LazyMessageMiddleware(adds)(_request()).cookies[CookieStorage.cookie_name].value
    untouched = _middleware()(_request({CookieStorage.cookie_name: cookie}))
    assert CookieStorage.cookie_name not in untouched.cookies  # left as it was
