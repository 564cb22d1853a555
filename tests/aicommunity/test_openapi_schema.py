"""GET /api/openapi.json: built once per process for each path prefix and language, and what
is served is what ninja would build afresh."""

from __future__ import annotations

import json

import ninja.main
import pytest
from django.utils import translation
from ninja import NinjaAPI

from aicommunity.api import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """Count ninja's schema builds, starting from none kept."""
    monkeypatch.setattr(api, "_schemas", {})
    counted = []
    build = ninja.main.get_schema

    def counting(**kwargs):
        counted.append(kwargs["path_prefix"])
        return build(**kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counting)
    return counted


def test_served_schema_is_built_once_and_is_ninjas_own(client, builds):
    first = client.get("/api/openapi.json")
    second = client.get("/api/openapi.json")
    assert first.status_code == second.status_code == 200
    assert builds == ["/api/"]
    fresh = NinjaAPI.get_openapi_schema(api, path_prefix="/api/")
    assert (
        json.loads(first.content)
        == json.loads(second.content)
        == json.loads(json.dumps(fresh, default=str))
    )


def test_each_prefix_and_language_has_its_own(builds):
    assert api.get_openapi_schema(path_prefix="/api/") is api.get_openapi_schema()
    assert api.get_openapi_schema(path_prefix="/other/") is not api.get_openapi_schema()
    with translation.override("zh-hans"):
        chinese = api.get_openapi_schema()
    assert chinese is not api.get_openapi_schema()
    assert builds == ["/api/", "/other/", "/api/"]
