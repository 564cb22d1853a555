"""Compare every UPPERCASE setting of a git revision with the working tree's, under several
sets of environment variables.

    .venv/bin/python scripts/settings_diff.py            # against main
    .venv/bin/python scripts/settings_diff.py --base HEAD~1

Each side is imported in a fresh process with only the given variables set (no inherited
DATABASE_URL or REDIS_URL); the revision's `aicommunity/` and `common/` are extracted to a
temporary folder that holds this checkout's `.jwt-dev-key.pem`, so the development key is the
same on both sides. Paths below either root are written relative to it, values are compared
as JSON, and a refusal to start is compared by its message. Prints each difference and exits
1 if there is one; prints nothing else but a summary line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The combinations the tests, the Makefile, the Procfile and README use.
_PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "aB9$xZ2!qW7@eR4#tY6%uI8^oP0&" * 2,
    "ALLOWED_HOSTS": "art.example.com,www.art.example.com",
    "SITE_URL": "https://art.example.com",
}
_SERVICES = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/aicommunity",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
_BUCKET = {
    "S3_BUCKET": "art",
    "S3_ENDPOINT_URL": "https://account.r2.cloudflarestorage.com",
    "S3_ACCESS_KEY_ID": "id",
    "S3_SECRET_ACCESS_KEY": "secret",
}
COMBINATIONS: dict[str, dict[str, str]] = {
    "embedded defaults": {},
    "database + redis": _SERVICES,
    "database + redis + broker": {**_SERVICES, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"},
    "broker without redis": {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"},
    "sqlite database url": {"DATABASE_URL": "sqlite:////tmp/other.sqlite3"},
    "bucket": {**_SERVICES, **_BUCKET},
    "bucket, virtual hosts": {**_BUCKET, "S3_ADDRESSING_STYLE": "virtual"},
    "bucket on aws": {"S3_BUCKET": "art", "S3_REGION": "eu-west-1"},
    "absolute media url + extra origins": {
        "MEDIA_URL": "https://cdn.example.com/media/",
        "CSP_EXTRA_MEDIA_ORIGINS": "https://a.example.com,https://cdn.example.com",
    },
    "debug off": {"DEBUG": "false", "SECRET_KEY": _PRODUCTION["SECRET_KEY"]},
    "behind one proxy": {"TRUSTED_PROXY_COUNT": "1"},
    "google + smtp": {
        "GOOGLE_CLIENT_ID": "client.apps.googleusercontent.com",
        "GOOGLE_CLIENT_SECRET": "s",
        "EMAIL_HOST": "smtp.example.com",
    },
    "tunables": {
        "PAGE_CACHE_SECONDS": "0",
        "GENERATION_IN_BACKGROUND_THREAD": "false",
        "REDIS_RECONCILE_SECONDS": "60",
        "CACHE_DIR": "/srv/aic-cache",
        "LOG_LEVEL": "DEBUG",
        "AI_PROVIDER": "openai",
    },
    "production": {**_PRODUCTION, "JWT_PRIVATE_KEY": "@jwt"},
    "production, all services": {
        **_PRODUCTION,
        **_SERVICES,
        **_BUCKET,
        "JWT_PRIVATE_KEY": "@jwt",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "TRUSTED_PROXY_COUNT": "1",
        "CSRF_TRUSTED_ORIGINS": "https://art.example.com",
        "SECURE_SSL_REDIRECT": "false",
    },
    "refused: bad DJANGO_ENV": {"DJANGO_ENV": "staging"},
    "refused: production without a key": {"DJANGO_ENV": "production"},
    "refused: production without hosts": {
        "DJANGO_ENV": "production",
        "SECRET_KEY": _PRODUCTION["SECRET_KEY"],
    },
    "refused: production without a JWT key": _PRODUCTION,
    "refused: S3_PUBLIC_DOMAIN": {"S3_PUBLIC_DOMAIN": "media.example.com"},
    "refused: negative proxy count": {"TRUSTED_PROXY_COUNT": "-1"},
}

# Run in the child: import the settings module, print its UPPERCASE settings as JSON.
_CHILD = r"""
import importlib, json, pathlib, sys
from django.utils.functional import Promise

root = sys.argv[1]

def plain(value):
    if isinstance(value, dict):
        return {"dict": sorted([repr(k), plain(v)] for k, v in value.items())}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        if isinstance(value, (set, frozenset)):
            items.sort(key=repr)
        return {type(value).__name__: items}
    if isinstance(value, Promise):
        return {"lazy": [plain(a) for a in value._args]}
    if isinstance(value, pathlib.PurePath):
        return {"path": plain(str(value))}
    if isinstance(value, str):
        return value.replace(root, "<root>")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "__qualname__"):  # a class or a function: by name
        return {"object": f"{value.__module__}.{value.__qualname__}"}
    if hasattr(value, "__dict__"):
        return {type(value).__name__: plain(vars(value))}
    return {type(value).__name__: plain(repr(value))}

try:
    module = importlib.import_module("aicommunity.settings")
except Exception as error:
    print(json.dumps({"refused": f"{type(error).__name__}: {error}"}))
else:
    names = sorted(n for n in dir(module) if n.isupper())
    print(json.dumps({n: plain(getattr(module, n)) for n in names}))
"""


def _settings(root: Path, variables: dict[str, str], jwt_key: str) -> dict[str, object]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "PYTHONPATH": str(root)}
    env.update({k: jwt_key if v == "@jwt" else v for k, v in variables.items()})
    command = [sys.executable, "-c", _CHILD, str(root)]  # our own interpreter and code
    out = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)  # noqa: S603
    if out.returncode != 0:
        raise SystemExit(f"{root}: {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _extract(base: str, into: Path) -> None:
    archive = subprocess.run(  # noqa: S603 (git, with a revision given by its user)
        ["git", "archive", base, "aicommunity", "common"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)  # noqa: S603, S607
    shutil.copy(ROOT / ".jwt-dev-key.pem", into / ".jwt-dev-key.pem")
    if (ROOT / ".env").exists():
        shutil.copy(ROOT / ".env", into / ".env")


def _differences(before: dict[str, object], after: dict[str, object]) -> list[str]:
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if before.get(name, "<unset>") != after.get(name, "<unset>"):
            lines.append(f"  {name}:\n    before {before.get(name, '<unset>')}")
            lines.append(f"    after  {after.get(name, '<unset>')}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="the git revision to compare with")
    arguments = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from aicommunity.jwt_keys import development_private_key, generate_private_key_pem

    development_private_key(ROOT / ".jwt-dev-key.pem")
    jwt_key = generate_private_key_pem()
    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        base_root = Path(folder)
        _extract(arguments.base, base_root)
        for label, variables in COMBINATIONS.items():
            lines = _differences(
                _settings(base_root, variables, jwt_key), _settings(ROOT, variables, jwt_key)
            )
            if lines:
                failed += 1
                print(f"{label}:", *lines, sep="\n")
    print(f"{len(COMBINATIONS)} environments compared with {arguments.base}; {failed} differ.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
