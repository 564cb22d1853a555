"""Translations in production: the compiled catalog is served, and production refuses to
start without it (common.checks, `common.E001`)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from common.checks import compiled_catalogs, refuse_to_start_unless_ready
from tests.common.test_settings import JWT_KEY, STRONG_KEY
from tests.site_process import ROOT, gunicorn, manage, site_env


def production_env(folder, **overrides: str) -> dict[str, str]:
    return site_env(
        folder,
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        JWT_PRIVATE_KEY=JWT_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        **overrides,
    )


def test_the_check_passes_with_the_compiled_catalog(settings):
    settings.PRODUCTION = True
    assert compiled_catalogs() == []
    refuse_to_start_unless_ready()


def test_the_check_fails_when_an_enabled_language_has_no_catalog(settings, tmp_path):
    settings.PRODUCTION = True
    settings.LOCALE_PATHS = [tmp_path]
    (tmp_path / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po").write_text("")  # not compiled
    errors = compiled_catalogs()
    assert [e.id for e in errors] == ["common.E001"]
    assert "'zh-hans'" in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match=r"common\.E001"):
        refuse_to_start_unless_ready()
    # The source language needs no catalog; a second enabled language needs its own.
    settings.LANGUAGES = [("en", "English")]
    assert compiled_catalogs() == []
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "中文"), ("fr", "Français")]
    assert len(compiled_catalogs()) == 2


def test_development_compiles_its_own_catalogs_and_is_not_refused(settings, tmp_path):
    settings.PRODUCTION = False
    settings.LOCALE_PATHS = [tmp_path]
    assert compiled_catalogs() == []


# Its processes get the embedded defaults of their own (site_env), never the pass's database or
# Redis: the same in both passes.
@pytest.mark.once
def test_production_processes_refuse_to_start_without_the_catalog(tmp_path):
    """`manage.py check` (and every command), the WSGI application gunicorn imports, and a
    Celery worker's start all refuse."""
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="tests.deploy.no_catalog_settings",
        NO_CATALOG_DIR=str(tmp_path / "empty"),
    )
    checked = manage(env, "check", check=False)
    assert checked.returncode != 0
    assert "common.E001" in checked.stderr
    # One process tries both other entry points (each must refuse on its own).
    started = subprocess.run(
        [sys.executable, "-c", STARTS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert started.stdout.split() == ["refused:wsgi", "refused:celery"], started.stderr[-2000:]


STARTS = """
from django.core.exceptions import ImproperlyConfigured
try:
    import aicommunity.wsgi
except ImproperlyConfigured as exc:
    print("refused:wsgi" if "common.E001" in str(exc) else exc)
from aicommunity.celery import check_before_start
try:
    check_before_start()
except ImproperlyConfigured as exc:
    print("refused:celery" if "common.E001" in str(exc) else exc)
"""


@pytest.mark.slow
def test_production_serves_the_chinese_pages(tmp_path):
    env = production_env(tmp_path, STATIC_ROOT=str(tmp_path / "static"))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    with gunicorn(env, workers=1, log=tmp_path / "gunicorn.log") as base:
        chinese = requests.get(f"{base}/?lang=zh-hans", timeout=30)
        english = requests.get(f"{base}/", timeout=30)
    assert chinese.status_code == english.status_code == 200
    assert 'lang="zh-hans"' in chinese.text
    assert "登录" in chinese.text  # "Sign in"
    assert "Sign in" not in chinese.text
    assert "Sign in" in english.text
