"""A NUL character in a request's path or in a name it looks up answers 404 (or an empty
list), never a 500: PostgreSQL cannot hold or compare one (found by the contract fuzz)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

PATHS_404 = [
    "/user/%00",
    "/user/%00/collections",
    "/user/%00/collections/x",
    "/user/a%00b/collections/c%00d",
    "/user/ada/collections/c%00d/feed.atom",
    "/user/%00/followers",
    "/user/%00/following",
    "/user/%00/feed.atom",
    "/tag/%00",
    "/tag/sun%00set/feed.atom",
    "/api/tags/%00/artworks",
    "/api/collections?username=%00f",
    "/artwork/1/a%00b",
]


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
@pytest.mark.parametrize("path", PATHS_404)
def test_a_nul_names_nothing(path, signed_in):
    member = UserFactory(username="ada")
    PublishedArtworkFactory(user=member)
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(member)
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)


def test_tag_suggestions_for_a_nul_are_none(client):
    response = client.get("/api/tags", {"prefix": "\x00sun"})
    assert response.status_code == 200
    assert response.json()["items"] == []
