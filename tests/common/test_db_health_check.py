"""PostgreSQL's per-request health check without a round trip (common/db_backends/postgresql):
a healthy idle connection is not asked SELECT 1, one the server has closed is found and
replaced before the request's first query fails on it."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


@pytest.fixture
def round_trip_checks(monkeypatch) -> list[int]:
    """Counts the health checks that asked the server (Django's own SELECT 1)."""
    asked: list[int] = []
    real = django_postgresql.DatabaseWrapper.is_usable

    def counted(self: django_postgresql.DatabaseWrapper) -> bool:
        asked.append(1)
        return real(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return asked


def _new_request_then_query() -> int:
    """What a request does: the health check is due again, then the first query runs."""
    connection.health_check_done = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_it_is_this_projects_backend_with_health_checks_on():
    assert type(connections["default"]).__module__ == "common.db_backends.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_connections_start_no_parallel_workers():
    """DATABASE_PARALLEL_WORKERS_PER_GATHER (0 by default) is each connection's setting."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def test_a_healthy_idle_connection_is_not_asked(round_trip_checks):
    first = _new_request_then_query()
    for _ in range(5):
        assert _new_request_then_query() == first  # the same connection, kept
    assert round_trip_checks == []


def test_a_connection_the_server_closed_is_replaced_before_the_first_query(round_trip_checks):
    victim = _new_request_then_query()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [victim])
    # Once the server's goodbye is on the socket, the check asks, finds it dead, reconnects.
    select.select([connection.connection.fileno()], [], [], 5)
    replacement = _new_request_then_query()
    assert replacement != victim
    assert round_trip_checks  # it asked, since the server had spoken
