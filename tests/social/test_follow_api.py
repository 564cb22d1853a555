"""POST / DELETE /api/users/{id}/follow, for every kind of caller."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tokens import token_pair_issue
from social.models import Follow
from social.services import user_follow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(member) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _path(member) -> str:
    return f"/api/users/{member.pk}/follow"


def test_a_member_follows_once_and_unfollows(client):
    ada, bo = UserFactory(), UserFactory()
    for _ in range(2):
        response = client.post(_path(bo), **_bearer(ada))
        assert response.status_code == 200
        assert response.json() == {"following": True, "follower_count": 1}
    assert Follow.objects.filter(follower=ada, followee=bo).count() == 1
    for _ in range(2):
        response = client.delete(_path(bo), **_bearer(ada))
        assert response.status_code == 200
        assert response.json() == {"following": False, "follower_count": 0}
    assert not Follow.objects.exists()


def test_the_count_is_everyones(client):
    bo = UserFactory()
    user_follow(follower=UserFactory(), followee=bo)
    response = client.post(_path(bo), **_bearer(UserFactory()))
    assert response.json() == {"following": True, "follower_count": 2}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_an_anonymous_caller_is_asked_to_sign_in(client, method):
    bo = UserFactory()
    response = getattr(client, method)(_path(bo))
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert not Follow.objects.exists()


def test_following_yourself_is_refused_with_the_reason(client):
    ada = UserFactory()
    response = client.post(_path(ada), **_bearer(ada))
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot follow yourself."}
    assert not Follow.objects.exists()
    ada.refresh_from_db()
    assert (ada.follower_count, ada.following_count) == (0, 0)


def test_the_reason_speaks_the_readers_language(client):
    ada = UserFactory()
    response = client.post(_path(ada), HTTP_ACCEPT_LANGUAGE="zh-hans", **_bearer(ada))
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail != "You cannot follow yourself."
    assert "关注" in detail


@pytest.mark.parametrize("method", ["post", "delete"])
def test_a_missing_or_suspended_member_is_not_found(client, method):
    ada, gone = UserFactory(), UserFactory(is_active=False)
    for target in (gone.pk, 999_999):
        response = getattr(client, method)(f"/api/users/{target}/follow", **_bearer(ada))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert not Follow.objects.exists()


def test_a_suspended_members_token_does_nothing(client):
    ada, bo = UserFactory(), UserFactory()
    headers = _bearer(ada)
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    response = client.post(_path(bo), **headers)
    assert response.status_code in {401, 403}
    assert not Follow.objects.exists()


def test_staff_follow_as_members_do(client, staff_user):
    bo = UserFactory()
    response = client.post(_path(bo), **_bearer(staff_user))
    assert response.json() == {"following": True, "follower_count": 1}


def test_a_session_needs_the_csrf_token(user):
    bo = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(_path(bo))
    assert response.status_code == 403
    assert not Follow.objects.exists()
    browser.get("/settings/profile")  # a page with a form sets the CSRF cookie
    response = browser.post(_path(bo), HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert response.json() == {"following": True, "follower_count": 1}


def test_follows_are_rate_limited_per_member(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "follow": (3, 3600)}
    ada = UserFactory()
    others = UserFactory.create_batch(4)
    statuses = [client.post(_path(o), **_bearer(ada)).status_code for o in others]
    assert statuses == [200, 200, 200, 429]
    refused = client.post(_path(others[0]), **_bearer(ada))
    assert refused.json() == {"detail": "Too many follows in a short time; try again later."}
    in_chinese = client.post(_path(others[0]), HTTP_ACCEPT_LANGUAGE="zh-hans", **_bearer(ada))
    assert in_chinese.json() == {"detail": "关注操作过于频繁，请稍后再试。"}
    assert Follow.objects.filter(follower=ada).count() == 3
    # Another member has their own allowance.
    assert client.post(_path(others[3]), **_bearer(UserFactory())).status_code == 200


def test_too_many_follows_says_so_in_the_readers_language(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "follow": (1, 3600)}
    ada, bo = UserFactory(), UserFactory()
    assert client.post(_path(bo), **_bearer(ada)).status_code == 200
    for method in (client.delete, client.post):
        refused = method(_path(bo), HTTP_ACCEPT_LANGUAGE="zh-hans", **_bearer(ada))
        assert refused.status_code == 429
        assert refused.json() == {"detail": "关注操作过于频繁，请稍后再试。"}


def test_the_user_object_carries_the_counts(client):
    ada, bo = UserFactory(), UserFactory()
    user_follow(follower=ada, followee=bo)
    me = client.get("/api/auth/me", **_bearer(ada)).json()
    assert (me["follower_count"], me["following_count"]) == (0, 1)
    me = client.get("/api/auth/me", **_bearer(bo)).json()
    assert (me["follower_count"], me["following_count"]) == (1, 0)
