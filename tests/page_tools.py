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
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
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


def sign_in(context, live_server_url: str, user) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server_url}]
    )


def run_axe(page, tags: list[str] = AXE_TAGS) -> list[str]:
    # Evaluated through the DevTools protocol, not added as a <script>: the page's
    # Content-Security-Policy (rightly) refuses an inline script without its nonce.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} → "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result["violations"]
    ]


# (viewport, colour scheme, run axe): axe runs in both themes, screenshots at both widths.
# Every page at phone and desktop width, in both themes (a screenshot of each); axe runs in
# one pass of each theme.
PASSES = [
    (PHONE, "light", True),
    (PHONE, "dark", False),
    (DESKTOP, "light", False),
    (DESKTOP, "dark", True),
]


def check_pages(browser, base: str, pages, *, user=None, lang: str | None = None) -> list[str]:
    """Load every (path, name, expected h1[, prepare]) page in each pass: visible header, h1
    and main, no axe violations, and a screenshot per width and theme.
    `prepare(page)`, when given, runs after the load (to submit a form, say) and the checks
    apply to the page it leaves. `lang` sets the language cookie, as the switcher does."""
    from django.conf import settings

    problems = []
    for viewport, scheme, with_axe in PASSES:
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        if user is not None:
            sign_in(context, base, user)
        if lang is not None:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base}]
            )
        page = context.new_page()
        for path, name, expect_h1, *prepare in pages:
            page.goto(base + path, wait_until="load")
            for step in prepare:
                step(page)
            assert page.locator("header.site-header").is_visible(), name
            assert page.locator("main#main").is_visible(), name
            heading = page.locator("h1").first
            assert heading.is_visible(), f"{name}: no visible h1"
            if expect_h1:
                assert expect_h1 in heading.inner_text(), f"{name}: h1 is {heading.inner_text()!r}"
            suffix = "-dark" if scheme == "dark" else ""
            page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}{suffix}.png"))
            if with_axe:
                problems += [f"{name} {viewport['width']}px {scheme}: {v}" for v in run_axe(page)]
        context.close()
    return problems


def submit_form(selector: str = "main form", **fill: str):
    """A `prepare` step for check_pages: fill fields (by name) and submit the form without the
    browser's own validation, so that the server's error messages show."""

    def submit(page) -> None:
        form = page.locator(selector).first
        for name, value in fill.items():
            form.locator(f'[name="{name}"]').fill(value)
        with page.expect_navigation(wait_until="load"):
            form.evaluate("f => { f.noValidate = true; f.requestSubmit(); }")

    return submit
