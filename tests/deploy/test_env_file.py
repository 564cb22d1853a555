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


def test_a_line_the_environment_file_leaves_empty_means_the_settings_default(tmp_path):
    """An operator fills in what they use and leaves the rest as shipped: an empty line must
    mean what leaving it out means. OPENAI_BASE_URL= made the OpenAI provider's address '' (so
    every generation of a site switched to AI_PROVIDER=openai failed), where its default is
    OpenAI's API."""
    import os

    from tests.common.test_settings import SETTINGS_DUMP
    from tests.deploy.units import ROOT, production_env

    env = production_env(tmp_path)
    empty = sorted(name for name, value in read_env_file().items() if value == "")
    assert empty, "the template leaves nothing empty: nothing to compare"

    def settings_with(values: dict[str, str]) -> dict:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETTINGS_DUMP],
            cwd=ROOT,
            env={**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}, **values},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.splitlines()[-1])

    shipped = settings_with(env)
    left_out = settings_with({k: v for k, v in env.items() if k not in empty or v != ""})
    differ = sorted(name for name in shipped if shipped[name] != left_out.get(name))
    assert differ == []
