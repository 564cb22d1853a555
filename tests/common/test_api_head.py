"""HEAD on the JSON API answers as GET does, without a body; methods an operation does not
take are still 405."""

from __future__ import annotations

import pytest

from accounts.tokens import token_pair_issue
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

_SAME_HEADERS = ("Content-Type", "Cache-Control", "ETag", "Vary", "Content-Language")


def _bearer(member) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


@pytest.mark.parametrize("member", [False, True], ids=["anonymous", "bearer"])
@pytest.mark.parametrize(
    "path",
    ["/api/feed", "/api/feed?sort=new", "/api/artworks/{pk}", "/api/users/{user}/artworks"],
)
def test_head_answers_as_get_without_a_body(client, path, member):
    artwork = PublishedArtworkFactory()
    path = path.format(pk=artwork.pk, user=artwork.user_id)
    headers = _bearer(UserFactory()) if member else {}
    got = client.get(path, **headers)
    head = client.head(path, **headers)
    assert got.status_code == 200, got.content
    assert head.status_code == 200
    assert head.content == b""
    for name in _SAME_HEADERS:
        assert head.get(name) == got.get(name), name


def test_head_of_a_missing_thing_is_the_same_404(client):
    head = client.head("/api/artworks/999999999")
    assert head.status_code == 404
    assert head["Content-Type"].startswith("application/json")


def test_a_write_only_operation_still_refuses_head(client):
    artwork = PublishedArtworkFactory()
    head = client.head(f"/api/artworks/{artwork.pk}/like", **_bearer(UserFactory()))
    assert head.status_code == 405
    assert "HEAD" not in head["Allow"]
    assert "POST" in head["Allow"]
