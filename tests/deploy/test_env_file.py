"""deploy/aicommunity.env is read two ways: by systemd (EnvironmentFile= in the units) and by
bash, in every command of docs/deploy.md and docs/operations.md
(`set -a; . /etc/aicommunity/aicommunity.env; set +a; …`). Both must see the same values."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.deploy.units import ENV_TEMPLATE, read_env_file


def test_bash_sources_the_environment_file_as_systemd_reads_it():
    if not shutil.which("bash"):
        pytest.skip("bash is not installed")
    expected = read_env_file()
    dump = "import json, os, sys; print(json.dumps({k: os.environ.get(k) for k in sys.argv[1:]}))"
    script = f'set -a; . "$1"; set +a; exec "$2" -c \'{dump}\' ' + " ".join(expected)
    result = subprocess.run(
        ["bash", "-c", script, "bash", str(ENV_TEMPLATE), sys.executable],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stderr == ""
    assert json.loads(result.stdout) == expected
