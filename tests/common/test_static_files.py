"""Static files: hashed names for long caching (whitenoise's manifest storage) and the
vendored htmx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_gives_hashed_compressed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())["paths"]
    for name in ("css/app.css", "js/app.js", "js/htmx.min.js", "img/og-default.png"):
        hashed = manifest[name]
        assert hashed != name and (settings.STATIC_ROOT / hashed).exists()
    assert (settings.STATIC_ROOT / (manifest["css/app.css"] + ".gz")).exists()


def test_with_debug_off_static_files_are_hashed_and_cached_for_a_year():
    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "aicommunity.settings"}
    env.pop("DJANGO_ENV", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.WHITENOISE_MAX_AGE, s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "31536000",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_vendored_htmx_matches_the_pinned_package():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["devDependencies"]["htmx.org"] == "2.0.11"
    vendored = (ROOT / "static/js/htmx.min.js").read_bytes()
    assert vendored.startswith(b"var htmx=function()")
    installed = ROOT / "node_modules/htmx.org/dist/htmx.min.js"
    if installed.exists():
        assert installed.read_bytes() == vendored


def test_favicon_ico_is_the_site_icon_served_before_the_pages(client, settings):
    settings.WHITENOISE_MAX_AGE = 31536000
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert "max-age=31536000" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body == (ROOT / "static/root/favicon.ico").read_bytes()
    assert body.startswith(b"\x00\x00\x01\x00")  # an ICO file, not the SVG under another name
