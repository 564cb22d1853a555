"""/admin/login/ is under the same lockout as /login: allauth's login_failed limits, per client
and per account, shared with the site's sign-in form."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def admin_sign_in(client: Client, username: str, password: str, *, address: str):
    return client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def signed_in_to_admin(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


def test_the_right_password_signs_staff_in(boss):
    assert signed_in_to_admin(admin_sign_in(Client(), "boss", PASSWORD, address="10.0.0.1"))


def test_repeated_wrong_passwords_lock_the_admin_sign_in_even_for_the_right_one(boss):
    client = Client()
    for _ in range(6):
        response = admin_sign_in(client, "boss", "wrong", address="10.0.0.1")
        assert not signed_in_to_admin(response)
    refused = admin_sign_in(client, "boss", PASSWORD, address="10.0.0.1")
    assert not signed_in_to_admin(refused)
    assert b"Too many failed login attempts" in refused.content
    assert client.get("/admin/").status_code == 302  # still sent to the sign-in page


def test_one_clients_failures_do_not_lock_another_client_out(boss):
    UserFactory(username="chief", is_staff=True)
    attacker = Client()
    for _ in range(6):
        admin_sign_in(attacker, "boss", "wrong", address="10.0.0.1")
    assert signed_in_to_admin(admin_sign_in(Client(), "chief", PASSWORD, address="10.0.0.2"))


def test_failures_spread_over_many_clients_still_lock_the_account(boss):
    for n in range(5):
        admin_sign_in(Client(), "boss", "wrong", address=f"10.0.1.{n}")
    refused = admin_sign_in(Client(), "boss", PASSWORD, address="10.0.2.1")
    assert not signed_in_to_admin(refused)
    assert b"Too many failed login attempts" in refused.content


def test_failures_on_the_site_sign_in_count_for_the_admin_sign_in(boss):
    site = Client()
    for _ in range(5):
        site.post("/login", {"login": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    refused = admin_sign_in(Client(), "boss", PASSWORD, address="10.0.3.1")
    assert not signed_in_to_admin(refused)


def test_a_successful_admin_sign_in_does_not_use_up_the_allowance(boss):
    client = Client()
    for _ in range(6):
        assert signed_in_to_admin(admin_sign_in(client, "boss", PASSWORD, address="10.0.0.1"))
        client.logout()


def test_members_without_staff_status_are_still_refused(db):
    UserFactory(username="member")
    response = admin_sign_in(Client(), "member", PASSWORD, address="10.0.0.1")
    assert response.status_code == 200
    assert b"staff account" in response.content


def test_guessing_the_current_password_on_the_admin_change_form_is_limited(boss, monkeypatch):
    # /admin/password_change/ checks the current password, as the site's change form does:
    # under the same limit (five tries in five minutes), not without end.
    import time
    from types import SimpleNamespace

    from allauth.core.internal import ratelimit as allauth_ratelimit

    client = Client()
    client.force_login(boss)
    start = time.time()
    statuses = []
    for n, old in enumerate(["guess 1", "guess 2", "guess 3", "guess 4", "guess 5", PASSWORD]):
        clock = SimpleNamespace(time=lambda n=n: start + 50 * n, monotonic=time.monotonic)
        monkeypatch.setattr(allauth_ratelimit, "time", clock)
        response = client.post(
            "/admin/password_change/",
            {
                "old_password": old,
                "new_password1": "a-brand-new-passphrase",
                "new_password2": "a-brand-new-passphrase",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    boss.refresh_from_db()
    assert boss.check_password(PASSWORD)
