"""Errors reach Sentry, and nothing secret goes with them: a fake Sentry (a local HTTP
server taking envelopes at /api/<project>/envelope/) receives the error of a view that
failed with cookies, an Authorization header, a CSRF token, a password and a token in the
query string on its request and in its local variables."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from common.observability.errors import FILTERED, init_sentry, scrub_event

SECRETS = {
    "session": "session-cookie-secret-1",
    "csrf_cookie": "csrf-cookie-secret-2",
    "authorization": "bearer-token-secret-3",
    "password": "hunter2-password-secret-4",
    "csrf_form": "csrf-form-secret-5",
    "query_token": "query-token-secret-6",
    "csrf_header": "csrf-header-secret-7",
}


@csrf_exempt
def failing_view(request: HttpRequest) -> HttpResponse:
    password = request.POST.get("password")  # noqa: F841 (a local variable Sentry would show)
    raise ValueError("the view failed on purpose")


urlpatterns = [path("boom", failing_view)]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db(transaction=True)]


class FakeSentry(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.envelopes: list[tuple[str, bytes]] = []


class _EnvelopeHandler(BaseHTTPRequestHandler):
    server: FakeSentry

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.server.envelopes.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_sentry() -> Iterator[FakeSentry]:
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    init_sentry(
        dsn=f"http://publickey@127.0.0.1:{server.server_port}/42",
        environment="test",
        release=None,
        traces_sample_rate=0.0,
    )
    try:
        yield server
    finally:
        sentry_sdk.flush(timeout=5)
        sentry_sdk.init()  # no DSN: nothing is sent from here on
        server.shutdown()
        server.server_close()


def _events(envelopes: list[tuple[str, bytes]]) -> list[dict]:
    events = []
    for _path, body in envelopes:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_error_reaches_sentry_without_secrets(live_server, fake_sentry):
    # Through a real WSGI server, as gunicorn serves it (the test client skips the WSGI
    # handler that Sentry's Django integration hooks into).
    response = requests.post(
        f"{live_server.url}/boom?token={SECRETS['query_token']}&page=2",
        data={"password": SECRETS["password"], "csrfmiddlewaretoken": SECRETS["csrf_form"]},
        cookies={"sessionid": SECRETS["session"], "csrftoken": SECRETS["csrf_cookie"]},
        headers={
            "Authorization": f"Bearer {SECRETS['authorization']}",
            "X-CSRFToken": SECRETS["csrf_header"],
        },
        timeout=30,
    )
    assert response.status_code == 500
    assert sentry_sdk.flush(timeout=5) is None
    paths = {path for path, _body in fake_sentry.envelopes}
    assert paths == {"/api/42/envelope/"}
    [event] = [e for e in _events(fake_sentry.envelopes) if e.get("exception")]
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "the view failed on purpose"
    assert event["request"]["url"].endswith("/boom")
    raw = b"".join(body for _path, body in fake_sentry.envelopes).decode()
    for name, secret in SECRETS.items():
        assert secret not in raw, name
    assert "Authorization" not in event["request"].get("headers", {})
    assert "Cookie" not in event["request"].get("headers", {})
    assert "cookies" not in event["request"]
    # The view's frame is there, its password variable blanked.
    frames = exception["stacktrace"]["frames"]
    view_frame = next(f for f in frames if f["function"] == "failing_view")
    assert view_frame["vars"]["password"] == FILTERED


def test_the_scrubber_blanks_secrets_wherever_they_are():
    event = {
        "request": {
            "url": "https://example.com/x",
            "query_string": "access_token=abc123&page=2&key=k1",
            "cookies": {"sessionid": "s1"},
            "headers": {"Authorization": "Bearer t1", "Cookie": "a=b", "User-Agent": "UA"},
            "data": {"password": "p1"},
        },
        "extra": {"nested": [{"api_key": "k2", "note": "see /reset?token=t2&x=1"}]},
        "breadcrumbs": {"values": [{"message": "GET /p?signature=s2", "data": {"jwt": "j"}}]},
    }
    scrubbed = scrub_event(event)
    text = json.dumps(scrubbed)
    for secret in ("abc123", "k1", "s1", "t1", "a=b", "p1", "k2", "t2", "s2", '"j"'):
        assert secret not in text, secret
    assert scrubbed["request"]["headers"] == {"User-Agent": "UA"}
    assert "page=2" in scrubbed["request"]["query_string"]
    assert scrubbed["extra"]["nested"][0]["note"] == f"see /reset?token={FILTERED}&x=1"


def test_a_request_for_another_host_name_is_not_reported(live_server, fake_sentry, settings):
    """Scanners ask for the server's address, or any name, all day: Django refuses them (400)
    and logs it at ERROR, and each one went to Sentry as an event of its own."""
    settings.ALLOWED_HOSTS = ["art.example.com"]
    for _ in range(3):
        answer = requests.get(f"{live_server.url}/", headers={"Host": "203.0.113.5"}, timeout=30)
        assert answer.status_code == 400
    assert sentry_sdk.flush(timeout=5) is None
    assert _events(fake_sentry.envelopes) == []
