"""Health checks reported by /healthz. Each check returns a small dict and never raises.

The full report (exception text, backends, queue depths) is for staff only: an exception
message can name hosts, ports, users or paths, which the public has no business seeing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _timed(check: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result: dict[str, Any] = {"ok": True, **detail}
    except Exception as exc:  # a health check reports failures, it does not raise them
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def check_database() -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}

    return _timed(run)


def check_cache() -> dict[str, Any]:
    def run() -> dict[str, Any]:
        key = f"healthz:{uuid.uuid4().hex}"
        cache.set(key, "1", timeout=5)
        if cache.get(key) != "1":
            raise RuntimeError("cache did not return the value it was given")
        cache.delete(key)
        return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}

    return _timed(run)


def check_broker() -> dict[str, Any]:
    """Reachability of the Celery broker and the depth of each queue."""
    from aicommunity.celery import app

    def run() -> dict[str, Any]:
        depths: dict[str, int] = {}
        with app.connection_for_write() as conn:
            # One attempt: a dead broker must not hold the health check for seconds.
            conn.ensure_connection(max_retries=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
            with conn.channel() as channel:
                for queue in settings.CELERY_QUEUES_ALL:
                    try:
                        depths[queue] = channel.queue_declare(queue=queue, passive=True)[1]
                    except Exception:  # a queue nobody has used yet does not exist: empty
                        depths[queue] = 0
        return {"transport": conn.transport_cls, "queues": depths}

    return _timed(run)


def health_report() -> tuple[bool, dict[str, Any]]:
    """(healthy, report). Only the database is essential: without it nothing works."""
    checks = {"database": check_database(), "cache": check_cache()}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker()
    healthy = checks["database"]["ok"]
    status = "ok" if all(c["ok"] for c in checks.values()) else ("degraded" if healthy else "down")
    return healthy, {"status": status, "checks": checks}


def health_summary(report: dict[str, Any]) -> dict[str, Any]:
    """What the public may see of a report: the overall status and ok/failing per check."""
    return {
        "status": report["status"],
        "checks": {name: {"ok": check["ok"]} for name, check in report["checks"].items()},
    }
