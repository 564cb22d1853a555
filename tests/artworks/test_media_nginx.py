"""Protected media behind a real nginx: the site decides, nginx sends the bytes. The media
view answers X-Accel-Redirect to an `internal` location aliasing MEDIA_ROOT, which clients
cannot reach themselves; a takedown answers 404 through nginx at once."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.core.files.storage import default_storage

from artworks import services
from tests.conftest import IN_CI
from tests.factories import PublishedArtworkFactory, UserFactory, tiny_jpeg

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(settings, monkeypatch):
    """The whole site in a thread, as gunicorn would run it: unlike pytest-django's
    live_server, without Django's test-only handler that serves MEDIA_URL from disk itself
    (and would bypass the media view)."""
    from django.db import connections
    from django.test import testcases

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    with monkeypatch.context() as patch:
        patch.setattr(testcases, "_MediaFilesHandler", lambda app: app)
        thread = testcases.LiveServerThread(
            "127.0.0.1", static_handler=lambda app: app, connections_override=shared, port=0
        )
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def nginx(site, media_root, tmp_path, settings):
    if not Path(NGINX).exists():
        message = "nginx is not installed (scripts/test_setup.sh installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    media_root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    temp_paths = "\n".join(
        f"{kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started as root (CI), workers would run as nobody, who cannot read pytest's private
    # temporary directories: keep them as whoever runs the tests (ignored when not root).
    worker_user = (
        f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
        if os.geteuid() == 0
        else ""
    )
    (prefix / "nginx.conf").write_text(
        f"""
daemon off;
{worker_user}
pid {prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temp_paths}
    server {{
        listen 127.0.0.1:{port};
        location /protected-media/ {{
            internal;
            alias {media_root}/;
        }}
        location / {{
            proxy_pass {site};
            proxy_set_header Host $host;
        }}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read()!r}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nginx_sends_a_public_file_and_stops_at_a_takedown(
    nginx, django_capture_on_commit_callbacks
):
    author = UserFactory()
    artwork = PublishedArtworkFactory(user=author)
    url = nginx + artwork.url

    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert response.content == tiny_jpeg()
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    # the internal location is not a way around the view
    direct = requests.get(f"{nginx}/protected-media/{artwork.original.name}", timeout=5)
    assert direct.status_code == 404

    staff = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_hide(artwork=artwork, actor=staff, reason="test")
    assert requests.get(url, timeout=5).status_code == 404
    assert default_storage.exists(artwork.original.name)  # hidden, not deleted

    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_restore(artwork=artwork, actor=staff)
    assert requests.get(url, timeout=5).content == tiny_jpeg()
