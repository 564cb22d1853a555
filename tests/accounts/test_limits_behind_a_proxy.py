"""Behind a reverse proxy every request comes from the proxy's address: the sign-in lockout
and the API's login limit must key on the client the trusted proxy vouches for, not on
REMOTE_ADDR, and must not believe a client-sent X-Forwarded-For."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
PROXY = "127.0.0.1"


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def sign_in(login: str, password: str, *, client_address: str, forged: str = "") -> Client:
    """One sign-in on /login as it reaches Django through nginx: from the proxy's address,
    with the header the proxy writes (after anything the client wrote)."""
    client = Client()
    forwarded = f"{forged}, {client_address}" if forged else client_address
    client.post(
        "/login",
        {"login": login, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/api/auth/me").status_code == 200


def test_one_clients_failures_do_not_lock_out_another_client(behind_nginx):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for _ in range(5):
        sign_in("alice", "wrong", client_address="203.0.113.1")
    assert is_signed_in(sign_in("bob", PASSWORD, client_address="203.0.113.2"))


def test_a_client_is_still_locked_out_by_its_own_failures(behind_nginx):
    UserFactory(username="bob")
    for n in range(5):
        sign_in(f"nobody{n}", "wrong", client_address="203.0.113.1")
    assert not is_signed_in(sign_in("bob", PASSWORD, client_address="203.0.113.1"))


def test_a_forged_forwarded_for_does_not_dodge_the_lockout(behind_nginx):
    UserFactory(username="bob")
    for n in range(5):
        sign_in(f"nobody{n}", "wrong", client_address="203.0.113.1", forged=f"198.51.100.{n}")
    refused = sign_in("bob", PASSWORD, client_address="203.0.113.1", forged="198.51.100.99")
    assert not is_signed_in(refused)


def test_without_trusted_proxies_a_client_sent_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="bob")
    for n in range(5):
        Client().post(
            "/login",
            {"login": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    client = Client()
    client.post(
        "/login",
        {"login": "bob", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.1",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert not is_signed_in(client)


def api_login(client_address: str) -> int:
    return (
        Client()
        .post(
            "/api/auth/login",
            data=json.dumps({"id_token": "x.y.z"}),
            content_type="application/json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address,
        )
        .status_code
    )


def test_the_api_login_limit_is_per_client(behind_nginx, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_login": (3, 300)}
    assert [api_login("203.0.113.1") for _ in range(4)][-1] == 429
    assert api_login("203.0.113.2") != 429
