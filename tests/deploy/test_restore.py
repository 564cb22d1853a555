"""Backups restore: deploy/backup.sh dumps a production database (the demo community on
PostgreSQL) and copies its media; deploy/restore_check.py loads the dump into a fresh
database, migrates it, runs `check --deploy` and serves the main pages and API from it, with
every row there. A dump that is not one fails the check, and leaves no database behind."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.common.test_redis_outage import redis_server
from tests.conftest import require_service
from tests.deploy.units import ROOT, production_env
from tests.site_process import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def run(argv: list[str], env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-tAc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    require_service("PostgreSQL", PG_SERVER)
    base = tmp_path_factory.mktemp("backup")
    source = f"aic_backup_{uuid.uuid4().hex[:8]}"
    psql(f'CREATE DATABASE "{source}"')
    # The site's Redis (cache, feed index, broker): a server of the test's own.
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}"
    env = production_env(
        base,
        DATABASE_URL=f"{PG_SERVER}/{source}",
        BACKUP_DIR=str(base / "b"),
        REDIS_URL=f"{redis_url}/0",
        CELERY_BROKER_URL=f"{redis_url}/1",
    )
    env["RESTORE_CHECK_DATABASE"] = f"aic_restored_{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        stack.callback(psql, f'DROP DATABASE IF EXISTS "{source}" WITH (FORCE)')
        stack.enter_context(redis_server(port, base))
        yield from _backed_up(env, base)


def _backed_up(env: dict[str, str], base: Path) -> Iterator[tuple[dict[str, str], dict, Path]]:
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "seed_demo", "--artworks", "16"], env)
    # What the release on that host did (deploy/release.sh): the pages need the files.
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    rows = json.loads(
        run(
            [sys.executable, "manage.py", "shell", "-c", COUNTS],
            env,
        ).stdout.splitlines()[-1]
    )
    run(["bash", str(ROOT / "deploy" / "backup.sh")], env)
    yield env, rows, base


COUNTS = (
    "import json\n"
    "from accounts.models import User\n"
    "from artworks.models import Artwork, Favorite, Like\n"
    "print(json.dumps({'users': User.objects.count(), 'artworks': Artwork.objects.count(),"
    " 'likes': Like.objects.count(), 'favorites': Favorite.objects.count()}))\n"
)


def test_the_backup_holds_the_database_and_the_media(backup):
    _env, _rows, base = backup
    dumps = sorted((base / "b").glob("aicommunity-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 10_000
    assert not list((base / "b").glob("*.partial"))
    media = sorted(p.relative_to(base / "b" / "media") for p in (base / "b" / "media").rglob("*.*"))
    originals = sorted(p.relative_to(base / "media") for p in (base / "media").rglob("*.*"))
    assert media == originals and any(str(p).startswith("artworks/original/") for p in media)


def test_a_dump_restores_into_a_fresh_database_that_passes_the_checks_and_serves(backup):
    env, rows, base = backup
    dump = next((base / "b").glob("aicommunity-*.dump"))
    done = run([sys.executable, "deploy/restore_check.py", str(dump)], env)
    assert "restore check passed" in done.stdout
    report = json.loads(done.stdout[done.stdout.index("{") : done.stdout.rindex("}") + 1])
    assert report["rows"] == rows and rows["artworks"] > 0 and rows["likes"] > 0
    assert set(report["answers"].values()) == {200}
    assert "artwork page" in report["answers"]
    # The check's database is dropped afterwards; the site's own was never touched.
    assert not database_exists(env["RESTORE_CHECK_DATABASE"])


def test_a_file_that_is_not_a_dump_fails_and_leaves_no_database(backup, tmp_path: Path):
    env, _rows, _base = backup
    bogus = tmp_path / "not-a.dump"
    bogus.write_bytes(b"PGDMP" + b"\0" * 100)
    done = run([sys.executable, "deploy/restore_check.py", str(bogus)], env, check=False)
    assert done.returncode != 0
    assert "pg_restore" in done.stderr + done.stdout
    assert not database_exists(env["RESTORE_CHECK_DATABASE"])


def test_the_check_refuses_to_restore_over_the_sites_own_database(backup, tmp_path: Path):
    env, _rows, base = backup
    dump = next((base / "b").glob("aicommunity-*.dump"))
    own = env["DATABASE_URL"].rsplit("/", 1)[1]
    done = run(
        [sys.executable, "deploy/restore_check.py", str(dump)],
        {**env, "RESTORE_CHECK_DATABASE": own},
        check=False,
    )
    assert done.returncode != 0 and "must not be the site's own database" in done.stderr


def test_the_check_leaves_the_live_sites_redis_and_metrics_alone(backup):
    """The check runs with the production environment, whose REDIS_URL is the live site's: its
    pages, rendered from the backup, went into the live page cache under the live versions, so
    visitors were served the backup's titles and counts; its requests were counted in the live
    /metrics and its index repairs queued on the live broker."""
    import redis

    env, _rows, base = backup
    dump = next((base / "b").glob("aicommunity-*.dump"))
    port = int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
    live = [redis.Redis(port=port, db=db) for db in (0, 1)]
    for client in live:
        client.flushdb()
    metrics = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    for file in metrics.glob("*.db"):
        file.unlink()
    done = run([sys.executable, "deploy/restore_check.py", str(dump)], env)
    assert "restore check passed" in done.stdout
    assert [client.dbsize() for client in live] == [0, 0]
    assert list(metrics.glob("*.db")) == []
