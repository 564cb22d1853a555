"""The reaction routes' answers are rendered straight by the API's renderer (no second
validation of the body): each one still matches the schema its operation documents, in the
API's content type, for every outcome (liked, unliked, kept, let go, too many)."""

from __future__ import annotations

import pytest

from accounts.tokens import token_pair_issue
from aicommunity.api import api
from artworks.reactions_api import FavoriteOut, LikeOut
from common.api import ErrorOut
from tests.factories import PublishedArtworkFactory

pytestmark = pytest.mark.django_db


def _documented(path: str, method: str, status: int) -> dict:
    schema = api.get_openapi_schema(path_prefix="/api/")
    responses = schema["paths"][path][method]["responses"]
    return responses[status] if status in responses else responses[str(status)]


@pytest.mark.parametrize(
    ("method", "route", "model", "expected"),
    [
        ("post", "like", LikeOut, {"like_count": 1, "isLiked": True}),
        ("delete", "like", LikeOut, {"like_count": 0, "isLiked": False}),
        ("post", "favorite", FavoriteOut, {"is_favorite": True, "favorite_count": 1}),
        ("delete", "favorite", FavoriteOut, {"is_favorite": False, "favorite_count": 0}),
    ],
)
def test_each_answer_is_the_documented_body(client, user, method, route, model, expected):
    artwork = PublishedArtworkFactory()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=user).access_token}"}
    if method == "delete":  # there is something to take back
        client.post(f"/api/artworks/{artwork.pk}/{route}", **auth)
    response = getattr(client, method)(f"/api/artworks/{artwork.pk}/{route}", **auth)
    assert response.status_code == 200
    assert response["Content-Type"] == api.get_content_type()
    assert response.json() == expected
    assert model.model_validate(response.json()).model_dump() == expected
    documented = _documented("/api/artworks/{artwork_id}/" + route, method, 200)
    reference = documented["content"]["application/json"]["schema"]["$ref"]
    assert reference.endswith("/" + model.__name__)


def test_too_many_is_the_documented_error(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reaction": (1, 60)}
    artwork = PublishedArtworkFactory()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=user).access_token}"}
    assert client.post(f"/api/artworks/{artwork.pk}/like", **auth).status_code == 200
    response = client.delete(f"/api/artworks/{artwork.pk}/like", **auth)
    assert response.status_code == 429
    assert response["Content-Type"] == api.get_content_type()
    ErrorOut.model_validate(response.json())
    assert "try again" in response.json()["detail"]
    documented = _documented("/api/artworks/{artwork_id}/like", "delete", 429)
    assert documented["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_too_many_speaks_the_callers_language(client, user, settings):
    """The 429 of a like or a favorite was English to a caller asking for Chinese."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reaction": (1, 60)}
    artwork = PublishedArtworkFactory()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=user).access_token}"}
    assert client.post(f"/api/artworks/{artwork.pk}/like", **auth).status_code == 200
    for method in ("delete", "post"):
        response = getattr(client, method)(
            f"/api/artworks/{artwork.pk}/favorite", HTTP_ACCEPT_LANGUAGE="zh-hans", **auth
        )
        assert response.status_code == 429
        assert response.json() == {"detail": "操作过于频繁，请一分钟后再试。"}
