"""The API of a member's data: POST/GET /api/me/export, the download, DELETE /api/me."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import User
from memberdata.models import AccountDeletion, DataExport
from tests.factories import UserFactory, make_moderator

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.token_pair_issue(user=user).access_token}"}


def test_export_through_the_api(world, django_capture_on_commit_callbacks):
    client, auth = Client(), bearer(world.member)
    assert client.get("/api/me/export", **auth).json() == {"export": None}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/me/export", **auth)
    assert response.status_code == 202, response.content
    state = client.get("/api/me/export", **auth).json()["export"]
    export = DataExport.objects.get()
    assert state["state"] == "ready" and state["id"] == str(export.uuid)
    assert state["size"] == export.size
    url = state["download_url"]
    assert url == f"http://testserver/api/me/export/{export.uuid}/download"
    response = client.get(url, **auth)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    with default_storage.open(export.file, "rb") as stored:
        assert body == stored.read()
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    # Hostile: anonymous, another member, staff.
    assert Client().get(url).status_code == 401
    for intruder in (UserFactory(), make_moderator(), UserFactory(is_superuser=True)):
        assert Client().get(url, **bearer(intruder)).status_code == 404
        assert Client().get("/api/me/export", **bearer(intruder)).json() == {"export": None}
    # Expired: no URL, and the old one answers 404.
    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    state = client.get("/api/me/export", **auth).json()["export"]
    assert state["state"] == "expired" and state["download_url"] is None
    assert client.get(url, **auth).status_code == 404


def test_the_download_is_declared_as_the_zip_it_is(client):
    operation = client.get("/api/openapi.json").json()["paths"][
        "/api/me/export/{export_id}/download"
    ]["get"]
    content = operation["responses"]["200"]["content"]
    assert content == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


def test_a_second_export_is_409_and_queues_nothing(world, django_capture_on_commit_callbacks):
    client, auth = Client(), bearer(world.member)
    assert client.post("/api/me/export", **auth).status_code == 202  # not run: no commit
    assert client.get("/api/me/export", **auth).json()["export"]["state"] == "pending"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/api/me/export", **auth)
    assert response.status_code == 409
    assert "already being built" in response.json()["detail"]
    assert callbacks == [] and DataExport.objects.count() == 1


def test_anonymous_and_csrf(world):
    assert Client().post("/api/me/export").status_code == 401
    assert Client().get("/api/me/export").status_code == 401
    assert Client().delete("/api/me", {"password": PASSWORD}, "application/json").status_code == 401
    session = Client(enforce_csrf_checks=True)
    session.force_login(world.member)
    assert session.post("/api/me/export").status_code == 403
    assert session.delete("/api/me", {"password": PASSWORD}, "application/json").status_code == 403
    assert not DataExport.objects.exists() and not AccountDeletion.objects.exists()


def test_export_requests_past_the_days_limit_are_429(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "data_export": (1, 24 * 3600)}
    client, auth = Client(), bearer(world.member)
    assert client.post("/api/me/export", **auth).status_code == 202
    DataExport.objects.update(state=DataExport.State.FAILED)  # not running: only the limit
    response = client.post("/api/me/export", **auth)
    assert response.status_code == 429
    assert response.json() == {
        "detail": "You have asked for as many exports as allowed today. Try again tomorrow."
    }
    assert DataExport.objects.count() == 1


def test_delete_me_with_the_password(world, django_capture_on_commit_callbacks):
    client, auth = Client(), bearer(world.member)
    response = client.delete("/api/me", {"password": "wrong"}, "application/json", **auth)
    assert response.status_code == 400
    assert response.json()["detail"] == "That is not your password. Nothing was deleted."
    assert User.objects.get(pk=world.member.pk).is_active
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/me", {"password": PASSWORD}, "application/json", **auth)
    assert response.status_code == 202 and response.json() == {"deleting": True}
    assert not User.objects.filter(pk=world.member.pk).exists()
    assert client.get("/api/auth/me", **auth).status_code == 401


def test_delete_me_refuses_password_guessing_with_429(world):
    client, auth = Client(), bearer(world.member)
    for n in range(5):
        response = client.delete("/api/me", {"password": f"guess {n}"}, "application/json", **auth)
        assert response.status_code == 400
    response = client.delete("/api/me", {"password": PASSWORD}, "application/json", **auth)
    assert response.status_code == 429
    assert set(response.json()) == {"detail"} and "Too many attempts" in response.json()["detail"]
    assert User.objects.get(pk=world.member.pk).is_active
    assert not AccountDeletion.objects.exists()


@pytest.mark.parametrize("body", ['"str"', "[1]", "5", "null", '["password"]'])
def test_delete_me_refuses_a_body_that_is_not_an_object_with_422(world, body):
    # Not a wrong confirmation (400, which also counts towards the 429): the wrong shape.
    client, auth = Client(), bearer(world.member)
    response = client.delete("/api/me", body, "application/json", **auth)
    assert response.status_code == 422, response.content
    assert set(response.json()) == {"detail"}
    assert User.objects.get(pk=world.member.pk).is_active
    assert not AccountDeletion.objects.exists()


def test_delete_me_with_the_username_without_a_password(world, django_capture_on_commit_callbacks):
    world.member.set_unusable_password()
    world.member.save()
    client = Client()
    client.force_login(world.member)
    response = client.delete("/api/me", {"password": "leaver"}, "application/json")
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/me", {"username": "leaver"}, "application/json")
    assert response.status_code == 202
    assert not User.objects.filter(pk=world.member.pk).exists()
    assert client.get("/api/auth/me").status_code == 401  # the session was signed out


def test_delete_me_only_ever_deletes_the_caller_staff_included(
    world, django_capture_on_commit_callbacks
):
    moderator = make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().delete(
            "/api/me", {"password": PASSWORD}, "application/json", **bearer(moderator)
        )
    # The moderator's password is the factory's, the member's too: "me" is the caller, so the
    # moderator's own account goes and the member's stays. No endpoint takes another's id.
    assert response.status_code == 202
    assert User.objects.get(pk=world.member.pk).is_active
    assert not User.objects.filter(pk=moderator.pk).exists()
