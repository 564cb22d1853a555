"""Redis is never a single point of failure.

The site runs in gunicorn against a redis-server of its own, on production-like settings
(REDIS_URL: the cache, the feed index and — in one run — the Celery broker; in the other,
tasks run in-process). Redis is killed with SIGKILL and every page and every API endpoint is
driven, signed in and signed out: nothing answers 5xx, except a write whose limit fails
closed (creation, API sign-in), which answers 503 with a reason and changes nothing. Redis
then comes back empty: the index refills itself on the next reads, and `rebuild_redis` makes
hot_rank match the database order."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests

from tests.factories import tiny_jpeg
from tests.site_process import free_port, gunicorn, manage, migrate, run_python, site_env

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery"
# Writes whose rate limit fails closed (common.ratelimit): 503 with a reason while the cache
# cannot count. Everything else must not answer 5xx at all.
FAIL_CLOSED = {
    ("POST", "/api/artworks/generate"),
    ("POST", "/api/artworks/upload"),
    ("POST", "/api/artworks/{artwork_id}/retry"),
    ("POST", "/api/auth/login"),
    ("POST", "/create"),
}
# A request must not wait on the dead Redis: generous for a loaded machine, far below the
# seconds that connect retries cost.
MAX_SECONDS = 1.5
# allauth's limiter waits up to a second for its cache lock before refusing (fail closed).
ALLAUTH_POSTS = {"/login", "/accounts/signup/", "/accounts/password/reset/"}

SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from artworks.models import Artwork
from tests.factories import (
    ArtworkFactory, FavoriteFactory, LikeFactory, PublishedArtworkFactory, UserFactory,
)
now = timezone.now()
boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
painter = UserFactory(username="painter")
other = UserFactory(username="other")
mine = [
    PublishedArtworkFactory(user=painter, published_at=now - timedelta(hours=i))
    for i in range(3)
]
theirs = [
    PublishedArtworkFactory(user=other, published_at=now - timedelta(hours=i, minutes=30))
    for i in range(4)
]
LikeFactory(artwork=theirs[0], user=painter)
FavoriteFactory(artwork=theirs[1], user=painter)
draft = ArtworkFactory(user=painter, title="Still a draft")
to_delete = ArtworkFactory(user=painter, title="Going away")
failed = ArtworkFactory(
    user=painter, title="Failed", with_file=False,
    generation_status=Artwork.GenerationStatus.FAILED,
)
print(json.dumps({
    "painter": painter.pk, "other": other.pk,
    "mine": [a.pk for a in mine], "theirs": [a.pk for a in theirs],
    "their_url": theirs[2].get_absolute_url(), "my_url": mine[0].get_absolute_url(),
    "draft": draft.pk, "to_delete": to_delete.pk, "failed": failed.pk,
}))
"""


@contextmanager
def redis_server(port: int, folder: Path):
    """A redis-server of the test's own on 127.0.0.1:port, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        from tests.conftest import IN_CI

        message = "redis-server is not installed"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    process = subprocess.Popen(
        [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(folder),
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, decode_responses=True)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield process
    finally:
        client.close()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _site_session(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login", timeout=10)
    signed = session.post(
        f"{base}/login",
        data={
            "login": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=10,
    )
    assert "sessionid" in session.cookies, f"sign-in failed: {signed.status_code}"
    return session


def _public_hot_order(db: Path) -> list[tuple[int, float]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT a.id, a.hot_score FROM artworks a JOIN users u ON u.id = a.user_id "
            "WHERE a.status = 'published' AND a.moderation = 'visible' AND u.is_active "
            "ORDER BY a.hot_score DESC, a.id DESC"
        ).fetchall()
    return [(int(i), float(s)) for i, s in rows]


def _artwork_count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*) FROM artworks").fetchone()[0]


class Driver:
    """Sends requests and remembers every answer that breaks the rules."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.answers: dict[tuple[str, str, str], int] = {}

    def send(self, who: str, session, method: str, route: str, path: str, **kwargs):
        started = time.monotonic()
        response = session.request(
            method, self.base + path, timeout=15, allow_redirects=False, **kwargs
        )
        took = time.monotonic() - started
        self.answers[(who, method, path)] = response.status_code
        where = f"{who} {method} {path} → {response.status_code}"
        if response.status_code >= 500:
            closed = (method, route) in FAIL_CLOSED and response.status_code == 503
            if not closed:
                self.problems.append(f"{where}: {response.text[:200]}")
            elif route.startswith("/api/") and not response.json().get("detail"):
                self.problems.append(f"{where}: a 503 without a JSON reason")
        if took > MAX_SECONDS and not (method == "POST" and route in ALLAUTH_POSTS):
            self.problems.append(f"{where}: took {took:.2f}s")
        return response


def _api_routes(base: str) -> list[tuple[str, str]]:
    schema = requests.get(f"{base}/api/openapi.json", timeout=10).json()
    return [
        (method.upper(), "/api" + path if not path.startswith("/api") else path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _drive_everything(
    driver: Driver, rows: dict, *, member, bearer, anonymous, tokens
) -> requests.Session:
    """Returns the session that tried to sign in and sign up during the outage."""
    base = driver.base
    their, mine = rows["theirs"], rows["mine"]
    pages = [
        "/", "/features", "/feed", "/feed?tab=new", "/feed?tab=hot&cursor=bogus",
        "/user/painter", "/user/painter?tab=favorites", "/user/painter?tab=drafts",
        "/user/other", rows["their_url"], rows["my_url"], f"/artwork/{their[0]}",
        f"/artwork/{rows['draft']}/still-a-draft", "/create", "/settings/profile", "/login",
        "/accounts/signup/", "/accounts/password/reset/", "/robots.txt", "/sitemap.xml",
        "/healthz", "/api/openapi.json", "/api/docs",
    ]  # fmt: skip
    for who, session in (("anonymous", anonymous), ("member", member)):
        for path in pages:
            driver.send(who, session, "GET", path.split("?")[0], path)

    # Every API endpoint the schema lists, with a member's token and without credentials.
    values = {
        "{artwork_id}": {
            "/publish": rows["draft"],
            "/unpublish": mine[1],
            "/retry": rows["failed"],
        },
        "{user_id}": rows["painter"],
    }
    bodies = {
        "/api/auth/login": {"json": {"id_token": "not-a-google-token"}},
        "/api/auth/refresh": {"json": {"refresh_token": tokens["refresh"]}},
        "/api/artworks/generate": {"json": {"prompt": "a lighthouse at night"}},
        "/api/artworks/upload": {"files": {"file": ("sea.jpg", tiny_jpeg(), "image/jpeg")}},
    }
    routes = _api_routes(base)
    # Deleting last, so that the other calls still find the artworks.
    routes.sort(key=lambda r: r[0] == "DELETE" and r[1].endswith("{artwork_id}"))
    for who, session in (("anonymous", requests.Session()), ("member", bearer)):
        for method, route in routes:
            path = route.replace("{user_id}", str(rows["painter"]))
            if "{artwork_id}" in path:
                suffix = path.split("{artwork_id}")[1]
                artwork_id = values["{artwork_id}"].get(suffix, their[2])
                if method == "DELETE" and suffix == "":
                    artwork_id = rows["to_delete"]
                path = path.replace("{artwork_id}", str(artwork_id))
            driver.send(who, session, method, route, path, **bodies.get(route, {}))

    # The site's own forms, signed in (the CSRF token comes from the session's cookie).
    csrf = {"csrfmiddlewaretoken": member.cookies.get("csrftoken", "")}
    posts = [
        (f"/artwork/{their[3]}/actions/like", {}),
        (f"/artwork/{their[3]}/actions/unlike", {}),
        (f"/artwork/{their[3]}/actions/favorite", {}),
        (f"/artwork/{their[3]}/report", {"reason": "spam", "details": "outage test"}),
        (f"/artwork/{mine[2]}/actions/unpublish", {}),
        (f"/artwork/{mine[2]}/actions/publish", {}),
        ("/create", {"tab": "generate", "prompt": "a lighthouse at night"}),
        ("/settings/profile", {"name": "Painter Renamed", "username": "painter", "bio": ""}),
    ]
    for path, data in posts:
        route = "/create" if path == "/create" else path
        driver.send("member", member, "POST", route, path, data={**data, **csrf})
    # Signing in and signing up while the limiter cannot count: refused, never a 5xx.
    fresh = requests.Session()
    fresh.get(f"{base}/login", timeout=10)
    token = {"csrfmiddlewaretoken": fresh.cookies.get("csrftoken", "")}
    driver.send(
        "anonymous", fresh, "POST", "/login", "/login",
        data={"login": "painter", "password": PASSWORD, **token},
    )  # fmt: skip
    driver.send(
        "anonymous", fresh, "POST", "/accounts/signup/", "/accounts/signup/",
        data={"email": "new@example.com", "username": "newcomer",
              "password1": "a long passphrase 42", "password2": "a long passphrase 42", **token},
    )  # fmt: skip
    return fresh


@pytest.mark.parametrize("broker", ["redis", "in-process"])
def test_a_redis_outage_breaks_nothing_and_the_index_repairs_itself(tmp_path, broker):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    db = tmp_path / "site.sqlite3"
    env = site_env(
        tmp_path,
        REDIS_URL=url,
        CELERY_BROKER_URL=url if broker == "redis" else "",
        # Short pauses after a failure, so that the test sees Redis again soon after it returns.
        REDIS_INDEX_RETRY_SECONDS="1",
        CACHE_REDIS_RETRY_SECONDS="1",
        CELERY_BROKER_RETRY_SECONDS="1",
    )
    with redis_server(port, tmp_path) as server:
        migrate(env)
        rows = run_python(env, SEED)
        issued = manage(env, "issue_token", "painter", "--with-refresh").stdout.split()
        tokens = {"access": issued[0], "refresh": issued[1]}

        with gunicorn(env, workers=1, log=tmp_path / "gunicorn.log") as base:
            member = _site_session(base, "painter")
            bearer = requests.Session()
            bearer.headers["Authorization"] = f"Bearer {tokens['access']}"
            anonymous = requests.Session()
            # Warm every cache and the index while Redis is up.
            for path in ("/", "/feed", "/feed?tab=new", "/user/painter", rows["their_url"]):
                assert anonymous.get(base + path, timeout=10).status_code == 200

            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
            before = _artwork_count(db)

            driver = Driver(base)
            newcomer = _drive_everything(
                driver, rows, member=member, bearer=bearer, anonymous=anonymous, tokens=tokens
            )
            assert not driver.problems, "\n".join(driver.problems)
            # The writes went through (the database is the truth)...
            assert (
                driver.answers[("member", "POST", f"/api/artworks/{rows['theirs'][2]}/like")] == 200
            )
            assert (
                driver.answers[("member", "POST", f"/api/artworks/{rows['draft']}/publish")] == 200
            )
            # ...and the refused ones changed nothing: one artwork fewer (the delete), no new one.
            assert _artwork_count(db) == before - 1
            # Sign-in and sign-up fail closed (allauth's limiter cannot count): refused.
            assert "sessionid" not in newcomer.cookies
            assert driver.answers[("anonymous", "POST", "/login")] in {429, 503}
            with sqlite3.connect(db) as connection:
                assert not connection.execute(
                    "SELECT 1 FROM users WHERE username = 'newcomer'"
                ).fetchall()

        # Redis comes back, empty, on the same address.
        with (
            redis_server(port, tmp_path),
            gunicorn(env, workers=1, log=tmp_path / "g2.log") as base,
        ):
            client = redis.Redis(port=port, decode_responses=True)
            time.sleep(1.2)  # past the pause that followed the last failure
            for _ in range(6):
                for path in ("/feed", "/feed?tab=new", "/user/painter", "/api/feed"):
                    assert requests.get(base + path, timeout=10).status_code == 200
            # The index refilled itself from the database on those reads, outage writes included.
            assert _hot_rank(client) == _public_hot_order(db)
            assert [int(i) for i in client.lrange("feed_queue", 0, -1)] == _public_newest(db)
            # rebuild_redis puts hot_rank right whatever it holds.
            client.zadd("hot_rank", {"999999": 1e9, str(rows["theirs"][0]): -1.0})
            manage(env, "rebuild_redis")
            assert _hot_rank(client) == _public_hot_order(db)
            client.close()


def _hot_rank(client: redis.Redis) -> list[tuple[int, float]]:
    """hot_rank in the site's order: score, then id, both descending."""
    ranked = client.zrevrange("hot_rank", 0, -1, withscores=True)
    return sorted(((int(m), s) for m, s in ranked), key=lambda e: (-e[1], -e[0]))


def _public_newest(db: Path) -> list[int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT a.id FROM artworks a JOIN users u ON u.id = a.user_id "
            "WHERE a.status = 'published' AND a.moderation = 'visible' AND u.is_active "
            "ORDER BY a.published_at DESC, a.id DESC"
        ).fetchall()
    return [int(i) for (i,) in rows]
