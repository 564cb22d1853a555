"""bench/bench.py: the parts that turn wrk's output into the table."""

from __future__ import annotations

from pathlib import Path

from bench.bench import ROWS, Row, RowResult, _ms, _seconds, row_args


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
