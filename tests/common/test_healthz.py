from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


DB_ERROR = 'connection to server at "db-7.internal" (10.0.3.7), port 5432 failed: refused'
CACHE_ERROR = "Error 111 connecting to cache-3.internal:6379. Connection refused."


def test_healthz_is_503_when_the_database_is_unreachable_and_tells_the_public_no_more(
    client, staff_user
):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(DB_ERROR)):
        response = client.get("/healthz")
    assert response.status_code == 503
    # Only ok/failing per check: no exception text, host, backend or timing.
    body = response.json()
    assert set(body) == {"status", "checks"} and body["status"] == "down"
    assert all(check.keys() == {"ok"} for check in body["checks"].values()), body
    assert body["checks"]["database"] == {"ok": False}
    assert body["checks"]["cache"] == {"ok": True}
    assert b"internal" not in response.content


def test_healthz_shows_the_public_no_exception_text_and_staff_the_details(client, user, staff_user):
    member_client, staff_client = Client(), Client()
    member_client.force_login(user)
    staff_client.force_login(staff_user)
    with mock.patch("common.health.cache.set", side_effect=ConnectionError(CACHE_ERROR)):
        anonymous = client.get("/healthz")
        member = member_client.get("/healthz")
        staff = staff_client.get("/healthz")
    for public in (anonymous, member):
        assert public.status_code == 200
        body = public.json()
        assert set(body) == {"status", "checks"} and body["status"] == "degraded"
        assert all(check.keys() == {"ok"} for check in body["checks"].values()), body
        assert body["checks"]["database"] == {"ok": True}
        assert body["checks"]["cache"] == {"ok": False}
        assert b"cache-3" not in public.content
    assert staff.status_code == 200
    body = staff.json()
    assert body["status"] == "degraded"
    assert CACHE_ERROR in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["vendor"] == connection.vendor
    assert "ms" in body["checks"]["database"]


def test_healthz_stays_up_when_only_the_cache_fails(client):
    with mock.patch("common.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


@pytest.mark.slow
def test_healthz_answers_503_soon_when_the_database_server_does_not_answer(tmp_path):
    """A PostgreSQL that accepts the connection and says nothing (a host gone dark behind a
    load balancer or a partition): psycopg waits 130 s by default, so /healthz (and every
    page) hung until gunicorn killed the worker, instead of answering that the database is
    down. DATABASE_CONNECT_TIMEOUT bounds the wait."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    probe = (
        "import django, time; django.setup();"
        "from django.test import Client; started = time.monotonic();"
        "status = Client().get('/healthz').status_code;"
        "print(status, round(time.monotonic() - started, 1))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/nothing",
        DATABASE_CONNECT_TIMEOUT="2",
        DJANGO_SETTINGS_MODULE="aicommunity.settings",
        CACHE_DIR=str(tmp_path / "cache"),
    )
    try:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        silent.close()
    assert done.returncode == 0, done.stderr[-2000:]
    status, seconds = done.stdout.split()[-2:]
    assert status == "503"
    assert float(seconds) < 10 and time.monotonic() - started < 30
