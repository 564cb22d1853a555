"""Django's PostgreSQL backend with a health check that costs no round trip.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django asks PostgreSQL
`SELECT 1` before the first query of every request: a round trip per request, as much as the
query a cached signed-in page needs. An idle connection has nothing to read, so here the check
looks at the socket first: a closed or broken connection is unusable at once; when the
server has sent something unasked (it is closing the connection, after a restart or a
`pg_terminate_backend`, or a notification) the check asks with `SELECT 1` as Django does;
otherwise the connection is usable. A server that vanished without a word (a network cut)
is found by the query itself, as with Django's own check between its SELECT 1 and the query.

And a cursor whose statements are prepared (`prepared_cursor`), for the hottest writes.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base, operations
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from psycopg.pq import Format, TransactionStatus


class _PreparingCursor(psycopg.Cursor):
    """Values bound on the server, and every statement prepared on its connection the first
    time it runs (psycopg keeps up to `prepared_max` per connection, most recently used)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> _PreparingCursor:  # noqa: ANN401
        return super().execute(query, params, prepare=True, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str | None:  # noqa: ANN401
        # Django reads a server-binding cursor's query back from psycopg, which forgets a
        # prepared one's: spelled out with its values as Django does for its own cursors.
        if isinstance(cursor, _PreparingCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.DataError:
                return sql
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True

    def prepared_cursor(self) -> CursorWrapper:
        """A cursor (wrapped as Django wraps its own: errors, query logging) whose statements
        PostgreSQL parses and plans once per connection: for a statement run very often whose
        planning costs as much as running it (a like's). Its parameters are bound on the
        server, so one statement a call and `%s` placeholders only. Protocol-level prepared
        statements: PgBouncer keeps them in transaction mode from 1.21 on
        (`max_prepared_statements`)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = _PreparingCursor(self.connection)
            # As Django's create_cursor: the session's time zone where the connection's differs.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)
            if self.timezone != loader.timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
