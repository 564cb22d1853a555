"""The signed-in member from the process's kept row (accounts/member_cache.py): no query while
the row is current, and every change of the row (a save, a deactivation, a new password, a
count moved by a queryset update, a deletion) read afresh on the very next request; on the
file cache of the embedded defaults and on a real Redis."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client, RequestFactory

from accounts import member_cache
from accounts.tokens import token_pair_issue
from social import services as social
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def any_cache(either_cache):
    return either_cache


def _signed_in(**kwargs) -> tuple[Client, object]:
    member = UserFactory(**kwargs)
    client = Client()
    client.force_login(member)
    return client, member


def _bearer(member) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def test_a_warm_member_costs_no_query_on_a_page_or_the_api(any_cache, django_assert_num_queries):
    client, member = _signed_in(name="Kept Once")
    auth = _bearer(member)
    client.get("/api/auth/me")
    client.get("/api/auth/me", **auth)
    with django_assert_num_queries(0):
        assert client.get("/api/auth/me").json()["username"] == member.username
    with django_assert_num_queries(0):
        assert client.get("/api/auth/me", **auth).json()["username"] == member.username


def test_a_saved_row_shows_on_the_next_request(any_cache):
    client, member = _signed_in(name="Before")
    auth = _bearer(member)
    assert client.get("/api/auth/me").json()["name"] == "Before"
    assert client.get("/api/auth/me", **auth).json()["name"] == "Before"
    member.name = "After"
    member.save(update_fields=["name"])
    assert client.get("/api/auth/me").json()["name"] == "After"
    assert client.get("/api/auth/me", **auth).json()["name"] == "After"


def test_a_deactivated_member_is_signed_out_at_once(any_cache):
    client, member = _signed_in()
    auth = _bearer(member)
    assert client.get("/api/auth/me").status_code == 200
    assert client.get("/api/auth/me", **auth).status_code == 200
    member.is_active = False
    member.save()
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", **auth).status_code == 401


def test_a_new_password_signs_out_the_other_sessions(any_cache):
    client, member = _signed_in()
    assert client.get("/api/auth/me").status_code == 200
    member.set_password("a-brand-new-secret-42")
    member.save()
    assert client.get("/api/auth/me").status_code == 401
    # Signing in again with the new password works, and is then kept.
    fresh = Client()
    fresh.force_login(member)
    assert fresh.get("/api/auth/me").status_code == 200
    assert fresh.get("/api/auth/me").status_code == 200


def test_counts_moved_by_a_queryset_update_show_at_once(any_cache):
    client, member = _signed_in()
    other = UserFactory()
    assert client.get("/api/auth/me").json()["following_count"] == 0
    social.user_follow(follower=member, followee=other)
    assert client.get("/api/auth/me").json()["following_count"] == 1
    social.user_unfollow(follower=member, followee=other)
    assert client.get("/api/auth/me").json()["following_count"] == 0


def test_a_deleted_member_is_no_one(any_cache):
    client, member = _signed_in()
    auth = _bearer(member)
    assert client.get("/api/auth/me", **auth).status_code == 200
    member.delete()
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", **auth).status_code == 401


def test_each_request_gets_its_own_instance_and_another_session_never_matches(any_cache):
    client, member = _signed_in()
    client.get("/api/auth/me")
    session = client.session

    def request_with(session_store):
        request = RequestFactory().get("/")
        request.session = session_store
        return request

    first = member_cache.session_member(request_with(session))
    second = member_cache.session_member(request_with(session))
    assert first == second == member and first is not second
    first.name = "Changed in one request only"
    assert member_cache.session_member(request_with(session)).name == member.name
    # A session whose hash is not the member's (forged, or from before a password change).
    session["_auth_user_hash"] = "0" * 64
    assert isinstance(member_cache.session_member(request_with(session)), AnonymousUser)


def test_an_emptied_cache_reads_the_row_again(any_cache, django_assert_num_queries):
    client, member = _signed_in()
    client.get("/api/auth/me")
    session_key = client.session.session_key
    cache.delete(member_cache.stamp_key(member.pk))
    with django_assert_num_queries(1):  # the row (the session is still in the cache)
        assert client.get("/api/auth/me").status_code == 200
    assert client.session.session_key == session_key


def test_kept_rows_are_bounded(any_cache, settings):
    settings.MEMBER_CACHE_SIZE = 2
    members = [_signed_in() for _ in range(4)]
    for client, _member in members:
        client.get("/api/auth/me")
    assert len(member_cache._KEPT) == 2
    assert set(member_cache._KEPT) == {members[2][1].pk, members[3][1].pk}
