"""The Makefile's targets as written: what `make prod` would run, read with `make -n`
(nothing is executed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(*args: str) -> str:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_prod_creates_the_database_its_url_names():
    script = _dry_run(
        "prod",
        "PROD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/other_site?sslmode=disable",
        "PROD_REDIS_URL=redis://127.0.0.1:6379/11",
    )
    create = script[script.index("createdb") : script.index("export DATABASE_URL")]
    assert "'other_site'" in create
    assert "--maintenance-db='postgres://postgres@127.0.0.1:5432/postgres'" in create
    assert "aicommunity" not in create
