"""The database: a SQLite file by default, `DATABASE_URL` (PostgreSQL) in production."""

from __future__ import annotations

from .base import BASE_DIR, env

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work at once; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not memory, so a real Celery worker process can share the database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
    # Django's, with the writers of every process taking turns without SQLite's long sleeps.
    DATABASES["default"]["ENGINE"] = "common.db_backends.sqlite3"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that looks at the socket instead of a round trip.
    DATABASES["default"]["ENGINE"] = "common.db_backends.postgresql"
    # A server that accepts the connection and says nothing (a host gone dark, a partition)
    # holds a connect for psycopg's 130 s: every page, and /healthz, would hang until
    # gunicorn kills its worker instead of failing (503) at once. A `connect_timeout` in
    # DATABASE_URL's query wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # Statements asked to be prepared (a like's, through the backend's prepared_cursor) are
    # parsed and planned once per connection; no other statement is (psycopg prepares one only
    # when asked or after this many runs, and Django's cursors never prepare). False: none is
    # (PgBouncer before 1.21 in transaction mode, which cannot keep them).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
    # Every statement of the site reads or writes one page's worth of rows: the planner's
    # parallel workers cost more to start than such a walk (a search's p99 over 100,000
    # artworks went from 138 ms to 36 ms without them: docs/capacity.md). Set per connection
    # (libpq `options`); empty leaves the server's setting (PgBouncer in transaction mode
    # refuses startup options unless told to ignore them).
    workers = env.str("DATABASE_PARALLEL_WORKERS_PER_GATHER", default="0")
    if workers:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c max_parallel_workers_per_gather={int(workers)}"
        )
# Persistent connections with health checks (put PgBouncer in front of PostgreSQL for many web
# hosts). SQLite too: opening the file, its pragmas and Django's functions on every request
# cost more than a signed-in page served from the cache.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Likes and favorites on PostgreSQL commit without waiting for the write-ahead log to reach
# the disk (`synchronous_commit = off` for that transaction alone): a reaction is small and
# frequent, and the wait for the flush was most of its time. A crash of the database server
# can lose the last moments of reactions (at most three times `wal_writer_delay`, 0.6 s by
# default), never corrupt or half-apply one; the periodic reconcile task (or `manage.py
# rebuild_redis`) brings Redis's counts back in line. True: every reaction waits for the
# disk like every other write.
REACTIONS_SYNCHRONOUS_COMMIT = env.bool("REACTIONS_SYNCHRONOUS_COMMIT", default=False)
