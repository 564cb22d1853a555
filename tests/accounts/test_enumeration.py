"""Sign-up, sign-in and password reset give the same answer whether or not an email address
is registered: the same status, the same redirect, the same page. Only the mailbox's owner
learns the difference (a "you already have an account" or "no account here" mail)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
KNOWN = "known.member@example.com"
UNKNOWN = "nobody.here@example.com"
PASSPHRASE = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def member():
    return UserFactory(username="knownmember", email=KNOWN)


def normalised(response, email: str) -> tuple:
    """Status, redirect and page text with what legitimately differs taken out: the CSRF
    token, the per-response CSP nonce and the address the visitor typed (echoing it back
    tells them nothing)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    text = re.sub(r'nonce="[^"]+"', "nonce", text)
    text = text.replace(email, "EMAIL")
    return response.status_code, response.get("Location"), text


def submit(path: str, data: dict, email: str) -> tuple:
    """POST a form as a fresh visitor and follow the redirect, if any."""
    cache.clear()  # each flow starts with fresh rate-limit counters
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    response = browser.post(path, {"csrfmiddlewaretoken": token.decode(), **data})
    followed = browser.get(response["Location"]) if response.status_code == 302 else None
    return normalised(response, email), followed and normalised(followed, email)


def test_sign_up_answers_the_same_for_a_registered_and_a_new_email():
    answers = {}
    for n, email in enumerate((KNOWN, UNKNOWN)):
        answers[email] = submit(
            "/accounts/signup/",
            {
                "email": email,
                "username": f"newcomer{n}",
                "password1": PASSPHRASE,
                "password2": PASSPHRASE,
            },
            email,
        )
    assert answers[KNOWN] == answers[UNKNOWN]
    (status, location, _), (page_status, _, page) = answers[KNOWN]
    assert (status, location, page_status) == (302, "/accounts/confirm-email/", 200)
    assert "already registered" not in page
    # No second account for the known address; its owner is told someone tried.
    assert list(User.objects.filter(email__iexact=KNOWN).values_list("username", flat=True)) == [
        "knownmember"
    ]
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]
    assert "already" in mail.outbox[0].body and "/accounts/confirm-email/" in mail.outbox[1].body


def test_sign_in_answers_the_same_for_a_registered_and_an_unknown_email():
    for attempts in (1, 6):  # a single failure, and the lockout after repeated ones
        answers = {}
        for email in (KNOWN, UNKNOWN):
            cache.clear()
            browser = Client()
            for _ in range(attempts):
                response = browser.post("/login", {"login": email, "password": "not-it"})
            answers[email] = normalised(response, email)
        assert answers[KNOWN] == answers[UNKNOWN], attempts
        assert answers[KNOWN][0] in (200, 429)


def test_password_reset_answers_the_same_for_a_registered_and_an_unknown_email():
    answers = {
        email: submit("/accounts/password/reset/", {"email": email}, email)
        for email in (KNOWN, UNKNOWN)
    }
    assert answers[KNOWN] == answers[UNKNOWN]
    (status, location, _), _followed = answers[KNOWN]
    assert (status, location) == (302, "/accounts/password/reset/done/")
    # Both mailboxes hear something; only the member's holds a reset link.
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_a_suspended_member_asking_for_a_reset_is_not_told_there_is_no_such_account():
    """allauth looks for active members alone: a suspended member (or one leaving) was mailed
    'we do not have any record of such an account … you can sign up', and signing up then
    mailed 'an account using that email address already exists'."""
    User.objects.filter(email=KNOWN).update(is_active=False)
    answers = {
        email: submit("/accounts/password/reset/", {"email": email}, email)
        for email in (KNOWN, UNKNOWN)
    }
    assert answers[KNOWN] == answers[UNKNOWN]
    assert [m.to for m in mail.outbox] == [[UNKNOWN]]
