"""The site as real processes: `manage.py` commands and a gunicorn server in subprocesses,
on a database, cache folder and media folder of their own (never the test's), bound to a
free port on 127.0.0.1 and stopped by the test that started them."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

# What the test process may carry from its own run (the PostgreSQL/Redis pass, a private
# cache folder) and the site under test must not inherit.
_NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "TEST_REDIS_URL",
    "CELERY_BROKER_URL",
    "CACHE_DIR",
    "MEDIA_ROOT",
    "PAGE_CACHE_SECONDS",
    "DJANGO_ENV",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(folder: Path, **overrides: str) -> dict[str, str]:
    """The embedded defaults in `folder` (SQLite file, cache folder, media), plus overrides."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "aicommunity.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
            "CACHE_DIR": str(folder / "cache"),
            "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


# Migrated empty databases, one per (settings module, DJANGO_ENV), made by the session's first
# `migrate` call and copied by the later ones.
_MIGRATED: dict[tuple[str, str], Path] = {}


def migrate(env: dict[str, str]) -> None:
    """`manage.py migrate` for the SQLite file that env's DATABASE_URL names (a new one).

    The session's first call for a settings module and DJANGO_ENV migrates a file of its own;
    later calls copy it: the migrations (and post_migrate) write the same rows on every empty
    database, whatever else the environment says."""
    key = (env["DJANGO_SETTINGS_MODULE"], env.get("DJANGO_ENV", ""))
    if key not in _MIGRATED:
        folder = Path(tempfile.mkdtemp(prefix="site-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "site.sqlite3"
        manage({**env, "DATABASE_URL": f"sqlite:///{template}"}, "migrate", "--noinput", "-v0")
        _MIGRATED[key] = template
    target = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(_MIGRATED[key]) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()


def run_python(env: dict[str, str], script: str) -> dict:
    """Run `script` in `manage.py shell`; it prints one JSON object, which is returned."""
    done = manage(env, "shell", "-c", script)
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, log: Path) -> Iterator[str]:
    """Serve the site with gunicorn; yields its base URL once it answers."""
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "aicommunity.wsgi",
                "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                "--timeout", "60", "--graceful-timeout", "5",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/robots.txt", timeout=10)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log}") from None
                time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
