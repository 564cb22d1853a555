"""Run real Celery worker processes against a real Redis broker, sharing the test database
and media folder with the test process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from aicommunity.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
TEST_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")


def database_url() -> str:
    """The URL of the test database this process is using, for a worker process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def use_broker(url: str | None) -> None:
    """Point this process's Celery app at `url` (None: back to in-process execution)."""
    celery_app.conf.task_always_eager = url is None
    celery_app.conf.broker_url = url or "memory://"
    # Drop every cached connection and producer so the next send uses the new URL.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def purge_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def celery_env(*, media_root: Path, visibility_timeout: int = 3600, **extra: str) -> dict:
    """The environment of a worker or beat process: the test's database, media and broker."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aicommunity.settings",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        **extra,
    }


@contextmanager
def celery_worker(
    *,
    media_root: Path,
    visibility_timeout: int = 3600,
    name: str = "w1",
    queues: str | None = None,
    env: dict[str, str] | None = None,
):
    """A solo worker on `queues` (default: every queue); `env` adds to its environment."""
    env = celery_env(media_root=media_root, visibility_timeout=visibility_timeout, **(env or {}))
    log = open(media_root.parent / f"celery-{name}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "aicommunity", "worker",
            "--pool", "solo", "--concurrency", "1", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-Q", queues or ",".join(settings.CELERY_QUEUES_ALL),
            "-n", f"{name}@%h", "--loglevel", "INFO",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)
        log.close()


@contextmanager
def celery_beat(*, media_root: Path, name: str = "beat", env: dict[str, str] | None = None):
    """A beat process as the Procfile starts it (the settings' scheduler), its schedule file
    in the test's folder."""
    env = celery_env(
        media_root=media_root,
        BEAT_SCHEDULE_FILE=str(media_root.parent / f"{name}-schedule"),
        **(env or {}),
    )
    log = open(media_root.parent / f"celery-{name}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "aicommunity", "beat", "--loglevel", "INFO",
         "--max-interval", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
