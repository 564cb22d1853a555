from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["ok"] is False
    assert "connection refused" in body["checks"]["database"]["error"]


def test_healthz_stays_up_when_only_the_cache_fails(client):
    with mock.patch("common.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
