"""deploy/systemd's units and deploy/aicommunity.env read as systemd reads them, and their
commands turned into what runs on this machine: /srv/aicommunity (the checkout on a host set
up by docs/deploy.md) is this checkout, its .venv/bin is the running interpreter's, `%H` is
a host name the test gives and `${NAME}` comes from the environment file."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
ENV_TEMPLATE = ROOT / "deploy" / "aicommunity.env"
INSTALL_DIR = "/srv/aicommunity"
ENV_FILE = "/etc/aicommunity/aicommunity.env"
SERVICES = (
    "aicommunity-web",
    "aicommunity-worker-generation",
    "aicommunity-worker",
    "aicommunity-beat",
)
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


@dataclass(frozen=True)
class Unit:
    name: str
    sections: dict[str, dict[str, str]]

    def get(self, section: str, key: str) -> str:
        return self.sections.get(section, {}).get(key, "")

    def variables(self) -> set[str]:
        """The `${NAME}`s its command line takes from the environment file."""
        return {a or b for a, b in _VARIABLE.findall(self.get("Service", "ExecStart"))}


def read_unit(name: str) -> Unit:
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for raw in (UNITS / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current[key.strip()] = value.strip()
    return Unit(name=name, sections=sections)


def read_env_file(path: Path = ENV_TEMPLATE) -> dict[str, str]:
    """KEY=value lines; a value in double quotes loses them (its backslashes stay, as in
    systemd's EnvironmentFile= and in a shell's `. file`)."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"not KEY=value: {raw!r}"
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[key] = value
    return values


def command(unit: Unit, env: dict[str, str], *, hostname: str) -> list[str]:
    """The unit's ExecStart as this machine runs it."""
    line = unit.get("Service", "ExecStart")
    line = line.replace("%H", hostname).replace("%%", "%")
    line = _VARIABLE.sub(lambda m: env[m.group(1) or m.group(2)], line)
    argv = shlex.split(line)
    venv_bin = f"{INSTALL_DIR}/.venv/bin/"
    assert argv[0].startswith(venv_bin), f"{unit.name} runs {argv[0]}, not the release's .venv"
    program = Path(sys.executable).parent / argv[0].removeprefix(venv_bin)
    return [str(program), *(a.replace(INSTALL_DIR, str(ROOT)) for a in argv[1:])]


def production_env(base: Path, **overrides: str) -> dict[str, str]:
    """deploy/aicommunity.env as an operator fills it in, on this machine: fresh secrets, the
    test's folders, plain HTTP on loopback (docs/deploy.md puts TLS in front), the offline
    provider; then `overrides`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (base / "metrics").mkdir(parents=True, exist_ok=True)
    values = read_env_file()
    values.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        JWT_PRIVATE_KEY=key.decode().replace("\n", "\\n"),
        MEDIA_ROOT=str(base / "media"),
        STATIC_ROOT=str(base / "staticfiles"),
        CACHE_DIR=str(base / "cache"),
        PROMETHEUS_MULTIPROC_DIR=str(base / "metrics"),
        PAGE_CACHE_LOCAL_FILE=str(base / "page-changes"),
        BEAT_SCHEDULE_FILE=str(base / "celerybeat-schedule"),
        AI_PROVIDER="offline",
        EMAIL_HOST="",
        DEFAULT_FROM_EMAIL="noreply@example.com",
        **overrides,
    )
    inherited = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "CI")}
    return {**inherited, **values, "PYTHONDONTWRITEBYTECODE": "1"}
