from __future__ import annotations

import pytest

from accounts.models import USERNAME_PATTERN
from accounts.services import username_suggest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("Ada Lovelace", "ada@example.com", "ada-lovelace"),
        ("José Ñúñez", "", "jose-nunez"),
        ("李白", "libai@example.com", "libai"),
        ("", "x.y+tag@example.com", "x-y-tag"),
        ("Al", "al@example.com", "al-member"),
        ("", "", "member"),
        ("!!!", "@@", "member"),
        ("A" * 60, "", "a" * 24),
        ("Admin", "admin@example.com", "admin-2"),
    ],
)
def test_username_suggest(name, email, expected):
    import re

    suggestion = username_suggest(name=name, email=email)
    assert suggestion == expected
    assert re.fullmatch(USERNAME_PATTERN, suggestion)


def test_username_suggest_skips_taken_names_case_insensitively():
    UserFactory(username="Grace-Hopper")
    UserFactory(username="grace-hopper-2")
    assert username_suggest(name="Grace Hopper") == "grace-hopper-3"


def test_username_suggest_falls_back_to_a_random_suffix_when_crowded():
    import re

    UserFactory(username="popular")
    for n in range(2, 10):
        UserFactory(username=f"popular-{n}")
    suggestion = username_suggest(name="Popular")
    assert re.fullmatch(r"popular-[0-9a-f]{6}", suggestion)
    assert re.fullmatch(USERNAME_PATTERN, suggestion)


def test_api_me_uses_a_constant_number_of_queries(client, user, django_assert_num_queries):
    from accounts.tokens import token_pair_issue

    token = token_pair_issue(user=user).access_token
    with django_assert_num_queries(1):  # the user row; the token itself needs no query
        response = client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_beat_clears_expired_sessions_and_keeps_live_ones(settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.tasks import clear_expired_sessions

    now = timezone.now()
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="l" * 32, session_data="", expire_date=now + timedelta(1))
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tasks.clear_expired_sessions" in schedule

    clear_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["l" * 32]
