"""Sign-up, sign-in, logout and password reset through the real forms, the lockout after
repeated failures, and "Continue with Google" on the website."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def csrf_from(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the page has no CSRF-protected form"
    return match.group(1).decode()


def labelled_inputs(html: str) -> None:
    """Every visible input on the page has a <label for=…>."""
    ids = re.findall(r'<input(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
    labels = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids, "no inputs found"
    assert set(ids) <= labels, f"inputs without a label: {set(ids) - labels}"


def test_email_sign_up_sign_in_and_logout_through_the_forms(browser):
    page = browser.get("/accounts/signup/")
    assert page.status_code == 200
    labelled_inputs(page.content.decode())
    response = browser.post(
        "/accounts/signup/",
        {
            "csrfmiddlewaretoken": csrf_from(page),
            "email": "grace@example.com",
            "username": "grace",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="grace")
    assert user.email == "grace@example.com"
    # Not signed in until the address is confirmed (the mail is printed to the console).
    assert browser.get("/api/auth/me").status_code == 401
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["grace@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    confirm_page = browser.get(link.group(1))
    assert confirm_page.status_code == 200
    confirmed = browser.post(link.group(1), {"csrfmiddlewaretoken": csrf_from(confirm_page)})
    assert confirmed.status_code == 302
    assert user.emailaddress_set.get().verified
    assert browser.get("/api/auth/me").json()["username"] == "grace"

    logout_page = browser.get("/accounts/logout/")
    assert browser.post(
        "/accounts/logout/", {"csrfmiddlewaretoken": csrf_from(logout_page)}
    ).status_code in (302, 303)
    assert browser.get("/api/auth/me").status_code == 401

    login_page = browser.get("/login")
    assert login_page.status_code == 200
    labelled_inputs(login_page.content.decode())
    response = browser.post(
        "/login",
        {
            "csrfmiddlewaretoken": csrf_from(login_page),
            "login": "grace@example.com",
            "password": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/feed"
    assert browser.get("/api/auth/me").json()["username"] == "grace"


def test_sign_in_by_username_works_too(browser):
    UserFactory(username="linus", email="linus@example.com")
    page = browser.get("/login")
    response = browser.post(
        "/login",
        {"csrfmiddlewaretoken": csrf_from(page), "login": "linus", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert browser.get("/api/auth/me").json()["username"] == "linus"


def test_sign_up_refuses_a_taken_username_and_a_reserved_one(browser):
    UserFactory(username="taken")
    for username in ("Taken", "admin", "no spaces"):
        page = browser.get("/accounts/signup/")
        response = browser.post(
            "/accounts/signup/",
            {
                "csrfmiddlewaretoken": csrf_from(page),
                "email": f"x{len(username)}@example.com",
                "username": username,
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
            },
        )
        assert response.status_code == 200, username
        assert b'class="field-error"' in response.content
    assert User.objects.count() == 1


def test_a_wrong_password_shows_an_error_on_the_form(browser, user):
    page = browser.get("/login")
    response = browser.post(
        "/login",
        {"csrfmiddlewaretoken": csrf_from(page), "login": user.email, "password": "nope"},
    )
    assert response.status_code == 200
    assert b"alert alert-error" in response.content
    assert browser.get("/api/auth/me").status_code == 401


def test_repeated_failed_sign_ins_are_locked_out(browser, user):
    page = browser.get("/login")
    token = csrf_from(page)
    for _ in range(5):
        browser.post(
            "/login", {"csrfmiddlewaretoken": token, "login": user.email, "password": "wrong"}
        )
    # Even the right password is refused while the lockout lasts.
    response = browser.post(
        "/login", {"csrfmiddlewaretoken": token, "login": user.email, "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert browser.get("/api/auth/me").status_code == 401


def test_sign_up_is_rate_limited(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    statuses = []
    for n in range(3):
        client = Client()
        statuses.append(
            client.post(
                "/accounts/signup/",
                {
                    "email": f"new{n}@example.com",
                    "username": f"newbie{n}",
                    "password1": "a-long-and-unusual-passphrase",
                    "password2": "a-long-and-unusual-passphrase",
                },
            ).status_code
        )
    assert statuses == [302, 302, 429]
    assert User.objects.count() == 2


def test_adding_email_addresses_is_limited_per_hour(client, user, monkeypatch):
    # Each added address is mailed a confirmation link: at allauth's default of ten a minute
    # one member could have the site mail 600 addresses of their choosing an hour.
    from allauth.core.internal import ratelimit as allauth_ratelimit

    client.force_login(user)
    start = time.time()
    statuses = []
    for n in range(11):
        # Two minutes apart, as allauth's limits see it: a per-minute limit never stops them.
        clock = SimpleNamespace(time=lambda n=n: start + 120 * n, monotonic=time.monotonic)
        monkeypatch.setattr(allauth_ratelimit, "time", clock)
        response = client.post("/accounts/email/", {"email": f"x{n}@example.org", "action_add": ""})
        statuses.append(response.status_code)
    assert statuses == [302] * 10 + [429]
    assert len(mail.outbox) == 10


def test_guessing_the_current_password_on_the_change_form_is_limited_like_sign_in(
    client, user, monkeypatch
):
    # The form checks the current password: at allauth's default of five a minute a held
    # session could guess it five times faster than the sign-in lockout lets anyone.
    from allauth.core.internal import ratelimit as allauth_ratelimit

    client.force_login(user)
    start = time.time()
    statuses = []
    for n, old in enumerate(["guess 1", "guess 2", "guess 3", "guess 4", "guess 5", PASSWORD]):
        # Fifty seconds apart, as allauth's limits see it: a per-minute limit never stops them.
        clock = SimpleNamespace(time=lambda n=n: start + 50 * n, monotonic=time.monotonic)
        monkeypatch.setattr(allauth_ratelimit, "time", clock)
        response = client.post(
            "/accounts/password/change/",
            {
                "oldpassword": old,
                "password1": "a-brand-new-passphrase",
                "password2": "a-brand-new-passphrase",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_new_password_writes_only_the_password(user, staff_user):
    """Changing or setting a password saved the member's whole row as the request had read it:
    a suspension made while the new password was being hashed was undone (the member active
    again), a follower gained meanwhile lost."""
    from allauth.account.adapter import get_adapter

    from accounts.services import user_suspend

    as_read = User.objects.get(pk=user.pk)  # request.user, read as the request began
    user_suspend(user=User.objects.get(pk=user.pk), actor=staff_user, reason="spam")
    User.objects.filter(pk=user.pk).update(follower_count=7)
    get_adapter().set_password(as_read, "a-brand-new-passphrase")
    saved = User.objects.get(pk=user.pk)
    assert saved.check_password("a-brand-new-passphrase")
    assert not saved.is_active
    assert saved.follower_count == 7


def test_guessing_the_password_on_the_reauthentication_form_is_limited_like_sign_in(
    client, user, monkeypatch
):
    # /accounts/reauthenticate/ checks the password too (allauth's default: ten a minute).
    from allauth.core.internal import ratelimit as allauth_ratelimit

    client.force_login(user)
    start = time.time()
    statuses = []
    for n, password in enumerate(["guess 1", "guess 2", "guess 3", "guess 4", "guess 5", PASSWORD]):
        clock = SimpleNamespace(time=lambda n=n: start + 50 * n, monotonic=time.monotonic)
        monkeypatch.setattr(allauth_ratelimit, "time", clock)
        response = client.post("/accounts/reauthenticate/", {"password": password})
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]


def test_password_reset_sends_an_email(browser, user):
    page = browser.get("/accounts/password/reset/")
    labelled_inputs(page.content.decode())
    response = browser.post(
        "/accounts/password/reset/",
        {"csrfmiddlewaretoken": csrf_from(page), "email": user.email},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_login_page_hides_google_when_not_configured(client):
    page = client.get("/login").content.decode()
    assert "Continue with Google" not in page
    assert 'name="password"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/google/login/",
        "/accounts/google/login/callback/",
        "/accounts/google/login/token/",
    ],
)
def test_google_sign_in_pages_are_not_found_when_not_configured(client, path):
    # A bookmarked or guessed "Continue with Google" link, GET or POST, on a server without
    # Google: a plain 404 page, not a server error.
    assert client.get(path, {"process": "login"}).status_code == 404
    assert client.post(path).status_code == 404


def test_login_page_offers_google_when_configured(client, google):
    page = client.get("/login").content.decode()
    assert "Continue with Google" in page
    assert 'action="/accounts/google/login/?process=login"' in page
    assert 'name="password"' in page  # email sign-in stays available


def test_allauth_pages_use_the_site_layout(client, user):
    page = client.get("/accounts/password/reset/").content.decode()
    assert '<main id="main"' in page and 'class="site-header' in page  # base.html
    assert 'class="container container-form page stack form-page"' in page
    assert 'class="card form"' in page
    assert 'class="btn btn-primary"' in page
    client.force_login(user)
    page = client.get("/accounts/password/change/").content.decode()
    assert '<main id="main"' in page
    assert 'aria-label="Account settings"' in page  # the account tabs
    assert 'href="/accounts/password/change/" aria-current="page"' in page
    labelled_inputs(page)


def _google_web_sign_in(client: Client, google, **claims):
    start = client.post("/accounts/google/login/?process=login")
    assert start.status_code == 302, start.content
    location = urlparse(start["Location"])
    assert location.netloc == "accounts.google.com"
    state = parse_qs(location.query)["state"][0]
    google.mock.post(
        "https://oauth2.googleapis.com/token",
        json={
            "access_token": "ya29.test",
            "expires_in": 3599,
            "token_type": "Bearer",
            "id_token": google.id_token(**claims),
        },
    )
    return client.get("/accounts/google/login/callback/", {"code": "auth-code", "state": state})


def test_continue_with_google_creates_the_user_then_reuses_it(
    google, django_capture_on_commit_callbacks
):
    google.mock.get("https://lh3.googleusercontent.com/a/ada-photo", status=404)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _google_web_sign_in(client, google, sub="777")
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get()
    assert (user.username, user.name, user.email) == (
        "ada-lovelace",
        "Ada Lovelace",
        "ada.lovelace@gmail.com",
    )
    assert SocialAccount.objects.get(uid="777").user == user
    assert client.get("/api/auth/me").json()["id"] == user.pk

    again = Client()
    response = _google_web_sign_in(again, google, sub="777", name="Someone Else")
    assert response.status_code == 302
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.name == "Ada Lovelace"  # later sign-ins do not overwrite the profile
    assert again.get("/api/auth/me").json()["id"] == user.pk


def test_a_member_with_an_unconfirmed_address_is_asked_to_confirm_it_at_sign_in(browser):
    UserFactory(username="newbie", email="newbie@example.com", email_verified=False)
    page = browser.get("/login")
    response = browser.post(
        "/login",
        {"csrfmiddlewaretoken": csrf_from(page), "login": "newbie", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert browser.get("/api/auth/me").status_code == 401
    assert [m.to for m in mail.outbox] == [["newbie@example.com"]]


def test_a_member_whose_address_is_marked_verified_signs_in_at_once(browser):
    from accounts.services import user_email_mark_verified

    member = User.objects.create_user(username="aurora", email="aurora@demo.example")
    member.set_password(PASSWORD)
    member.save()
    user_email_mark_verified(user=member)
    user_email_mark_verified(user=member)  # idempotent, like seed_demo
    assert member.emailaddress_set.get().verified
    page = browser.get("/login")
    response = browser.post(
        "/login",
        {"csrfmiddlewaretoken": csrf_from(page), "login": "aurora", "password": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/feed"


def _sign_in(browser: Client, login: str, password: str):
    page = browser.get("/login")
    return browser.post(
        "/login", {"csrfmiddlewaretoken": csrf_from(page), "login": login, "password": password}
    )


def test_an_administrator_made_with_createsuperuser_signs_in_at_once(browser, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser",
        "--noinput",
        "--username=boss",
        "--email=Boss@Example.com",
        verbosity=0,
    )
    response = _sign_in(browser, "boss@example.com", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/feed"
    assert browser.get("/api/auth/me").json()["username"] == "boss"
    assert mail.outbox == []  # nobody is asked to confirm an address the operator typed
    address = User.objects.get(username="boss").emailaddress_set.get()
    assert address.verified and address.primary


def test_a_member_made_with_create_user_still_confirms_the_address(browser):
    # create_user is the primitive every path builds on; only an operator's explicit
    # user_email_mark_verified (seed_demo does) or createsuperuser vouches for the address.
    User.objects.create_user(username="shelly", email="shelly@example.com", password=PASSWORD)
    response = _sign_in(browser, "shelly@example.com", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"


def test_the_sites_mails_name_the_site_of_its_settings_not_example_com(settings, browser):
    """allauth names the site in every mail from the sites framework's record, which Django
    creates as "example.com": `migrate` (every release runs it) keeps it in step with SITE_NAME
    and SITE_URL."""
    from django.contrib.sites.models import Site
    from django.core.management import call_command

    settings.SITE_NAME = "Pixel Garden"
    settings.SITE_URL = "https://art.example.org"
    call_command("migrate", verbosity=0)
    Site.objects.clear_cache()
    page = browser.get("/accounts/signup/")
    browser.post(
        "/accounts/signup/",
        {
            "csrfmiddlewaretoken": csrf_from(page),
            "email": "ada@example.org",
            "username": "ada",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    [message] = mail.outbox
    assert message.subject.startswith("[Pixel Garden] ")
    assert "Hello from Pixel Garden!" in message.body
    assert "register an account on art.example.org" in message.body
    assert "example.com" not in message.subject + message.body


@pytest.fixture
def smtp_down(settings):
    """The SMTP backend, with a server that refuses the connection and one that accepts it and
    never answers (a firewall that drops port 587 looks like that)."""
    import socket

    from tests.site_process import free_port

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 0.5
    yield {"refused": free_port(), "silent": silent.getsockname()[1]}
    silent.close()


@pytest.mark.parametrize("server", ["refused", "silent"])
def test_sign_up_and_password_reset_say_so_when_the_mail_cannot_be_sent(
    smtp_down, settings, browser, server
):
    """An SMTP server that is down or silent answered sign-up and password reset with a 500
    (or held the request until gunicorn killed its worker): the member is told the mail could
    not be sent, and the operator reads why in the log."""
    settings.EMAIL_PORT = smtp_down[server]
    page = browser.get("/accounts/signup/")
    started = time.monotonic()
    response = browser.post(
        "/accounts/signup/",
        {
            "csrfmiddlewaretoken": csrf_from(page),
            "email": "ada@example.org",
            "username": "ada",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 302, response.status_code
    shown = browser.get(response["Location"]).content.decode()
    assert "The email could not be sent" in shown
    page = Client(enforce_csrf_checks=True)
    reset_page = page.get("/accounts/password/reset/")
    reset = page.post(
        "/accounts/password/reset/",
        {"csrfmiddlewaretoken": csrf_from(reset_page), "email": "ada@example.org"},
        follow=True,
    )
    assert reset.status_code == 200
    assert "The email could not be sent" in reset.content.decode()


def test_production_waits_a_bounded_time_for_the_smtp_server():
    from django.conf import settings

    assert settings.EMAIL_TIMEOUT and settings.EMAIL_TIMEOUT <= 30
