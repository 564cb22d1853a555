"""gunicorn's hooks for the metrics, and its own lines in the site's log format
(`gunicorn -c python:aicommunity.gunicorn_conf ...`).

With PROMETHEUS_MULTIPROC_DIR set, every process (each gunicorn worker, each Celery worker
process of this host) keeps its metrics in a file of that folder, named after its pid, and
/metrics adds them up (common/observability/exposition.py). When gunicorn starts, the files
of processes that no longer run are removed (a live Celery worker sharing the folder keeps
its own); when a worker exits, its live gauges are dropped."""

from __future__ import annotations

import os
import re
from pathlib import Path

from gunicorn.glogging import Logger

from common.observability.logs import formatter

_PID = re.compile(r"_(\d+)\.db$")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_processes_files(directory: Path) -> list[Path]:
    """Delete the metric files of processes that are gone; the ones deleted."""
    removed = []
    for path in directory.glob("*.db"):
        match = _PID.search(path.name)
        if match and not _running(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def on_starting(server: object) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        remove_dead_processes_files(Path(directory))


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


class SiteLogger(Logger):
    """gunicorn's own lines (its start, workers booting, timeouts) formatted as the site's
    (LOG_FORMAT, read as aicommunity/settings/observability.py reads it): with json, every
    line of the web service's journal is one JSON object. Its access log stays off."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        production = os.environ.get("DJANGO_ENV") == "production"
        fmt = os.environ.get("LOG_FORMAT") or ("json" if production else "console")
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter(fmt))


logger_class = SiteLogger
