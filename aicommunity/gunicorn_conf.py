"""gunicorn's hooks for the metrics (`gunicorn -c python:aicommunity.gunicorn_conf ...`).

With PROMETHEUS_MULTIPROC_DIR set, every process (each gunicorn worker, each Celery worker
process of this host) keeps its metrics in a file of that folder, named after its pid, and
/metrics adds them up (common/observability/exposition.py). When gunicorn starts, the files
of processes that no longer run are removed (a live Celery worker sharing the folder keeps
its own); when a worker exits, its live gauges are dropped."""

from __future__ import annotations

import os
import re
from pathlib import Path

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
