"""Who first, then CSRF: an API write with no credentials is 401 JSON (sign in), and only a
signed-in session without a CSRF token is 403 JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.api_auth import CSRF_REFUSED
from aicommunity.api import api
from artworks.models import Like
from social.models import Collection, Comment
from tests.factories import PublishedArtworkFactory

pytestmark = pytest.mark.django_db

WRITES = [
    (method, path)
    for path, operations in api.get_openapi_schema()["paths"].items()
    for method, operation in operations.items()
    if method in {"post", "put", "patch", "delete"} and operation.get("security")
]


def test_every_authenticated_write_is_listed():
    # The table below must not be empty or shrink silently when routes are renamed.
    assert ("post", "/api/artworks/{artwork_id}/like") in WRITES
    assert ("delete", "/api/comments/{comment_id}") in WRITES
    assert len(WRITES) >= 10


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_an_anonymous_write_is_401_json_not_a_csrf_403(method, path):
    artwork = PublishedArtworkFactory()
    comment = Comment.objects.create(artwork=artwork, author=artwork.user, body="Mine.")
    collection = Collection.objects.create(owner=artwork.user, name="Mine", slug="mine")
    browser = Client(enforce_csrf_checks=True)
    for name, value in (
        ("{artwork_id}", artwork.pk),
        ("{user_id}", artwork.user_id),
        ("{comment_id}", comment.pk),
        ("{collection_id}", collection.pk),
    ):
        path = path.replace(name, str(value))
    response = getattr(browser, method)(path)
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Authentication required."}


def test_a_signed_in_session_without_csrf_is_403_json_and_changes_nothing(user):
    artwork = PublishedArtworkFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(f"/api/artworks/{artwork.pk}/like")
    assert response.status_code == 403
    assert response.json() == {"detail": CSRF_REFUSED}
    assert not Like.objects.filter(user=user, artwork=artwork).exists()

    browser.get("/settings/profile")  # a page with a form sets the CSRF cookie
    response = browser.post(
        f"/api/artworks/{artwork.pk}/like", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )
    assert response.status_code == 200
    assert response.json()["isLiked"] is True


def test_the_csrf_refusal_says_what_to_send_in_the_callers_language(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    artwork = PublishedArtworkFactory()
    response = browser.post(f"/api/artworks/{artwork.pk}/like", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["detail"]
    assert "令牌" in response.json()["detail"]
