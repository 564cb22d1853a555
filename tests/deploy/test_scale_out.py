"""Beyond one machine: two complete web instances, each released into a folder of its own
(its own copy of the code, static files and media folder: nothing on a local disk is shared;
media lives in the bucket), behind one nginx upstream; two worker hosts (each running both
pools, from its own folder) and one beat; one PostgreSQL, one Redis, one bucket (moto).

24 members then use both instances at once, and what a member of a real cluster relies on
holds: like and favorite counts exact; a write through one instance seen through the other at
the next request; a cached page on one instance dropped by a change made through the other;
a session begun on one and a token valid on both; each periodic task run once per sending.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import require_service
from tests.deploy.nginx import free_port, nginx_binary, running_nginx, stop, wait_for_port
from tests.deploy.topology import (
    PASSWORD,
    PG_SERVER,
    REDIS_BROKER_DB,
    REDIS_CACHE_DB,
    REDIS_SERVER,
    flush_redis,
    fresh_database,
    release,
    s3_bucket,
    services_env,
    start,
    wait_until,
)
from tests.deploy.units import ROOT, production_env

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
MEMBERS = 24
ARTWORKS = 3
# What a host's copy of a release holds: the code, not this checkout's local state.
NOT_RELEASED = (
    ".git", ".venv", "node_modules", "media", "staticfiles", "test-artifacts", ".cache",
    ".pytest_cache", ".ruff_cache", ".benchmarks", "db.sqlite3*", ".jwt-dev-key.pem", "*.mo",
    "__pycache__",
)  # fmt: skip


@dataclass
class Cluster:
    nginx: str
    web: dict[str, str]  # host → its gunicorn's URL
    env: dict[str, str]
    logs: Path

    def worker_logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs.glob("*worker*.log"))


def host_copy(base: Path, host: str) -> Path:
    folder = base / host / "srv"
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(*NOT_RELEASED))
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    nginx_binary()
    require_service("PostgreSQL", PG_SERVER)
    require_service("Redis", REDIS_SERVER)
    base = tmp_path_factory.mktemp("scale-out")
    logs = base / "logs"
    logs.mkdir()
    flush_redis(REDIS_CACHE_DB, REDIS_BROKER_DB)
    with ExitStack() as stack:
        database = stack.enter_context(fresh_database())
        s3 = stack.enter_context(s3_bucket())
        # One environment file for the cluster (the same secrets everywhere); each host's
        # folders are its own.
        shared = production_env(
            base,
            **services_env(database=database, s3=s3),
            # Beat's maintenance every 2 s, so the test sees many periods.
            MEDIA_RETRY_CHECK_SECONDS="2",
            GENERATION_STUCK_CHECK_SECONDS="2",
        )
        processes: list[subprocess.Popen] = []
        stack.callback(lambda: [stop(p) for p in processes])
        web: dict[str, str] = {}
        for host in ("web-a", "web-b"):
            root = host_copy(base, host)
            port = free_port()
            env = {
                **shared,
                "WEB_BIND": f"127.0.0.1:{port}",
                "MEDIA_ROOT": str(base / host / "media"),
                "STATIC_ROOT": str(base / host / "staticfiles"),
                "CACHE_DIR": str(base / host / "cache"),
                "PROMETHEUS_MULTIPROC_DIR": str(base / host / "metrics"),
                "BEAT_SCHEDULE_FILE": str(base / host / "celerybeat-schedule"),
            }
            (base / host / "metrics").mkdir(parents=True)
            release(env, root=root)
            processes.append(start("aicommunity-web", env, logs, host=host, root=root))
            # The same folders serve as this host's worker host: both pools on each.
            processes.append(start("aicommunity-worker", env, logs, host=host, root=root))
            processes.append(
                start("aicommunity-worker-generation", env, logs, host=host, root=root)
            )
            # A beat on each host too: one sends (it holds the lease), the other stands by.
            processes.append(start("aicommunity-beat", env, logs, host=host, root=root))
            gunicorn = processes[-4]
            wait_for_port(port, gunicorn, logs / f"aicommunity-web-{host}.log", timeout=60)
            web[host] = f"http://127.0.0.1:{port}"
        upstream = " ".join(url.removeprefix("http://") for url in web.values())
        nginx = stack.enter_context(
            running_nginx(
                base / "nginx",
                upstream=upstream,
                static_root=base / "web-a" / "staticfiles",
                media_root=base / "web-a" / "media",
            )
        )
        yield Cluster(nginx=nginx.url, web=web, env=shared, logs=logs)
    flush_redis(REDIS_CACHE_DB, REDIS_BROKER_DB)


def make_members(cluster: Cluster) -> dict[str, str]:
    """The author and 24 members, with a token each (issued by the shared database)."""
    script = (
        "import json\n"
        "from accounts.models import User\n"
        "from accounts.services import user_email_mark_verified\n"
        "from accounts.tokens import token_pair_issue\n"
        "tokens = {}\n"
        f"for name in ['author'] + [f'member{{n:02d}}' for n in range({MEMBERS})]:\n"
        "    u = User.objects.create_user(username=name, email=name + '@example.com',"
        f" password={PASSWORD!r})\n"
        "    user_email_mark_verified(user=u)\n"
        "    tokens[name] = token_pair_issue(user=u).access_token\n"
        "print(json.dumps(tokens))\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def publish_artworks(cluster: Cluster, token: str) -> list[int]:
    """The author generates through one instance and the other, and publishes."""
    ids = []
    for n, base in zip(range(ARTWORKS), [*cluster.web.values()] * ARTWORKS, strict=False):
        made = requests.post(
            f"{base}/api/artworks/generate",
            json={"prompt": f"a quiet harbour at dawn, study {n}", "title": f"Harbour {n}"},
            headers=bearer(token),
            timeout=30,
        )
        assert made.status_code == 202, made.text[:1000]
        ids.append(made.json()["id"])
    other = [*cluster.web.values()]
    for n, artwork_id in enumerate(ids):

        def done(artwork_id: int = artwork_id, n: int = n) -> bool:
            url = f"{other[(n + 1) % 2]}/api/artworks/{artwork_id}"
            return (
                requests.get(url, headers=bearer(token), timeout=30).json()["generation_status"]
                == "done"
            )

        wait_until(done, timeout=120, what=f"generation of artwork {artwork_id}", logs=cluster.logs)
        published = requests.post(
            f"{other[n % 2]}/api/artworks/{artwork_id}/publish", headers=bearer(token), timeout=30
        )
        assert published.status_code == 200, published.text[:1000]
    return ids


def react(cluster: Cluster, name: str, token: str, artworks: list[int], number: int) -> None:
    """One member: likes every artwork, unlikes and likes one again, favorites one, each
    request through the instance its turn gives (both, interleaved with the others)."""
    hosts = [*cluster.web.values()]

    def send(method: str, turn: int, path: str) -> None:
        answer = requests.request(
            method, f"{hosts[turn % 2]}/api/artworks/{path}", headers=bearer(token), timeout=30
        )
        assert answer.ok, (name, method, path, answer.status_code, answer.text[:300])

    for step, artwork_id in enumerate(artworks):
        send("POST", number + step, f"{artwork_id}/like")
    send("DELETE", number, f"{artworks[0]}/like")
    send("POST", number + 1, f"{artworks[0]}/like")
    send("POST", number, f"{artworks[number % len(artworks)]}/favorite")


def test_two_instances_two_worker_hosts_and_one_beat_serve_24_members_as_one_site(cluster):
    tokens = make_members(cluster)
    author = tokens.pop("author")
    artworks = publish_artworks(cluster, author)
    a, b = cluster.web["web-a"], cluster.web["web-b"]

    # A write through one instance is seen through the other at the next request.
    for artwork_id in artworks:
        for base in (a, b):
            seen = requests.get(f"{base}/api/artworks/{artwork_id}", timeout=30).json()
            assert seen["status"] == "published"

    # A page cached by instance B (anonymous), then a like through instance A.
    # The workers are still finishing what publishing started (thumbnails), and each piece
    # that lands renews the page: it is asked for until B answers from its copy.
    page = requests.get(f"{b}/api/artworks/{artworks[1]}", timeout=30).json()["page_url"]

    def served_from_bs_copy() -> bool:
        first = requests.get(f"{b}{page}", timeout=30)
        again = requests.get(f"{b}{page}", timeout=30)
        assert "0 likes" in first.text and "0 likes" in again.text
        return again.headers.get("X-Page-Cache") == "hit"

    wait_until(served_from_bs_copy, timeout=60, what="a copy kept by B", logs=cluster.logs)

    with ThreadPoolExecutor(max_workers=MEMBERS) as pool:
        futures = [
            pool.submit(react, cluster, name, token, artworks, number)
            for number, (name, token) in enumerate(sorted(tokens.items()))
        ]
        for future in futures:
            future.result()

    # Counts exact, read through both instances and nginx.
    favorites = {artwork_id: 0 for artwork_id in artworks}
    for number in range(MEMBERS):
        favorites[artworks[number % len(artworks)]] += 1
    for base in (a, b, cluster.nginx):
        for artwork_id in artworks:
            seen = requests.get(f"{base}/api/artworks/{artwork_id}", timeout=30).json()
            assert seen["like_count"] == MEMBERS, (base, artwork_id, seen["like_count"])
            assert seen["favorite_count"] == favorites[artwork_id]
    # The page instance B had cached was dropped by the likes made through A (and B).
    assert f"{MEMBERS} likes" in requests.get(f"{b}{page}", timeout=30).text

    # A token works on both; a session begun on one instance is signed in on the other.
    for base in (a, b):
        me = requests.get(f"{base}/api/auth/me", headers=bearer(tokens["member00"]), timeout=30)
        assert me.status_code == 200 and me.json()["username"] == "member00"
    # (Production cookies are Secure: over this test's plain HTTP they are sent by hand.)
    jar: dict[str, str] = {}

    def browse(method: str, url: str, **kwargs: object) -> requests.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        answer = requests.request(
            method, url, headers={"Cookie": cookie, "Referer": url}, timeout=30,
            allow_redirects=False, **kwargs,
        )  # fmt: skip
        jar.update({c.name: c.value for c in answer.cookies})
        return answer

    form = browse("GET", f"{a}/login").text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    fields = {"csrfmiddlewaretoken": csrf, "login": "member01", "password": PASSWORD}
    signed = browse("POST", f"{a}/login", data=fields)
    assert signed.status_code == 302, signed.text[:1000]
    assert "sessionid" in jar
    feed_on_b = browse("GET", f"{b}/feed")
    assert feed_on_b.status_code == 200 and "member01" in feed_on_b.text

    # Two beats, one sender: every periodic task sent was run by exactly one of the four
    # workers, and the periods were not doubled.
    def beat_sent() -> list[str]:
        logs = "".join(p.read_text() for p in cluster.logs.glob("aicommunity-beat-*.log"))
        return re.findall(r"Sending due task \S+ \((\S+)\)", logs)

    wait_until(lambda: len(beat_sent()) >= 6, timeout=30, what="beat's sends", logs=cluster.logs)
    time.sleep(3)  # the last sends reach a worker
    sent = beat_sent()
    received = cluster.worker_logs()
    for task in set(sent):
        runs = len(re.findall(rf"Task {re.escape(task)}\[[0-9a-f-]+\] received", received))
        assert runs in (sent.count(task), sent.count(task) - 1), (task, runs, sent.count(task))
    senders = [
        p.name
        for p in cluster.logs.glob("aicommunity-beat-*.log")
        if "Sending due task" in p.read_text()
    ]
    assert len(senders) == 1, senders
