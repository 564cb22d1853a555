"""The production topology for real: Debian's nginx with deploy/nginx/aicommunity.conf in front
of gunicorn running the site (TRUSTED_PROXY_COUNT=1, MEDIA_X_ACCEL_REDIRECT_PREFIX as the
config expects, a temporary SQLite database), and clients connecting from many loopback
addresses (Linux routes all of 127.0.0.0/8 to lo).

What must hold: one client's failed sign-ins never lock out another client or another account;
a client-sent X-Forwarded-For is ignored; the limits still hold per client and per account;
the API login limit is per client; a body over the cap is refused by nginx; /static/ never
reaches Django. Media through the same config and the real media view (X-Accel-Redirect to
the internal location, takedowns, drafts): tests/artworks/test_media_nginx.py."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.deploy.nginx import (
    ROOT,
    Nginx,
    free_port,
    nginx_binary,
    running_nginx,
    stop,
    wait_for_port,
)
from tests.site_process import manage

pytestmark = pytest.mark.slow
PASSWORD = "a-long-and-unusual-passphrase"
ACCOUNTS = ("alice", "bob", "carol", "dave", "erin")
STAFF = ("boss", "chief")
LOCKED = b"Too many failed login attempts"
# Settings a developer's shell may carry that would point the site at shared services.
FOREIGN_ENV = ("DATABASE_URL", "REDIS_URL", "TEST_REDIS_URL", "CELERY_BROKER_URL", "S3_BUCKET")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Visitor:
    """One client at one loopback address, with its own cookies."""

    address: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(response.status, response.headers, data)

    def submit(self, path: str, fields: dict[str, str], *, extra: dict | None = None) -> Response:
        """Fill in and send the form at `path`, as a browser does (CSRF cookie and token)."""
        page = self.request("GET", path, headers=extra)
        assert page.status == 200, page.body[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, f"{path} has no CSRF-protected form"
        form = {"csrfmiddlewaretoken": token.group(1).decode(), **fields}
        return self.request(
            "POST",
            path,
            body=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **(extra or {})},
        )

    def sign_in(self, login: str, password: str, *, forged_for: str | None = None) -> Response:
        """The /login form. `forged_for`: an X-Forwarded-For the client itself sends."""
        extra = {"X-Forwarded-For": forged_for} if forged_for else None
        return self.submit("/login", {"login": login, "password": password}, extra=extra)

    def admin_sign_in(self, username: str, password: str) -> Response:
        fields = {"username": username, "password": password, "next": "/admin/"}
        return self.submit("/admin/login/?next=/admin/", fields)

    def api_login(self) -> int:
        return self.request(
            "POST",
            "/api/auth/login",
            body=json.dumps({"id_token": "x.y.z"}).encode(),
            headers={"Content-Type": "application/json"},
        ).status


def signed_in(response: Response) -> bool:
    return response.status == 302 and response.headers["Location"] == "/feed"


def locked_out(response: Response) -> bool:
    return not signed_in(response) and LOCKED in response.body


@dataclass
class Site:
    nginx: Nginx
    gunicorn: subprocess.Popen
    access_log: Path
    static_root: Path

    def visitor(self, n: int) -> Visitor:
        return Visitor(address=f"127.0.0.{n}", port=self.nginx.port)

    def django_saw(self, path: str) -> bool:
        """Whether gunicorn logged a request for `path`. gunicorn logs a request after
        answering it, so a marker request is sent through nginx and waited for first: every
        request before it is in the log by then."""
        marker = f"/healthz?flush={time.monotonic_ns()}"
        assert self.visitor(254).request("GET", marker).status in (200, 503)
        deadline = time.monotonic() + 5
        while f" {marker} " not in (log := self.access_log.read_text()):
            assert time.monotonic() < deadline, "gunicorn never logged the marker request"
            time.sleep(0.05)
        return f" {path} " in log


def run_manage(env: dict, *args: str) -> None:
    result = manage(env, *args, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    nginx_binary()
    base = tmp_path_factory.mktemp("topology")
    static_root, media_root = base / "staticfiles", base / "media"
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env.update(
        DJANGO_ENV="development",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{base / 'site.sqlite3'}",
        MEDIA_ROOT=str(media_root),
        STATIC_ROOT=str(static_root),
        TRUSTED_PROXY_COUNT="1",
        MEDIA_X_ACCEL_REDIRECT_PREFIX="/protected-media/",
        # The site's settings with a cheap password hasher (the tests sign in dozens of times)
        # and cache keys of this run's own (no counter of an earlier run can leak in).
        DJANGO_SETTINGS_MODULE="tests.deploy.site_settings",
        SITE_TEST_RUN=f"nginx-test-{uuid.uuid4().hex}",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    # One process (Django starts in seconds on a busy machine): migrate, collect the static
    # files as a deploy does, and make the accounts the tests sign in to.
    run_manage(
        env,
        "shell",
        "-c",
        "from django.core.management import call_command\n"
        "from accounts.models import User\n"
        "from accounts.services import user_email_mark_verified\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        f"for name in {ACCOUNTS!r}:\n"
        "    user_email_mark_verified(user=User.objects.create_user(username=name, "
        f"email=name + '@example.com', password={PASSWORD!r}))\n"
        f"for name in {STAFF!r}:\n"
        "    user_email_mark_verified(user=User.objects.create_user(username=name, "
        f"email=name + '@example.com', password={PASSWORD!r}, is_staff=True))",
    )

    app_port = free_port()
    access_log, error_log = base / "gunicorn-access.log", base / "gunicorn-error.log"
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "aicommunity.wsgi",
            "--bind",
            f"127.0.0.1:{app_port}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(app_port, gunicorn, error_log)
        with running_nginx(
            base / "nginx",
            upstream=f"127.0.0.1:{app_port}",
            static_root=static_root,
            media_root=media_root,
        ) as nginx:
            yield Site(nginx, gunicorn, access_log, static_root)
    finally:
        stop(gunicorn)


def test_one_clients_failures_lock_out_neither_another_client_nor_another_account(site):
    attacker, neighbour = site.visitor(2), site.visitor(3)
    for _ in range(5):
        assert not signed_in(attacker.sign_in("alice", "wrong"))
    assert signed_in(neighbour.sign_in("bob", PASSWORD))
    # The attacker itself is locked out, whichever account it tries next.
    assert locked_out(attacker.sign_in("bob", PASSWORD))


def test_a_client_sent_forwarded_for_does_not_dodge_the_lockout(site):
    forger = site.visitor(4)
    for n in range(5):
        forger.sign_in(f"ghost{n}", "wrong", forged_for=f"198.51.100.{n}")
    assert locked_out(forger.sign_in("carol", PASSWORD, forged_for="198.51.100.77"))
    # carol's account is not what is locked: the forger's address is.
    assert signed_in(site.visitor(5).sign_in("carol", PASSWORD))


def test_failures_for_one_account_spread_over_clients_still_lock_that_account(site):
    for n in range(6, 11):
        assert not signed_in(site.visitor(n).sign_in("dave", "wrong"))
    latecomer = site.visitor(11)
    assert locked_out(latecomer.sign_in("dave", PASSWORD))
    # The latecomer's own address is not what is locked: dave is.
    assert signed_in(latecomer.sign_in("erin", PASSWORD))


def test_the_admin_sign_in_is_under_the_same_lockout_per_client(site):
    def in_admin(response: Response) -> bool:
        return response.status == 302 and response.headers["Location"] == "/admin/"

    attacker = site.visitor(17)
    for _ in range(6):
        assert not in_admin(attacker.admin_sign_in("boss", "wrong"))
    refused = attacker.admin_sign_in("boss", PASSWORD)
    assert not in_admin(refused)
    assert LOCKED in refused.body
    assert in_admin(site.visitor(18).admin_sign_in("chief", PASSWORD))


def test_the_api_login_limit_is_per_client(site):
    # 20 attempts per client per 5 minutes (settings.RATE_LIMITS["api_login"]).
    busy, other = site.visitor(12), site.visitor(13)
    statuses = [busy.api_login() for _ in range(20)]
    assert 429 not in statuses
    assert busy.api_login() == 429
    assert other.api_login() != 429


def test_a_body_over_the_cap_is_refused_by_nginx_before_django_reads_it(site):
    with socket.create_connection(("127.0.0.1", site.nginx.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/artworks/upload HTTP/1.1\r\n"
            + f"Host: 127.0.0.1:{site.nginx.port}\r\n".encode()
            + b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {150 * 1024 * 1024}\r\n\r\n".encode()
            + b"\0" * 65536
        )
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    assert site.django_saw("/login"), "gunicorn's access log shows nothing at all"
    assert not site.django_saw("/api/artworks/upload")


def test_static_files_are_served_by_nginx_with_long_caching(site):
    manifest = json.loads((site.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    visitor = site.visitor(15)
    response = visitor.request("GET", f"/static/{hashed}")
    assert response.status == 200
    assert response.body == (site.static_root / hashed).read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    zipped = visitor.request("GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    plain = visitor.request("GET", "/static/css/app.css")
    assert plain.status == 200
    assert "immutable" not in plain.headers["Cache-Control"]
    assert not site.django_saw(f"/static/{hashed}")
    assert not site.django_saw("/static/css/app.css")


def test_nginx_gives_each_request_its_id_and_a_client_cannot_choose_it(site):
    visitor = site.visitor(16)
    first = visitor.request("GET", "/healthz").headers["X-Request-ID"]
    forged = visitor.request("GET", "/healthz", headers={"X-Request-ID": "chosen-by-client-01"})
    # nginx's $request_id: 32 hex digits, new for each request; the client's is replaced.
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    assert forged.headers["X-Request-ID"] != first


def test_metrics_are_refused_to_clients_behind_nginx_on_this_very_machine(site):
    # nginx connects from loopback, which METRICS_ALLOWED_NETWORKS allows by default: the
    # client behind it is what counts (TRUSTED_PROXY_COUNT=1), and it may not read them.
    visitor = site.visitor(17)
    refused = visitor.request("GET", "/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert refused.status == 404
