"""Several processes, one /metrics: with PROMETHEUS_MULTIPROC_DIR, what each process counted
(gunicorn workers, Celery workers) is added up, and gunicorn's start clears the files of
processes that are gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from aicommunity.gunicorn_conf import remove_dead_processes_files
from common.observability.exposition import metrics_text

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
from common.observability import metrics
metrics.REQUEST_LATENCY.labels("feed:feed").observe(0.004)
metrics.count_generation(provider="offline", outcome="done")
"""


def _run_child(directory: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, check=True, timeout=60)


def _samples(text: bytes) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text.decode())
        for s in family.samples
    }


@pytest.mark.slow
def test_every_process_counts_in_one_scrape(tmp_path, monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    _run_child(tmp_path)
    _run_child(tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = _samples(metrics_text())
    view = (("view", "feed:feed"),)
    assert samples[("aic_http_request_duration_seconds_count", view)] == 2
    outcome = (("outcome", "done"), ("provider", "offline"))
    assert samples[("aic_generations_total", outcome)] == 2
    # Both children have exited: a new gunicorn clears their files.
    assert list(tmp_path.glob("*.db"))
    remove_dead_processes_files(tmp_path)
    assert not list(tmp_path.glob("*.db"))


def test_the_files_of_running_processes_are_kept(tmp_path):
    mine = tmp_path / f"counter_{os.getpid()}.db"
    gone = tmp_path / "counter_999999999.db"
    mine.write_bytes(b"")
    gone.write_bytes(b"")
    assert remove_dead_processes_files(tmp_path) == [gone]
    assert mine.exists()
