"""A fresh web worker compiles every template before its first request (common/warmup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

COUNT = """
import json, aicommunity.wsgi
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps(sorted(loader.get_template_cache)))
"""


def _project_templates() -> set[str]:
    root = Path(settings.BASE_DIR) / "templates"
    return {p.relative_to(root).as_posix() for p in root.rglob("*.html")}


def _at_start(script: str, *, warm: bool) -> set[str]:
    """What `script` prints (a JSON list) in a fresh process that loaded the WSGI app."""
    env = {**os.environ, "WARM_UP_ON_START": "true" if warm else "false", "DEBUG": "false"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_a_fresh_worker_has_every_template_compiled_before_its_first_request():
    assert _project_templates() <= _at_start(COUNT, warm=True)


def test_without_it_nothing_is_compiled_until_asked():
    assert not _project_templates() & _at_start(COUNT, warm=False)


REVERSE_TABLES = """
import json, aicommunity.wsgi
from django.urls import get_resolver
print(json.dumps(sorted(get_resolver()._reverse_dict)))
"""


def test_a_fresh_worker_can_reverse_urls_in_every_language_without_building_tables():
    """reverse() builds its tables per language on first use (a tenth of a second each, and
    most of a cold page's time when a page was the first to ask)."""
    languages = {code for code, _name in settings.LANGUAGES}
    assert languages <= _at_start(REVERSE_TABLES, warm=True)
    assert not languages & _at_start(REVERSE_TABLES, warm=False)
