"""The pieces a test needs to boot the deploy topology on this machine: a fresh PostgreSQL
database, an S3 bucket (moto), Redis databases of its own, a release (deploy/release.sh), the
systemd units' commands (tests/deploy/units.py), members with API tokens. Used by
tests/deploy/test_topology.py (one of each service) and tests/deploy/test_scale_out.py (two
web instances and two worker hosts)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.deploy.units import ROOT, command, read_unit

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
BUCKET = "aic-topology"
PASSWORD = "a-long-and-unusual-passphrase"


def _psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-qc", sql], check=True, capture_output=True)


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"aic_topology_{uuid.uuid4().hex[:8]}"
    _psql(f"{PG_SERVER}/postgres", f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _psql(f"{PG_SERVER}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def s3_bucket() -> Iterator[str]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET)
    try:
        yield endpoint
    finally:
        server.stop()


def flush_redis(*dbs: int) -> None:
    import redis

    for db in dbs:
        redis.Redis.from_url(f"{REDIS_SERVER}/{db}").flushdb()


def start(
    unit: str, env: dict[str, str], logs: Path, *, host: str = "topology", root: Path = ROOT
) -> subprocess.Popen:
    """The unit's ExecStart as written, run from `root` (the release's folder), its output in
    logs/<unit>[-<host>].log."""
    argv = command(read_unit(f"{unit}.service"), env, hostname=host)
    if root != ROOT:
        argv = [argv[0], *(a.replace(str(ROOT), str(root)) for a in argv[1:])]
    name = unit if host == "topology" else f"{unit}-{host}"
    with open(logs / f"{name}.log", "ab") as out:
        return subprocess.Popen(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)


def release(env: dict[str, str], *, root: Path = ROOT) -> None:
    """deploy/release.sh without its pip step (this interpreter has the requirements)."""
    done = subprocess.run(
        ["bash", str(root / "deploy" / "release.sh")],
        cwd=root,
        env={**env, "SKIP_INSTALL": "1", "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def member_token(env: dict[str, str], username: str) -> str:
    """A new member (verified email, PASSWORD) and an API access token for them."""
    script = (
        "from accounts.models import User\n"
        "from accounts.services import user_email_mark_verified\n"
        "from accounts.tokens import token_pair_issue\n"
        f"u = User.objects.create_user(username={username!r}, email={username!r} + '@example.com', "
        f"password={PASSWORD!r})\n"
        "user_email_mark_verified(user=u)\n"
        "print(token_pair_issue(user=u).access_token)\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def wait_until(
    predicate: Callable[[], bool], *, timeout: float, what: str, logs: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tails = "".join(
                f"\n--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
                for log in sorted(logs.glob("*.log") if logs else [])
            )
            pytest.fail(f"{what} did not happen within {timeout} s{tails}")
        time.sleep(0.2)


# Redis databases of the deploy tests' own (they run one module at a time): cache and index,
# and the broker.
REDIS_CACHE_DB, REDIS_BROKER_DB = 12, 13


def services_env(*, database: str, s3: str) -> dict[str, str]:
    """What the environment file says of the services, for this machine's: PostgreSQL,
    Redis (cache and index, broker), the moto bucket; one small slot per worker pool."""
    return {
        "DATABASE_URL": database,
        "REDIS_URL": f"{REDIS_SERVER}/{REDIS_CACHE_DB}",
        "CELERY_BROKER_URL": f"{REDIS_SERVER}/{REDIS_BROKER_DB}",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_ADDRESSING_STYLE": "path",
        "WEB_CONCURRENCY": "2",
        "WORKER_CONCURRENCY": "1",
        "GENERATION_CONCURRENCY": "1",
    }
