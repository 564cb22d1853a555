"""gunicorn's own lines (its start, workers booting and exiting, timeouts) come out in the
site's log format: with LOG_FORMAT=json every line on stderr is one JSON object, so the
journal of aicommunity-web can be read with jq like the others (docs/operations.md)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_gunicorn_writes_its_own_lines_as_json(tmp_path):
    socket = tmp_path / "gunicorn.sock"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
        | {"PROMETHEUS_MULTIPROC_DIR"}
    }
    env["LOG_FORMAT"] = "json"
    gunicorn = [sys.executable, "-m", "gunicorn", "aicommunity.wsgi", "--no-control-socket"]
    process = subprocess.Popen(
        [*gunicorn, "-c", "python:aicommunity.gunicorn_conf", "-w", "1", "-b", f"unix:{socket}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket.exists(), "gunicorn did not start"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    lines = [line for line in err.splitlines() if line.strip()]
    assert any("Booting worker" in line for line in lines), err
    for line in lines:
        record = json.loads(line)
        assert {"timestamp", "level", "logger", "event"} <= set(record), line


def test_operations_md_jq_filter_reads_a_journal_that_has_lines_not_json():
    """Celery's worker and beat print their banner as plain text, and a process that dies
    before its logging starts prints a plain traceback: the documented filter must still find
    the request's lines past them (plain jq stops at the first with a parse error)."""
    import re
    import shlex
    import shutil

    if not shutil.which("jq"):
        pytest.skip("jq is not installed")
    docs = (ROOT / "docs" / "operations.md").read_text()
    [program] = re.findall(r"journalctl -u 'aicommunity-\*' -o cat \| jq (.+?)`", docs, re.S)
    argv = [part.replace("5f0c…", "5f0c3e0a") for part in shlex.split(program)]
    journal = "\n".join(
        [
            " -------------- default@host v5.7.0 (collider)",
            json.dumps({"event": "request_finished", "request_id": "5f0c3e0a"}),
            "celery beat v5.7.0 is starting.",
            json.dumps({"event": "Task succeeded", "request_id": "5f0c3e0a", "task": "t"}),
            json.dumps({"event": "another", "request_id": "0000"}),
        ]
    )
    result = subprocess.run(
        ["jq", *argv], input=journal, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    found = [json.loads(line)["event"] for line in result.stdout.splitlines()]
    assert found == ["request_finished", "Task succeeded"]
