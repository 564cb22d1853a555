"""Django's PostgreSQL backend with a health check that costs no round trip.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django asks PostgreSQL
`SELECT 1` before the first query of every request: a round trip per request, as much as the
query a cached signed-in page needs. An idle connection has nothing to read, so here the check
looks at the socket first: a closed or broken connection is unusable at once; when the
server has sent something unasked (it is closing the connection, after a restart or a
`pg_terminate_backend`, or a notification) the check asks with `SELECT 1` as Django does;
otherwise the connection is usable. A server that vanished without a word (a network cut)
is found by the query itself, as with Django's own check between its SELECT 1 and the query.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
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
