"""GET /api/notifications and POST /api/notifications/read."""

from __future__ import annotations

import pytest

from accounts.tokens import token_pair_issue
from artworks import services as artwork_services
from notifications.models import Notification
from social import services as social_services
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def _auth(member) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _followers(committed, member, n: int) -> list:
    fans = UserFactory.create_batch(n)
    for fan in fans:
        committed(social_services.user_follow, follower=fan, followee=member)
    return fans


def test_anonymous_callers_get_401(client):
    assert client.get("/api/notifications").status_code == 401
    response = client.post("/api/notifications/read", {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_list_newest_first_with_the_unread_count(client, committed):
    art = PublishedArtworkFactory(title="Moonlit fox")
    me = art.user
    fan = UserFactory(username="ada")
    committed(artwork_services.artwork_like, artwork_id=art.pk, user=fan)
    comment = committed(
        social_services.comment_create, author=fan, artwork_id=art.pk, body="So good " * 30
    )
    response = client.get("/api/notifications", **_auth(me))
    assert response.status_code == 200
    body = response.json()
    assert body["unread_count"] == 2
    assert body["next_cursor"] is None
    newest, oldest = body["items"]
    assert newest["kind"] == "comment"
    assert newest["comment_id"] == comment.pk
    assert len(newest["comment_excerpt"]) == 140
    assert oldest["kind"] == "like"
    assert oldest["actor"]["username"] == "ada"
    assert oldest["artwork"] == {
        "id": art.pk,
        "title": "Moonlit fox",
        "url": art.get_absolute_url(),
    }
    assert oldest["read"] is False
    assert {"id", "created_at", "reason"} <= set(oldest)


def test_pages_with_a_cursor_and_a_bad_cursor_is_400(client, committed):
    me = UserFactory()
    _followers(committed, me, 3)
    first = client.get("/api/notifications?limit=2", **_auth(me)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(f"/api/notifications?limit=2&cursor={first['next_cursor']}", **_auth(me))
    assert len(rest.json()["items"]) == 1
    bad = client.get("/api/notifications?cursor=%%%", **_auth(me))
    assert bad.status_code == 400
    assert "invalid" in bad.json()["detail"]


def test_a_staff_hide_comes_with_its_reason_and_no_link(client, committed):
    art = PublishedArtworkFactory()
    moderator = make_moderator(extra_perms=("artworks.change_artwork",))
    committed(artwork_services.artwork_hide, artwork=art, actor=moderator, reason="Spam")
    (item,) = client.get("/api/notifications", **_auth(art.user)).json()["items"]
    assert (item["kind"], item["reason"], item["actor"]) == ("hidden", "Spam", None)
    assert item["artwork"]["url"] is None


def test_read_all_and_read_up_to_an_id(client, committed):
    me = UserFactory()
    _followers(committed, me, 3)
    ids = sorted(Notification.objects.filter(recipient=me).values_list("id", flat=True))

    def read(payload):
        with_commit = committed(
            client.post,
            "/api/notifications/read",
            payload,
            content_type="application/json",
            **_auth(me),
        )
        return with_commit

    response = read({"up_to_id": ids[0]})
    assert response.status_code == 200
    assert response.json() == {"unread_count": 2}
    assert read({}).json() == {"unread_count": 0}
    listed = client.get("/api/notifications", **_auth(me)).json()
    assert listed["unread_count"] == 0
    assert all(item["read"] for item in listed["items"])


def test_another_members_ids_do_not_matter(client, committed):
    me, other = UserFactory(), UserFactory()
    _followers(committed, me, 1)
    _followers(committed, other, 1)
    theirs = Notification.objects.get(recipient=other)
    response = client.post(
        "/api/notifications/read",
        {"up_to_id": theirs.pk},
        content_type="application/json",
        **_auth(me),
    )
    assert response.status_code == 200
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("up_to_id", [0, -1])
def test_an_id_below_one_is_400_with_the_reason(client, user, up_to_id):
    response = client.post(
        "/api/notifications/read",
        {"up_to_id": up_to_id},
        content_type="application/json",
        **_auth(user),
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The notification id must be a positive whole number."}


def test_an_id_that_is_not_a_number_is_a_schema_violation(client, user):
    response = client.post(
        "/api/notifications/read",
        {"up_to_id": "x"},
        content_type="application/json",
        **_auth(user),
    )
    assert response.status_code == 422
    assert "up_to_id" in response.json()["detail"]


def test_a_session_without_csrf_is_403(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post("/api/notifications/read", {}, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("body", ["[null, null]", "null", "", "5"])
def test_a_body_that_is_not_an_object_is_refused(client, user, body):
    response = client.post(
        "/api/notifications/read", body, content_type="application/json", **_auth(user)
    )
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
