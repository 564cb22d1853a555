"""The WSGI handler remembers where each path leads (common/handlers.py): once resolved per
process, every request gets its own copy of the match, 404s are resolved each time, and a new
URL configuration forgets it all."""

from __future__ import annotations

import io
import sys

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path as route
from django.urls.resolvers import URLResolver

from common import handlers
from common.handlers import RememberingWSGIHandler


@pytest.fixture
def resolutions(monkeypatch) -> list[str]:
    """The paths Django's resolver walked for."""
    handlers._resolved.cache_clear()
    walked: list[str] = []
    real = URLResolver.resolve

    def counted(self: URLResolver, path: str) -> object:
        if self.pattern.regex.pattern == "^/":  # the root resolver; includes recurse
            walked.append(path)
        return real(self, path)

    monkeypatch.setattr(URLResolver, "resolve", counted)
    yield walked
    handlers._resolved.cache_clear()


def test_the_site_is_served_by_it():
    from aicommunity.wsgi import application

    assert isinstance(application, RememberingWSGIHandler)


def test_a_path_is_resolved_once_and_every_request_gets_its_own_match(resolutions):
    handler = RememberingWSGIHandler()
    path = "/artwork/12/a-quiet-harbour"
    first = handler.resolve_request(RequestFactory().get(path))
    first.kwargs["artwork_id"] = 999  # whatever a request does to its own match
    second_request = RequestFactory().get(path)
    second = handler.resolve_request(second_request)
    assert resolutions == [path]
    assert second is not first and second_request.resolver_match is second
    assert second.kwargs == {"artwork_id": 12, "slug": "a-quiet-harbour"}
    assert (second.func, second.view_name) == (first.func, first.view_name)


def test_a_path_that_leads_nowhere_is_resolved_every_time(resolutions):
    from django.urls import Resolver404

    handler = RememberingWSGIHandler()
    for _ in range(2):
        with pytest.raises(Resolver404):
            handler.resolve_request(RequestFactory().get("/no/such/page/here"))
    assert resolutions == ["/no/such/page/here"] * 2


def test_another_url_configuration_forgets_what_was_resolved(resolutions):
    handler = RememberingWSGIHandler()
    handler.resolve_request(RequestFactory().get("/feed"))
    with override_settings(ROOT_URLCONF="aicommunity.urls"):
        handler.resolve_request(RequestFactory().get("/feed"))
    assert resolutions == ["/feed", "/feed"]


@pytest.fixture
def test_transaction_kept_open():
    """As Django's test client does: the handler's signals would close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_answers_through_it_are_djangos(resolutions, test_transaction_kept_open):
    from aicommunity.wsgi import application

    statuses = []
    for path in ("/feed", "/feed", "/no/such/page/here"):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        b"".join(application(environ, lambda status, headers, *_: statuses.append(status)))
    assert [s.split()[0] for s in statuses] == ["200", "200", "404"]
    assert resolutions.count("/feed") == 1


def _headers_view(request):
    response = HttpResponse("hello", content_type="text/plain; charset=utf-8", status=201)
    response["X-One"] = "1"
    response["x-Mixed-Case"] = "kept as written"
    response.headers["Vary"] = "Cookie"
    response["X-One"] = "replaced"  # set twice: sent once, with the last value
    response.set_cookie("first", "a b", max_age=60, httponly=True)
    response.set_cookie("second", "2", samesite="Lax")
    return response


urlpatterns = [route("headers", _headers_view)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=[])
def test_it_hands_the_server_what_djangos_handler_does():
    from django.core.handlers.wsgi import WSGIHandler

    answers = []
    for handler in (WSGIHandler(), RememberingWSGIHandler()):
        environ = RequestFactory()._base_environ(PATH_INFO="/headers", REQUEST_METHOD="GET")
        started = []
        body = handler(
            environ, lambda status, headers, started=started: started.append((status, headers))
        )
        answers.append((started, b"".join(body)))
        body.close()
    assert answers[0] == answers[1]
    ((status, headers),) = answers[1][0]
    assert status == "201 Created"
    names = [name for name, _value in headers]
    assert names.count("Set-Cookie") == 2 and names.count("X-One") == 1
    assert ("x-Mixed-Case", "kept as written") in headers and ("X-One", "replaced") in headers
