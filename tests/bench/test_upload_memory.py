"""bench/upload_memory.py: the worst accepted upload of each kind, served in a fresh process,
peaks at 300 MB at most and leaves the process within 50 MB of where it started."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.upload_memory import CASES, PEAK_LIMIT_MB, RETURN_LIMIT_MB
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def measured():
    """One run of the bench over every case: each case is still served and measured in a
    fresh process of its own; the run's database is migrated once for all of them, not once
    per case. {case: result}, or the run's output when it failed."""
    if not Path("/usr/bin/time").exists():
        message = "GNU time (/usr/bin/time) is missing: scripts/test_setup.sh installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    cases = [arg for case in sorted(CASES) for arg in ("--case", case)]
    completed = subprocess.run(
        [sys.executable, "bench/upload_memory.py", *cases, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120 * len(CASES),
        check=False,
    )
    if not completed.stdout.strip():
        return completed.stderr[-3000:]
    return {result["case"]: result for result in json.loads(completed.stdout)}


@pytest.mark.slow
@pytest.mark.timeout(120 * len(CASES))
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_worst_accepted_upload_stays_within_memory_bounds(case, measured):
    assert isinstance(measured, dict), measured
    result = measured[case]
    assert result["status"] == result["expected_status"], result
    assert result["peak_mb"] <= PEAK_LIMIT_MB, result
    assert result["rss_after_mb"] - result["rss_before_mb"] <= RETURN_LIMIT_MB, result
    # The case really is the worst kind: a large upload, not a trivial one.
    assert result["peak_mb"] - result["rss_before_mb"] > 50, result
