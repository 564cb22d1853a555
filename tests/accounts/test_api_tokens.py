"""Access and refresh tokens: rotation, expiry, tampering, and both ways of authenticating."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from django.core.management import call_command
from django.test import Client

from accounts.api_auth import CSRF_REFUSED
from accounts.tokens import token_pair_issue, user_for_access_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ME = "/api/auth/me"
REFRESH = "/api/auth/refresh"
LOGOUT = "/api/auth/logout"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def refresh(client, token: str):
    return client.post(
        REFRESH, data=json.dumps({"refresh_token": token}), content_type="application/json"
    )


def test_refresh_rotates_and_the_old_refresh_token_stops_working(client, user):
    pair = token_pair_issue(user=user)
    first = refresh(client, pair.refresh_token)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["refresh_token"] != pair.refresh_token
    assert body["access_token"] != pair.access_token
    assert body["user"]["id"] == user.pk
    assert client.get(ME, **bearer(body["access_token"])).json()["id"] == user.pk

    # The new one works once too.
    second = refresh(client, body["refresh_token"])
    assert second.status_code == 200
    assert refresh(client, body["refresh_token"]).status_code == 401


def test_reusing_a_rotated_refresh_token_revokes_its_whole_family(client, user):
    """Two parties hold the same refresh token (one of them a thief): whoever comes second
    ends the sign-in for both. Other sign-ins of the same member are untouched."""
    other_sign_in = token_pair_issue(user=user)
    pair = token_pair_issue(user=user)
    second = refresh(client, pair.refresh_token).json()
    third = refresh(client, second["refresh_token"]).json()

    reused = refresh(client, pair.refresh_token)
    assert reused.status_code == 401
    assert reused["Content-Type"].startswith("application/json")
    assert "already used" in reused.json()["detail"]
    assert "revoked" in reused.json()["detail"]
    # Every descendant of that sign-in is dead, including the newest one.
    assert refresh(client, third["refresh_token"]).status_code == 401
    assert refresh(client, second["refresh_token"]).status_code == 401
    assert refresh(client, other_sign_in.refresh_token).status_code == 200


def test_logout_revokes_the_sign_ins_refresh_tokens(client, user):
    other_sign_in = token_pair_issue(user=user)
    pair = token_pair_issue(user=user)
    rotated = refresh(client, pair.refresh_token).json()
    response = client.post(LOGOUT, **bearer(rotated["access_token"]))
    assert response.status_code == 200
    assert response.json() == {"logged_out": True}
    after = refresh(client, rotated["refresh_token"])
    assert after.status_code == 401
    assert after["Content-Type"].startswith("application/json")
    assert refresh(client, other_sign_in.refresh_token).status_code == 200
    # Logging out twice is harmless.
    assert client.post(LOGOUT, **bearer(rotated["access_token"])).status_code == 200


def test_logout_needs_credentials_and_signs_a_session_out(client, user):
    anonymous = client.post(LOGOUT)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Authentication required."}
    client.force_login(user)
    assert client.get(ME).status_code == 200
    assert client.post(LOGOUT).status_code == 200
    assert client.get(ME).status_code == 401


def test_logout_is_in_the_openapi_schema(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/auth/logout"]["post"]
    assert {"200", "401", "403"} <= set(operation["responses"])
    assert "refresh token" in operation["description"]


def test_access_tokens_live_900_seconds_the_bound_for_revocation(user, settings):
    # Access tokens are checked by signature alone; after a sign-out, a password change or a
    # revoked family they run out within this lifetime (README: "Tokens").
    assert settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN == 900
    claims = jwt.decode(
        token_pair_issue(user=user).access_token, options={"verify_signature": False}
    )
    assert claims["exp"] - claims["iat"] == 900


def test_an_access_token_is_not_a_refresh_token(client, user):
    pair = token_pair_issue(user=user)
    assert refresh(client, pair.access_token).status_code == 401
    assert refresh(client, "garbage").status_code == 401


def test_a_deactivated_user_can_neither_refresh_nor_call_the_api(client, user):
    pair = token_pair_issue(user=user)
    user.is_active = False
    user.save()
    assert refresh(client, pair.refresh_token).status_code == 401
    response = client.get(ME, **bearer(pair.access_token))
    assert response.status_code == 401


def test_a_password_change_revokes_refresh_tokens(client, user):
    pair = token_pair_issue(user=user)
    user.set_password("a-brand-new-password-42")
    user.save()
    assert refresh(client, pair.refresh_token).status_code == 401


def test_expired_access_token_gets_401_json(client, user, settings):
    settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = -60
    pair = token_pair_issue(user=user)
    response = client.get(ME, **bearer(pair.access_token))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "expired" in response.json()["detail"]


def test_tampered_access_token_gets_401_json(client, user, other_user):
    token = token_pair_issue(user=user).access_token
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["sub"] = str(other_user.pk)
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    forged = f"{header}.{forged_payload}.{signature}"
    response = client.get(ME, **bearer(forged))
    assert response.status_code == 401
    assert response.json() == {"detail": "The access token is invalid or has expired."}


def test_a_token_signed_with_another_key_or_algorithm_is_refused(client, user, settings):
    claims = {
        "sub": str(user.pk),
        "sid": "x",
        "jti": "y",
        "token_use": "access",
        "exp": int(time.time()) + 600,
    }
    hs = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")
    none = jwt.encode(claims, None, algorithm="none")
    for token in (hs, none):
        assert client.get(ME, **bearer(token)).status_code == 401


def test_bad_bearer_does_not_fall_back_to_the_session(client, user):
    client.force_login(user)
    response = client.get(ME, **bearer("not.a.token"))
    assert response.status_code == 401
    assert response.json()["detail"] == "The access token is invalid or has expired."


def test_malformed_authorization_header_is_401_json(client):
    response = client.get(ME, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_anonymous_me_is_401_json_not_a_login_page(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Authentication required."}


def test_me_works_with_the_session(client, user):
    client.force_login(user)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["email"] == user.email


@pytest.mark.urls("tests.accounts.csrf_urls")
def test_session_writes_need_csrf_and_bearer_writes_do_not(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    refused = browser.post("/probe/write")
    assert refused.status_code == 403
    assert refused.json() == {"detail": CSRF_REFUSED}  # JSON, not Django's HTML page
    browser.get("/settings/profile")  # a page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/probe/write", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert response.json() == {"user": user.username}

    app = Client(enforce_csrf_checks=True)
    token = token_pair_issue(user=user).access_token
    response = app.post("/probe/write", **bearer(token))
    assert response.status_code == 200
    assert response.json() == {"user": user.username}


def test_issue_token_prints_a_working_access_token(client, capsys):
    member = UserFactory(username="operator-bot")
    call_command("issue_token", "Operator-Bot")
    token = capsys.readouterr().out.strip()
    assert user_for_access_token(token) == member
    assert client.get(ME, **bearer(token)).json()["username"] == "operator-bot"


def test_issue_token_refuses_unknown_and_inactive_users():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "nobody")
    UserFactory(username="sleeper", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        call_command("issue_token", "sleeper")


def test_a_remembered_token_still_expires_and_a_deactivated_member_is_refused_at_once(
    client, user, monkeypatch
):
    pair = token_pair_issue(user=user)
    assert client.get(ME, **bearer(pair.access_token)).status_code == 200
    # The signature check is remembered; the expiry is not.
    claims = jwt.decode(pair.access_token, options={"verify_signature": False})
    monkeypatch.setattr(time, "time", lambda: claims["exp"] + 1)
    assert client.get(ME, **bearer(pair.access_token)).status_code == 401
    monkeypatch.undo()
    assert client.get(ME, **bearer(pair.access_token)).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(ME, **bearer(pair.access_token)).status_code == 401


def test_a_changed_signing_key_is_used_at_once(client, user, settings):
    # How tokens are checked is read once, and read again when a HEADLESS_ setting changes.
    token = token_pair_issue(user=user).access_token
    assert client.get(ME, **bearer(token)).status_code == 200
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.HEADLESS_JWT_PRIVATE_KEY = other_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    # Signed with the old key: refused once the key has changed.
    assert client.get(ME, **bearer(token)).status_code == 401
    fresh = token_pair_issue(user=user).access_token
    assert client.get(ME, **bearer(fresh)).status_code == 200


@pytest.mark.parametrize("subject", ["abc", "", "1.5", "9" * 40, None, ["1"], {"id": 1}])
def test_a_validly_signed_token_with_a_malformed_subject_is_401(client, user, settings, subject):
    # Signed with the server's own key: only the claim is wrong, and it is as bad as any
    # other bad token (it was a 400 carrying Django's "must be an integer").
    claims = {
        "sub": subject,
        "sid": "x",
        "jti": "y",
        "token_use": "access",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    token = jwt.encode(claims, settings.HEADLESS_JWT_PRIVATE_KEY, algorithm="RS256")
    response = client.get(ME, **bearer(token))
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": "The access token is invalid or has expired."}
