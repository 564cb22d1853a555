"""Throughput and latency of the site against the smallest Django app, on both topologies.

    .venv/bin/python bench/bench.py                        # both topologies, 3 rounds
    .venv/bin/python bench/bench.py --topology embedded --rounds 1 --duration 5s
    .venv/bin/python bench/bench.py --json bench-result.json

For each topology (the embedded defaults: SQLite and the file cache; PostgreSQL + Redis) the
site and `bench/minimal_app.py` are served the same way (gunicorn, same worker count, same
machine) and measured with wrk. Every row is measured once a round, rounds alternate the rows
with the minimal app (each measurement after one unmeasured second of the same load), and the
table gives the median of the rounds: requests per second, p99 latency, and the ratio site ÷
minimal app of the same round. A second table says where each request's CPU went (Linux): the
server's processes, PostgreSQL's, Redis's and wrk's, in microseconds per request, read from
/proc around each measurement. On a machine whose cores all four share, that is what a ratio
is made of: the minimal app's CPU per request ÷ the site's.

After the warm rounds, the cold start: the site's workers are restarted and its cache emptied
(what a deploy does at worst), then the first request and the first second of load (a herd of
misses) are timed.

Needs wrk (Debian package). PostgreSQL and Redis: BENCH_DATABASE_URL (default: database
`bench` of the local server over TCP, created when missing; a server on a Unix socket is
`postgres://postgres@/bench?host=/var/run/postgresql`) and BENCH_REDIS_URL (default: database 9
of the local Redis).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The checkout whose site is measured (--site-root: another commit's worktree, to compare).
SITE = ROOT
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
BASE_PORT = 8301
SITE_PORT = 8302
MEMBERS = 50  # members whose likes the like row spreads over
LIKE_ARTWORKS = 20


@dataclass(frozen=True)
class Row:
    label: str
    path: str
    who: str  # anonymous | session | bearer | likes
    floor: float  # the ratio the row must reach
    p99_ms: float | None = None  # the p99 it must stay under, where there is one


ROWS = [
    Row("/ anonymous", "/", "anonymous", 0.5, 20),
    Row("/feed anonymous", "/feed", "anonymous", 0.5, 20),
    Row("artwork anonymous", "{artwork_path}", "anonymous", 0.5, 20),
    Row("profile anonymous", "/user/{author}", "anonymous", 0.5, 20),
    Row("GET /api/feed anonymous", "/api/feed", "anonymous", 0.5),
    Row("/feed signed in", "/feed", "session", 0.25, 50),
    Row("artwork signed in", "{artwork_path}", "session", 0.25),
    Row("profile signed in", "/user/{author}", "session", 0.25),
    Row("GET /api/feed bearer", "/api/feed", "bearer", 0.25),
    Row("POST/DELETE like, 50 members", "/api/artworks/", "likes", 0.25, 50),
    # The community pages: a member's following feed, a profile's followers.
    Row("following feed signed in", "/feed?tab=following", "session", 0.25, 50),
    Row("followers anonymous", "/user/{author}/followers", "anonymous", 0.5, 20),
    # Discovery: a tag's page (Hot), with the feed's budget.
    Row("tag page anonymous", "{tag_path}", "anonymous", 0.5, 20),
    Row("tag page signed in", "{tag_path}", "session", 0.25, 50),
]
COLD_P99_MS = 200
RSS_LIMIT_MB = 150
COLD_LOAD = "2s"  # the first seconds of load on emptied caches
HEALTH = "/healthz"
QUIET = ["--log-level", "warning"]


@dataclass
class Measure:
    rps: float
    p99_ms: float
    non_2xx: int = 0
    requests: int = 0
    # CPU per request by kind of process, in microseconds (cpu_per_request); {} off Linux.
    cpu_us: dict[str, float] = field(default_factory=dict)


@dataclass
class RowResult:
    label: str
    floor: float
    p99_limit_ms: float | None
    rounds: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds)

    @property
    def meets(self) -> bool:
        ratio_ok = self.median("ratio") >= self.floor
        p99_ok = self.p99_limit_ms is None or self.median("p99_ms") <= self.p99_limit_ms
        errors = sum(r["non_2xx"] for r in self.rounds)
        return ratio_ok and p99_ok and not errors


# --- environment ------------------------------------------------------------------------------


def topology_env(name: str, workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "S3_BUCKET", "CACHE_DIR"}
    }
    env.update(
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        # One member liking a thousand times a second is the benchmark, not an abuse.
        RATE_LIMIT_REACTIONS_PER_MINUTE="1000000000",
    )
    if name == "embedded":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        env["CACHE_DIR"] = str(workdir / "cache")
    else:
        env["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"
        )
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [PYTHON, "manage.py", *args],
        cwd=SITE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def database_and_server(url: str) -> tuple[str, str]:
    """(the database's name, the URL of the same server's `postgres` database) of a
    PostgreSQL URL, its query kept: `?host=/var/run/postgresql` is a server on a Unix
    socket, as Django's settings (django-environ) and psql both read it."""
    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    return name, urllib.parse.urlunsplit(parts._replace(path="/postgres"))


def ensure_postgres_database(url: str) -> None:
    name, server = database_and_server(url)
    psql = shutil.which("psql")
    if not psql:
        return  # the migrate step says what is missing
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"database names here are letters, digits and _: {name!r}")
    exists = subprocess.run(  # noqa: S603
        [psql, server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608
        capture_output=True,
        text=True,
        check=False,
    )
    if exists.stdout.strip() != "1":
        subprocess.run([psql, server, "-c", f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603


FIXTURE = """
import json
import cryptography.hazmat.primitives.serialization  # allauth's JWT keys need it loaded
from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from accounts.models import User
from accounts.tokens import token_pair_issue
from django.db.models import Count
from artworks.models import Tag
from artworks.selectors import artworks_public

viewer = User.objects.get(username="aurora")
session = SessionStore()
session[SESSION_KEY] = str(viewer.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
session.create()
artwork = artworks_public().exclude(user=viewer).order_by("-hot_score").first()
tokens = []
for n in range(MEMBERS):
    member, _ = User.objects.get_or_create(
        username=f"bench{n:03d}", defaults={"email": f"bench{n:03d}@example.com"}
    )
    EmailAddress.objects.get_or_create(
        user=member, email=member.email, defaults={"verified": True, "primary": True}
    )
    tokens.append(token_pair_issue(user=member).access_token)
tag = Tag.objects.annotate(n=Count("artwork_rows")).order_by("-n", "name").first()
liked = list(artworks_public().order_by("-hot_score").values_list("pk", flat=True)[:LIKES])
print(json.dumps({
    "session": session.session_key,
    "csrf": _get_new_csrf_string(),
    "bearer": token_pair_issue(user=viewer).access_token,
    "artwork_path": artwork.get_absolute_url(),
    "author": artwork.user.username,
    "tag_path": tag.get_absolute_url(),
    "member_tokens": tokens,
    "like_artworks": liked,
}))
"""


def prepare(env: dict[str, str], topology: str) -> dict:
    if topology != "embedded":
        ensure_postgres_database(env["DATABASE_URL"])
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    script = FIXTURE.replace("MEMBERS", str(MEMBERS)).replace("LIKES", str(LIKE_ARTWORKS))
    out = manage(env, "shell", "--no-imports", "-v", "0", "-c", script)
    if topology != "embedded":
        vacuum_postgres_database(env["DATABASE_URL"])
    return json.loads(out.strip().splitlines()[-1])


def vacuum_postgres_database(url: str) -> None:
    """What autovacuum does between runs: the bench database is reused, and every like row
    leaves thousands of dead row versions behind (a count and a score change the artwork's
    row). A server that runs without autovacuum (as some CI machines do) would otherwise
    measure the garbage of every earlier run."""
    psql = shutil.which("psql")
    if psql:
        subprocess.run([psql, url, "-qc", "VACUUM (ANALYZE)"], check=False, capture_output=True)  # noqa: S603


# --- servers ----------------------------------------------------------------------------------


def wait_until_ready(port: int, path: str, timeout: float = 60) -> None:
    """Until every worker answers `path` (what a load balancer's health check does before a
    deploy takes traffic): gunicorn binds the port before its workers have loaded the app."""
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                answered += 1
                if answered >= 8:  # enough for every worker to have answered once
                    return
                continue
        time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port} within {timeout} s")


@contextlib.contextmanager
def gunicorn(
    app: str, port: int, env: dict[str, str], workers: int, *, ready_path: str = "/"
) -> Iterator[int]:
    process = subprocess.Popen(  # noqa: S603
        [GUNICORN, app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", *QUIET],
        cwd=ROOT if app.startswith("bench.") else SITE,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_ready(port, ready_path)
        yield process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        # The port is free again before the next server binds it.
        time.sleep(0.3)


# --- wrk --------------------------------------------------------------------------------------


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def parse_wrk(out: str) -> Measure:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return Measure(
        rps=rps,
        p99_ms=p99,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        requests=requests,
    )


def wrk(
    url: str, *, duration: str, connections: int, args: list[str], server: int | None = None
) -> Measure:
    """One wrk run; with `server` (a gunicorn master's pid), also the CPU each request cost."""
    before = cpu_sample(server) if server else {}
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", *args, url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    measure = parse_wrk(out)
    if server:
        measure.cpu_us = cpu_per_request(before, cpu_sample(server), measure.requests)
    return measure


# --- CPU per request --------------------------------------------------------------------------

CPU_KINDS = {"server": "gunicorn", "postgres": "PostgreSQL", "redis": "Redis", "wrk": "wrk"}
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command's name (state first); OSError when
    there is no such process, IndexError when the line is not one."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process has used so far; None when it is not there (or off Linux)."""
    try:
        fields = _stat_fields(pid)
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def child_pids(parent: int) -> list[int]:
    """The processes `parent` started (gunicorn's workers), read from /proc: the kernel's
    list where it keeps one (CONFIG_PROC_CHILDREN), else every process's parent."""
    with contextlib.suppress(OSError):
        listed = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        return [int(pid) for pid in listed.split()]
    return child_pids_by_parent(parent)


def child_pids_by_parent(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError):
            if int(_stat_fields(int(entry.name))[1]) == parent:
                children.append(int(entry.name))
    return children


def _pids_by_name(prefixes: dict[str, str]) -> dict[str, list[int]]:
    """For each kind, the processes whose command starts with its prefix: one pass over /proc."""
    found: dict[str, list[int]] = {kind: [] for kind in prefixes}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            command = entry.joinpath("comm").read_text().strip()
            for kind, prefix in prefixes.items():
                if command.startswith(prefix):
                    found[kind].append(int(entry.name))
    return found


def cpu_sample(server: int) -> dict[str, dict[int, float]]:
    """The CPU used so far by each process of each kind: the server (master and workers),
    PostgreSQL's and Redis's processes on this machine, and this script's finished children
    (wrk) as pid 0."""
    groups = {
        "server": [server, *child_pids(server)],
        **_pids_by_name({"postgres": "postgres", "redis": "redis-server"}),
    }
    sample = {
        kind: {pid: cpu for pid in pids if (cpu := process_cpu_seconds(pid)) is not None}
        for kind, pids in groups.items()
    }
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample["wrk"] = {0: children.ru_utime + children.ru_stime}
    return sample


def cpu_per_request(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], requests: int
) -> dict[str, float]:
    """Microseconds of CPU per request by kind, and "all". A process that started during the
    run counts from zero; one that ended during it is not counted (its CPU is gone with it)."""
    if not requests or not any(after.get("server", {}).values()):
        return {}  # no /proc here
    used = {
        kind: sum(cpu - before.get(kind, {}).get(pid, 0.0) for pid, cpu in pids.items())
        for kind, pids in after.items()
    }
    per = {kind: round(seconds / requests * 1e6, 1) for kind, seconds in used.items()}
    per["all"] = round(sum(used.values()) / requests * 1e6, 1)
    return per


LIKE_LUA = """
-- Each wrk thread owns every THREADS-th member; each request is one member's like (POST) or
-- unlike (DELETE) of one artwork, in an order where no pair is in flight twice.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local tokens = {TOKENS}
local artworks = {ARTWORKS}
local n = 0
function request()
  local per = math.floor(#tokens / THREADS)
  local k = n % (per * #artworks)
  local member = tokens[tid + THREADS * (k % per) + 1]
  local artwork = artworks[math.floor(k / per) + 1]
  local method = (math.floor(n / (per * #artworks)) % 2 == 0) and "POST" or "DELETE"
  n = n + 1
  return wrk.format(method, "/api/artworks/" .. artwork .. "/like",
                    {["Authorization"] = "Bearer " .. member})
end
"""


def row_args(row: Row, fixture: dict, workdir: Path) -> tuple[str, list[str]]:
    path = row.path.format(**fixture)
    if row.who == "session":
        return path, ["-H", f"Cookie: sessionid={fixture['session']}"]
    if row.who == "bearer":
        return path, ["-H", f"Authorization: Bearer {fixture['bearer']}"]
    if row.who == "likes":
        script = workdir / "likes.lua"
        script.write_text(
            LIKE_LUA.replace("THREADS", "2")
            .replace("TOKENS", ", ".join(json.dumps(t) for t in fixture["member_tokens"]))
            .replace("ARTWORKS", ", ".join(str(a) for a in fixture["like_artworks"]))
        )
        return path, ["-s", str(script)]
    return path, []


# --- cold start -------------------------------------------------------------------------------


def workers_rss_mb(master_pid: int) -> list[float]:
    """The resident memory of each worker of a gunicorn master."""
    sizes = []
    for pid in child_pids(master_pid):
        with contextlib.suppress(FileNotFoundError):
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024)
    return sorted(round(size, 1) for size in sizes)


def clear_cache(env: dict[str, str]) -> None:
    manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.core.cache import cache\n"
        "delete_pattern = getattr(cache, 'delete_pattern', None)\n"
        "delete_pattern('*') if delete_pattern else cache.clear()",
    )


def first_request_ms(path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", SITE_PORT, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status >= 400:
        raise SystemExit(f"cold {path} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def cold_start(env: dict[str, str], fixture: dict, *, workers: int, connections: int) -> dict:
    """The first request after a deploy, and the first second of load, on emptied caches."""
    url = f"http://127.0.0.1:{SITE_PORT}"
    cookie = {"Cookie": f"sessionid={fixture['session']}"}
    results = {}
    for label, path, headers in [
        ("first signed-in /feed", "/feed", cookie),
        ("first anonymous /", "/", {}),
    ]:
        clear_cache(env)
        with gunicorn("aicommunity.wsgi", SITE_PORT, env, workers, ready_path=HEALTH):
            results[label] = round(first_request_ms(path, headers), 1)
    for label, path, args in [
        (f"first {COLD_LOAD} of load, anonymous /", "/", []),
        (
            f"first {COLD_LOAD} of load, signed-in /feed",
            "/feed",
            ["-H", f"Cookie: {cookie['Cookie']}"],
        ),
    ]:
        clear_cache(env)
        with gunicorn("aicommunity.wsgi", SITE_PORT, env, workers, ready_path=HEALTH):
            measure = wrk(url + path, duration=COLD_LOAD, connections=connections, args=args)
            if not measure.rps or measure.non_2xx:
                raise SystemExit(f"cold {path}: {measure}")
            results[label] = round(measure.p99_ms, 1)
    return results


# --- the run ----------------------------------------------------------------------------------


FLUSH_REDIS = "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()"


def measure_row(
    row: Row,
    result: RowResult,
    fixture: dict,
    workdir: Path,
    topology: str,
    number: int,
    options: dict,
) -> int:
    """One round of one row: the minimal app, then the site, each after a short unmeasured
    warm-up under the same load (a row measures the steady state; the cold start is measured
    on its own). Returns the site's requests. `options["servers"]`: the gunicorn masters'
    pids (minimal app, site), whose CPU per request is read around each measurement."""
    warmup = options["warmup"]
    measured = {k: options[k] for k in ("duration", "connections")}
    base_server, site_server = options["servers"]
    path, extra = row_args(row, fixture, workdir)
    base_url, site_url = f"http://127.0.0.1:{BASE_PORT}/", f"http://127.0.0.1:{SITE_PORT}{path}"
    if warmup:
        wrk(base_url, args=[], duration=warmup, connections=options["connections"])
    baseline = wrk(base_url, args=[], server=base_server, **measured)
    if warmup:
        wrk(site_url, args=extra, duration=warmup, connections=options["connections"])
    site = wrk(site_url, args=extra, server=site_server, **measured)
    ratio = site.rps / baseline.rps
    result.rounds.append(
        {
            **asdict(site),
            "baseline_rps": baseline.rps,
            "baseline_cpu_us": baseline.cpu_us,
            "ratio": round(ratio, 4),
        }
    )
    print(
        f"  [{topology} round {number}] {row.label:<30} {site.rps:>9.1f} req/s  "
        f"p99 {site.p99_ms:>7.1f} ms  ratio {ratio:.3f}"
        + (f"  non-2xx {site.non_2xx}" if site.non_2xx else ""),
        file=sys.stderr,
    )
    return int(site.rps * _seconds(options["duration"]))


def _seconds(duration: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)([smh]?)", duration).groups()
    return float(value) * {"": 1, "s": 1, "m": 60, "h": 3600}[unit]


def run_topology(topology: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"aic-bench-{topology}-"))
    env = topology_env(topology, workdir)
    if topology != "embedded":
        subprocess.run(  # noqa: S603
            [PYTHON, "-c", FLUSH_REDIS, env["REDIS_URL"]],
            check=True,
        )
    fixture = prepare(env, topology)
    base_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    wanted = [part.strip() for part in args.rows.split(",") if part.strip()]
    rows = [row for row in ROWS if not wanted or any(part in row.label for part in wanted)]
    results = [RowResult(row.label, row.floor, row.p99_ms) for row in rows]
    options = {
        "duration": args.duration,
        "connections": args.connections,
        "warmup": "" if args.warmup in ("", "0", "0s") else args.warmup,
    }
    memory = {}
    served = 0
    with (
        gunicorn("bench.minimal_app:application", BASE_PORT, base_env, args.workers) as base,
        gunicorn("aicommunity.wsgi", SITE_PORT, env, args.workers, ready_path=HEALTH) as site,
    ):
        options["servers"] = (base, site)
        for number in range(1, args.rounds + 1):
            if topology != "embedded" and number > 1:
                vacuum_postgres_database(env["DATABASE_URL"])  # as autovacuum would have
            for row, result in zip(rows, results, strict=True):
                served += measure_row(row, result, fixture, workdir, topology, number, options)
            memory[f"after round {number} ({served} requests)"] = workers_rss_mb(site)
    cold = (
        {}
        if args.no_cold
        else cold_start(env, fixture, workers=args.workers, connections=args.connections)
    )
    shutil.rmtree(workdir, ignore_errors=True)
    return {"rows": results, "cold": cold, "memory": memory}


def print_table(topology: str, outcome: dict, rounds: int) -> bool:
    print(f"\n### {topology} (medians of {rounds} rounds)\n")
    print("| row | req/s | p99 ms | ratio | floor | meets |")
    print("|---|---:|---:|---:|---|---|")
    all_met = True
    for r in outcome["rows"]:
        floor = f"≥ {r.floor}" + (f", p99 ≤ {r.p99_limit_ms:g}" if r.p99_limit_ms else "")
        errors = sum(x["non_2xx"] for x in r.rounds)
        meets = "yes" if r.meets else ("no (non-2xx)" if errors else "no")
        all_met &= r.meets
        print(
            f"| {r.label} | {r.median('rps'):.1f} | {r.median('p99_ms'):.1f} | "
            f"{r.median('ratio'):.3f} | {floor} | {meets} |"
        )
    baseline = statistics.median(x["baseline_rps"] for r in outcome["rows"] for x in r.rounds)
    print(f"| minimal app | {baseline:.1f} | | 1 | | |")
    print_cpu_table(outcome["rows"])
    print("\nRSS of each site worker (MB, limit 150):\n")
    for label, sizes in outcome["memory"].items():
        print(f"- {label}: {', '.join(map(str, sizes))}")
        all_met &= max(sizes, default=0) <= RSS_LIMIT_MB
    print(f"\ncold start (p99 limit {COLD_P99_MS} ms):\n")
    for label, ms in outcome["cold"].items():
        ok = ms <= COLD_P99_MS
        all_met &= ok
        print(f"- {label}: {ms} ms {'(ok)' if ok else '(over)'}")
    return all_met


def _median_cpu(rounds: list[dict], key: str) -> dict[str, float]:
    samples = [x[key] for x in rounds if x.get(key)]
    if not samples:
        return {}
    return {kind: statistics.median(s.get(kind, 0.0) for s in samples) for kind in samples[0]}


def print_cpu_table(rows: list[RowResult]) -> None:
    """Where a request's CPU went (medians of the rounds), beside the minimal app's."""
    medians = [(r.label, _median_cpu(r.rounds, "cpu_us")) for r in rows]
    if not any(cpu for _label, cpu in medians):
        return  # off Linux: nothing was read
    kinds = list(CPU_KINDS)
    print("\nCPU per request (µs, medians; all processes of each kind on this machine):\n")
    print("| row | " + " | ".join(CPU_KINDS.values()) + " | all | minimal app, all |")
    print("|---|" + "---:|" * (len(kinds) + 2))
    for (label, cpu), row in zip(medians, rows, strict=True):
        base = _median_cpu(row.rounds, "baseline_cpu_us")
        cells = [f"{cpu.get(kind, 0.0):.0f}" for kind in [*kinds, "all"]]
        print(f"| {label} | " + " | ".join(cells) + f" | {base.get('all', 0.0):.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topology", choices=["embedded", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default=os.environ.get("DURATION", "8s"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--warmup", default="1s", help="unmeasured load before each measurement (0: none)"
    )
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a row misses its floor")
    parser.add_argument(
        "--rows",
        default="",
        help="only the rows whose label contains one of these, comma-separated",
    )
    parser.add_argument("--no-cold", action="store_true", help="skip the cold start")
    parser.add_argument(
        "--site-root",
        type=Path,
        default=ROOT,
        help="measure the site of this checkout (e.g. a worktree of an older commit)",
    )
    args = parser.parse_args(argv)
    global SITE
    SITE = args.site_root.resolve()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    topologies = ["embedded", "postgres"] if args.topology == "both" else [args.topology]
    print(
        f"workers={args.workers} connections={args.connections} duration={args.duration} "
        f"rounds={args.rounds}"
    )
    outcomes = {name: run_topology(name, args) for name in topologies}
    met = all([print_table(name, outcomes[name], args.rounds) for name in topologies])
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    name: {
                        "rows": [asdict(r) for r in o["rows"]],
                        "cold": o["cold"],
                        "memory": o["memory"],
                    }
                    for name, o in outcomes.items()
                },
                indent=2,
            )
        )
    return 0 if met or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
