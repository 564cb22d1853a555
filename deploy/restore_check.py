"""Prove a backup restores: load a PostgreSQL dump (`pg_dump -Fc`, what deploy/backup.sh
writes) into a fresh database, bring it to this release's schema, run `check --deploy`, and
serve the main pages and API from it.

    .venv/bin/python deploy/restore_check.py /var/backups/aicommunity/aicommunity-….dump

With the production environment loaded (DATABASE_URL names the server; the check's own
database is RESTORE_CHECK_DATABASE, default `aicommunity_restore_check`, dropped and created
afresh, and dropped again at the end unless --keep). It never touches DATABASE_URL's own
database, nor the live site's Redis, broker or metrics (a cache folder of its own instead).
Prints what it found (rows per table of the site) and exits non-zero on the first failure.
tests/deploy/test_restore.py runs it in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
SMOKE = """
import json
from django.conf import settings
from django.test import Client
from accounts.models import User
from artworks.models import Artwork, Favorite, Like

host = settings.ALLOWED_HOSTS[0].lstrip(".") if settings.ALLOWED_HOSTS else "localhost"
client = Client(HTTP_HOST=host)
secure = settings.SECURE_SSL_REDIRECT
answers = {}
for path in ("/healthz", "/", "/feed", "/feed?tab=new", "/api/feed", "/sitemap.xml", "/robots.txt"):
    answers[path] = client.get(path, secure=secure).status_code
artwork = Artwork.objects.filter(status="published", moderation="visible").first()
if artwork is not None:
    answers["artwork page"] = client.get(artwork.get_absolute_url(), secure=secure).status_code
    answers["artwork api"] = client.get(f"/api/artworks/{artwork.pk}", secure=secure).status_code
    answers["profile"] = client.get(artwork.user.get_absolute_url(), secure=secure).status_code
print(json.dumps({
    "answers": answers,
    "rows": {
        "users": User.objects.count(),
        "artworks": Artwork.objects.count(),
        "likes": Like.objects.count(),
        "favorites": Favorite.objects.count(),
    },
}))
"""


def _server_and_database(url: str, name: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL, not {parsed.scheme!r}")
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"RESTORE_CHECK_DATABASE must be letters, digits and _: {name!r}")
    if parsed.path.lstrip("/") == name:
        raise SystemExit("RESTORE_CHECK_DATABASE must not be the site's own database")
    server = urlunparse(parsed._replace(path="/postgres"))
    return server, urlunparse(parsed._replace(path=f"/{name}"))


def _apart_from_the_live_site(restored: str, scratch: str) -> dict[str, str]:
    """The production environment on the restored database, without the live site's shared
    services: its Redis (the page cache would keep pages rendered from the backup under the
    live site's versions, and serve them to its visitors; the feed index would be "repaired"
    from old rows), its broker (tasks about the backup's rows for the live workers) and its
    metrics folder (these requests counted as the site's). A cache folder of its own instead;
    tasks run in-process."""
    env = {**os.environ, "DATABASE_URL": restored, "REDIS_URL": "", "CELERY_BROKER_URL": ""}
    env["CACHE_DIR"] = str(Path(scratch) / "cache")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def _run(*argv: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(
            f"{' '.join(argv[:3])} … failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", type=Path, help="a pg_dump custom-format file")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args()
    if not args.dump.is_file():
        raise SystemExit(f"no such dump: {args.dump}")
    name = os.environ.get("RESTORE_CHECK_DATABASE", "aicommunity_restore_check")
    server, restored = _server_and_database(os.environ["DATABASE_URL"], name)
    _run("psql", server, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _run("psql", server, "-qc", f'CREATE DATABASE "{name}"')
    scratch = tempfile.mkdtemp(prefix="restore-check-")
    try:
        _run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            restored,
            str(args.dump),
        )
        env = _apart_from_the_live_site(restored, scratch)
        python = sys.executable
        # The dump may be of an older release: bring it to this one's schema, as an upgrade does.
        print(_run(python, "manage.py", "migrate", "--noinput", env=env).strip() or "migrated")
        _run(python, "manage.py", "check", "--deploy", "--fail-level", "ERROR", env=env)
        print("check --deploy: no errors")
        found = json.loads(
            _run(python, "manage.py", "shell", "-c", SMOKE, env=env).splitlines()[-1]
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.keep:
            _run("psql", server, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(found, indent=2))
    failed = {path: status for path, status in found["answers"].items() if status != 200}
    if failed:
        print(f"smoke test failed: {failed}", file=sys.stderr)
        return 1
    print("restore check passed")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
