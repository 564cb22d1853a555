"""Page test tools outside Python: the Nu HTML checker (vnu.jar on Java), axe-core and Debian's
Chromium. `scripts/test_setup.sh` (run by `make test`) installs them; here they are located,
installed if still missing, and a test fails in CI (skips elsewhere) when one cannot be had."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it (make test runs scripts/test_setup.sh)")
    pytest.skip(message)


def ensure_npm_tools() -> None:
    if VNU_JAR.exists() and AXE_JS.exists():
        return
    npm = shutil.which("npm")
    if npm:
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=False,
            timeout=300,
        )
    if not (VNU_JAR.exists() and AXE_JS.exists()):
        unavailable("node_modules/vnu-jar and axe-core are missing and npm ci could not add them")


def validate_html(documents: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    """Run the Nu HTML checker once over every document; {name: [error, ...]} for failures."""
    ensure_npm_tools()
    java = shutil.which("java")
    if not java:
        unavailable("java is not installed (needed by the Nu HTML checker)")
    files = {}
    for index, (name, html) in enumerate(documents.items()):
        path = tmp_path / f"page{index}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri()] = name
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            *map(str, tmp_path.glob("page*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors: dict[str, list[str]] = {}
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        name = files.get(message.get("url", ""), message.get("url", "?"))
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message.get('message')} "
            f"[{(message.get('extract') or '').strip()[:120]}]"
        )
    return errors
