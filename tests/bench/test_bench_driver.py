"""bench/bench.py: the parts that turn wrk's output into the table."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.bench import (
    ROWS,
    Row,
    RowResult,
    _ms,
    _seconds,
    child_pids,
    child_pids_by_parent,
    cpu_per_request,
    cpu_sample,
    database_and_server,
    parse_wrk,
    print_cpu_table,
    process_cpu_seconds,
    row_args,
)

WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:8302/api/artworks/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    38.21ms   10.02ms  98.11ms   71.20%
    Req/Sec   419.33     52.14   530.00     70.00%
  Latency Distribution
     50%   37.02ms
     75%   43.50ms
     90%   50.87ms
     99%   66.40ms
  6702 requests in 8.01s, 2.31MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    836.71
Transfer/sec:    295.33KB
"""

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def test_wrk_latencies_are_read_in_milliseconds():
    assert _ms("850.00us") == 0.85
    assert _ms("12.5ms") == 12.5
    assert _ms("1.20s") == 1200


def test_durations_are_read_in_seconds():
    assert _seconds("8s") == 8
    assert _seconds("2m") == 120
    assert _seconds("5") == 5


def test_every_row_of_the_floor_table_is_measured():
    labels = " | ".join(row.label for row in ROWS)
    for wanted in [
        "/ anonymous",
        "/feed anonymous",
        "artwork anonymous",
        "profile anonymous",
        "GET /api/feed anonymous",
        "/feed signed in",
        "artwork signed in",
        "profile signed in",
        "GET /api/feed bearer",
        "like",
        "following feed signed in",
        "followers anonymous",
        "tag page anonymous",
        "tag page signed in",
    ]:
        assert wanted in labels


def test_rows_carry_the_callers_credentials(tmp_path: Path):
    fixture = {
        "session": "s3ss10n",
        "bearer": "t0ken",
        "artwork_path": "/artwork/7/x",
        "author": "aurora",
        "member_tokens": ["a", "b", "c", "d"],
        "like_artworks": [7, 8],
    }
    path, args = row_args(Row("x", "{artwork_path}", "session", 0.25), fixture, tmp_path)
    assert (path, args) == ("/artwork/7/x", ["-H", "Cookie: sessionid=s3ss10n"])
    _, args = row_args(Row("x", "/api/feed", "bearer", 0.25), fixture, tmp_path)
    assert args == ["-H", "Authorization: Bearer t0ken"]
    _, args = row_args(Row("x", "/api/artworks/", "likes", 0.25), fixture, tmp_path)
    script = Path(args[1]).read_text()
    assert '"a", "b", "c", "d"' in script and "{7, 8}" in script


def test_a_row_meets_its_floor_on_the_medians_and_without_errors():
    row = RowResult("x", floor=0.25, p99_limit_ms=50)
    row.rounds = [
        {"rps": 100, "p99_ms": 40, "non_2xx": 0, "ratio": 0.3},
        {"rps": 90, "p99_ms": 60, "non_2xx": 0, "ratio": 0.2},
        {"rps": 110, "p99_ms": 45, "non_2xx": 0, "ratio": 0.26},
    ]
    assert row.meets
    row.rounds[0]["non_2xx"] = 3
    assert not row.meets
    row.rounds[0]["non_2xx"] = 0
    row.rounds[2]["ratio"] = 0.1
    assert not row.meets


def test_wrk_output_gives_rate_p99_errors_and_requests():
    measure = parse_wrk(WRK_OUTPUT)
    assert (measure.rps, measure.p99_ms, measure.non_2xx, measure.requests) == (
        836.71,
        66.4,
        3,
        6702,
    )


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


@linux_only
def test_a_process_cpu_is_read_from_proc_and_grows_with_work():
    before = process_cpu_seconds(os.getpid())
    _spin(0.2)
    after = process_cpu_seconds(os.getpid())
    assert before is not None and after is not None
    assert after - before >= 0.1
    assert process_cpu_seconds(2**22 + 1) is None  # above Linux's largest pid: no such process


@linux_only
def test_a_sample_holds_the_server_and_the_finished_children():
    before = cpu_sample(os.getpid())
    assert os.getpid() in before["server"]
    assert set(before) == {"server", "postgres", "redis", "wrk"}
    code = "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", code], check=True)
    after = cpu_sample(os.getpid())
    assert after["wrk"][0] - before["wrk"][0] >= 0.1


@linux_only
def test_a_servers_workers_are_found_with_or_without_the_kernels_list():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in child_pids(os.getpid())
        assert child.pid in child_pids_by_parent(os.getpid())
        assert child.pid in cpu_sample(os.getpid())["server"]
        assert child_pids_by_parent(child.pid) == []
    finally:
        child.kill()
        child.wait()


def test_cpu_per_request_divides_what_each_kind_used():
    before = {"server": {10: 1.0, 11: 2.0}, "postgres": {20: 5.0}, "redis": {}, "wrk": {0: 1.0}}
    after = {
        "server": {10: 1.5, 11: 2.5},
        "postgres": {20: 5.2, 21: 0.1},  # 21 started during the run: all of it counts
        "redis": {},
        "wrk": {0: 1.1},
    }
    per = cpu_per_request(before, after, requests=1000)
    assert per == {"server": 1000.0, "postgres": 300.0, "redis": 0.0, "wrk": 100.0, "all": 1400.0}
    assert cpu_per_request(before, after, requests=0) == {}
    nothing_read = {"server": {}, "postgres": {}, "redis": {}, "wrk": {0: 1.0}}
    assert cpu_per_request(nothing_read, nothing_read, requests=10) == {}


def test_the_cpu_table_gives_the_medians_beside_the_minimal_app(capsys):
    row = RowResult("POST/DELETE like", floor=0.25, p99_limit_ms=50)
    cpu = {"server": 1700.0, "postgres": 450.0, "redis": 80.0, "wrk": 100.0, "all": 2330.0}
    row.rounds = [
        {"cpu_us": cpu, "baseline_cpu_us": {"all": 430.0}},
        {"cpu_us": {**cpu, "server": 2300.0, "all": 2930.0}, "baseline_cpu_us": {"all": 520.0}},
        {"cpu_us": {**cpu, "server": 1800.0, "all": 2430.0}, "baseline_cpu_us": {"all": 450.0}},
    ]
    print_cpu_table([row])
    out = capsys.readouterr().out
    assert "| row | gunicorn | PostgreSQL | Redis | wrk | all | minimal app, all |" in out
    assert "| POST/DELETE like | 1800 | 450 | 80 | 100 | 2430 | 450 |" in out
    row.rounds = [{"cpu_us": {}, "baseline_cpu_us": {}}]
    print_cpu_table([row])
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("url", "name", "server"),
    [
        (
            "postgres://postgres@127.0.0.1:5432/bench",
            "bench",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ),
        (
            "postgres://postgres@/bench?host=/var/run/postgresql",
            "bench",
            "postgres://postgres@/postgres?host=/var/run/postgresql",
        ),
    ],
)
def test_the_bench_database_is_named_apart_from_its_server(url: str, name: str, server: str):
    # A server on a Unix socket keeps its host in the query: it was once taken for the name.
    assert database_and_server(url) == (name, server)
    import environ

    settings = environ.Env.db_url_config(url)  # the site reads the same URL to that database
    assert settings["NAME"] == name
