"""The S3 backend and botocore (about 25 MB of each web worker's memory) load only where a
bucket is configured: a site that keeps its media on disk never imports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "import sys\n"
    "from aicommunity.wsgi import application\n"
    "from django.core.files.storage import storages\n"
    "from common.storage import is_private_bucket\n"
    "s = storages['default']\n"
    "print('botocore' in sys.modules, is_private_bucket(s), "
    "type(s).__name__)\n"
)


def _served_with(**env: str) -> list[str]:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "aicommunity.settings"}
    out = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()


def test_media_on_disk_never_loads_botocore():
    assert _served_with() == ["False", "False", "FileSystemStorage"]


def test_a_bucket_gets_the_private_backend():
    loaded, private, name = _served_with(
        S3_BUCKET="art", S3_ACCESS_KEY_ID="k", S3_SECRET_ACCESS_KEY="s"
    )
    assert (loaded, private, name) == ("True", "True", "PrivateS3Storage")
