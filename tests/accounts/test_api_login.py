"""POST /api/auth/login: a Google ID token in, a JWT pair and the user out."""

from __future__ import annotations

import io
import json
import time

import pytest
from allauth.socialaccount.models import SocialAccount
from PIL import Image

from accounts.models import User
from tests.factories import UserFactory

LOGIN = "/api/auth/login"
pytestmark = pytest.mark.django_db


def post_json(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def test_first_google_sign_in_creates_the_user_and_the_second_reuses_it(client, google):
    first = post_json(client, LOGIN, {"id_token": google.id_token(sub="4242")})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert body["access_token"] and body["refresh_token"]
    assert set(body["user"]) == {
        "id",
        "username",
        "name",
        "email",
        "profile_pic",
        "follower_count",
        "following_count",
    }
    assert body["user"]["email"] == "ada.lovelace@gmail.com"
    assert body["user"]["name"] == "Ada Lovelace"
    assert body["user"]["username"] == "ada-lovelace"
    user = User.objects.get()
    assert SocialAccount.objects.get(provider="google", uid="4242").user == user
    assert not user.has_usable_password()

    second = post_json(client, LOGIN, {"id_token": google.id_token(sub="4242", name="Renamed")})
    assert second.status_code == 200, second.content
    assert second.json()["user"]["id"] == user.pk
    assert User.objects.count() == 1
    # The tokens work for the API.
    me = client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {second.json()['access_token']}")
    assert me.status_code == 200
    assert me.json()["username"] == "ada-lovelace"


def test_google_sign_in_with_the_email_of_an_existing_member_signs_into_that_member(client, google):
    member = UserFactory(email="ada.lovelace@gmail.com", username="ada")
    assert member.emailaddress_set.get().verified  # the factory's members have confirmed it
    response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 200, response.content
    assert response.json()["user"]["id"] == member.pk
    assert User.objects.count() == 1


def test_a_new_user_gets_a_unique_username_when_the_name_is_taken(client, google):
    UserFactory(username="ada-lovelace", email="someone@example.com")
    response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 200, response.content
    assert response.json()["user"]["username"] == "ada-lovelace-2"


def test_a_non_latin_name_falls_back_to_the_email_for_the_username(client, google):
    token = google.id_token(name="李白", email="libai@gmail.com")
    response = post_json(client, LOGIN, {"id_token": token})
    assert response.status_code == 200, response.content
    assert response.json()["user"]["username"] == "libai"
    assert response.json()["user"]["name"] == "李白"


@pytest.mark.parametrize(("name", "stored"), [("\u202eAda\x07", "Ada"), ("\u2067\u200b", "")])
def test_a_google_name_is_cleaned_as_the_settings_page_cleans_it(client, google, name, stored):
    token = google.id_token(name=name, email="ada.l@gmail.com")
    response = post_json(client, LOGIN, {"id_token": token})
    assert response.status_code == 200, response.content
    assert User.objects.get().name == stored


def _jpeg_with_exif() -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    Image.new("RGB", (300, 200), (10, 120, 200)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_the_google_picture_is_copied_into_storage_as_webp(
    client, google, stored_files, django_capture_on_commit_callbacks
):
    google.mock.get("https://lh3.googleusercontent.com/a/ada-photo", body=_jpeg_with_exif())
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 200, response.content
    user = User.objects.get()
    assert user.profile_pic.name.startswith("users/avatars/")
    assert user.profile_pic.name.endswith(".webp")
    assert stored_files() == [user.profile_pic.name]
    with user.profile_pic.open("rb") as fh:
        image = Image.open(fh)
        assert image.format == "WEBP"
        assert image.size == (256, 256)
        assert not image.getexif()


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "body": b"oops"},
        {"status": 200, "body": b"<html>not an image</html>"},
    ],
)
def test_a_failing_google_picture_never_breaks_sign_in(
    client, google, stored_files, django_capture_on_commit_callbacks, answer
):
    google.mock.get("https://lh3.googleusercontent.com/a/ada-photo", **answer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 200, response.content
    assert not User.objects.get().profile_pic
    assert stored_files() == []


def test_a_picture_timeout_never_breaks_sign_in(client, google, django_capture_on_commit_callbacks):
    import requests

    google.mock.get(
        "https://lh3.googleusercontent.com/a/ada-photo", body=requests.Timeout("too slow")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 200
    assert not User.objects.get().profile_pic


def test_pictures_from_other_hosts_are_not_fetched(
    client, google, django_capture_on_commit_callbacks
):
    token = google.id_token(picture="http://169.254.169.254/latest/meta-data")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, LOGIN, {"id_token": token})
    assert response.status_code == 200
    assert not User.objects.get().profile_pic
    assert all("169.254" not in call.request.url for call in google.mock.calls)


@pytest.mark.parametrize(
    ("make_token", "status", "message"),
    [
        (lambda g: g.id_token(aud="someone-else.apps.googleusercontent.com"), 401, "different"),
        (lambda g: g.id_token(iss="https://evil.example.com"), 401, "not issued by Google"),
        (lambda g: g.id_token(signing_key=g.stranger_key), 401, "signature"),
        (
            lambda g: g.id_token(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
            401,
            "expired",
        ),
        (lambda g: g.id_token(kid="unknown-kid"), 401, "unknown key"),
        (lambda g: g.id_token(email_verified=False), 400, "not verified"),
        (lambda g: "not-a-jwt", 400, "malformed"),
        (lambda g: g.id_token()[:-6] + "AAAAAA", 401, "signature"),
    ],
    ids=[
        "wrong-audience",
        "wrong-issuer",
        "bad-signature",
        "expired",
        "unknown-kid",
        "unverified-email",
        "garbage",
        "tampered",
    ],
)
def test_bad_id_tokens_are_refused_with_json_and_create_no_user(
    client, google, make_token, status, message
):
    response = post_json(client, LOGIN, {"id_token": make_token(google)})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert message in response.json()["detail"]
    assert User.objects.count() == 0
    assert SocialAccount.objects.count() == 0


@pytest.mark.parametrize("matched_by", ["google account", "email address"])
def test_a_deactivated_member_is_refused_with_why_not_sent_to_the_website(
    client, google, matched_by
):
    """A suspended member (or one leaving) was answered 400 'sign in on the website once to
    finish setting it up', where they cannot sign in either."""
    from django.contrib.sessions.models import Session

    sub = "5150"
    if matched_by == "google account":
        assert post_json(client, LOGIN, {"id_token": google.id_token(sub=sub)}).status_code == 200
        User.objects.update(is_active=False)
    else:
        UserFactory(email="ada.lovelace@gmail.com", username="ada", is_active=False)
    sessions = Session.objects.count()
    response = post_json(
        client, LOGIN, {"id_token": google.id_token(sub=sub)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": "这个账号无法登录（可能已停用）。"}
    assert User.objects.count() == 1
    assert Session.objects.count() == sessions


def test_a_replayed_id_token_is_refused(client, google):
    token = google.id_token()
    assert post_json(client, LOGIN, {"id_token": token}).status_code == 200
    replay = post_json(client, LOGIN, {"id_token": token})
    assert replay.status_code == 401
    assert "already been used" in replay.json()["detail"]


def test_a_refused_token_is_not_remembered_as_used(client, google, settings):
    """Replay bookkeeping happens only for tokens that passed every other check: a token
    refused for its audience is accepted once the server is configured for that audience."""
    token = google.id_token(aud="second-client.apps.googleusercontent.com")
    assert post_json(client, LOGIN, {"id_token": token}).status_code == 401
    settings.GOOGLE_CLIENT_ID = "second-client.apps.googleusercontent.com"
    google_settings = settings.SOCIALACCOUNT_PROVIDERS["google"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {
            **google_settings,
            "APPS": [{"client_id": settings.GOOGLE_CLIENT_ID, "secret": "s", "key": ""}],
        }
    }
    assert post_json(client, LOGIN, {"id_token": token}).status_code == 200
    assert User.objects.count() == 1


def test_google_certificates_are_cached(client, google):
    for _ in range(3):
        assert post_json(client, LOGIN, {"id_token": google.id_token()}).status_code == 200
    cert_calls = [c for c in google.mock.calls if "oauth2/v1/certs" in c.request.url]
    assert len(cert_calls) == 1


def test_unreachable_google_certificates_give_503(client, google):
    google.mock.replace("GET", "https://www.googleapis.com/oauth2/v1/certs", status=500)
    response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 503
    assert "certificates" in response.json()["detail"]
    assert User.objects.count() == 0


def test_login_without_google_configured_is_a_clear_503(client, settings):
    settings.GOOGLE_CLIENT_ID = ""
    response = post_json(client, LOGIN, {"id_token": "a.b.c"})
    assert response.status_code == 503
    assert "not configured" in response.json()["detail"]


def test_missing_id_token_is_a_json_422(client, google):
    response = post_json(client, LOGIN, {})
    assert response.status_code == 422
    assert "detail" in response.json()


def test_api_login_is_rate_limited(client, google, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_login": (3, 300)}
    for _ in range(3):
        assert post_json(client, LOGIN, {"id_token": "x.y.z"}).status_code == 400
    limited = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert limited.status_code == 429
    assert "Too many" in limited.json()["detail"]
    assert User.objects.count() == 0


def test_api_login_does_not_touch_the_browser_session(client, google):
    member = UserFactory()
    client.force_login(member)
    response = post_json(client, LOGIN, {"id_token": google.id_token()})
    assert response.status_code == 200
    assert client.get("/api/auth/me").json()["id"] == member.pk


def test_the_readme_names_every_field_of_the_signed_in_user():
    """The README listed the user of a sign-in as id, username, name, email and profile_pic:
    an app developer reading it did not learn of follower_count and following_count."""
    import re
    from pathlib import Path

    from accounts.api import UserOut

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    listed = re.search(r'"user": \{([^}]*)\}', readme).group(1)
    assert set(re.findall(r'"(\w+)"', listed)) == set(UserOut.model_fields)
