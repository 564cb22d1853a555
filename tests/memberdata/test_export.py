"""/settings/export: asked with a POST, built in the background into a private zip that opens
with zipfile, holds every original byte for byte and a JSON document valid against
docs/schemas/export.schema.json; downloaded by its member alone until it expires."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from memberdata import services
from memberdata.models import DataExport
from tests.factories import UserFactory, make_moderator

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs/schemas/export.schema.json").read_text()
)


def ask(client: Client, capture) -> object:
    with capture(execute=True):
        return client.post("/settings/export")


def open_export(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def test_export_is_built_and_holds_every_original_and_a_valid_document(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    response = ask(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    export = DataExport.objects.get(user=world.member)
    assert export.state == DataExport.State.READY
    assert export.file == f"exports/{export.uuid}.zip"
    assert export.size == default_storage.size(export.file)
    assert export.expires_at > timezone.now() + timedelta(days=6)
    archive = open_export(export)
    assert archive.testzip() is None
    document = json.loads(archive.read("export.json"))
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())

    artworks = {a["id"]: a for a in document["artworks"]}
    # Drafts and hidden work included; every original byte-identical to storage.
    assert set(artworks) == {world.published.pk, world.draft.pk, world.hidden.pk}
    for artwork in (world.published, world.draft, world.hidden):
        entry = artworks[artwork.pk]
        with default_storage.open(artwork.original.name, "rb") as stored:
            assert archive.read(entry["file"]) == stored.read()
    published = artworks[world.published.pk]
    assert published["prompt"] == "a paper lantern"
    assert published["negative_prompt"] == "blur"
    assert published["seed"] == 42
    assert published["tags"] == ["night", "paper"]
    assert published["like_count"] == 1 and published["favorite_count"] == 1
    assert artworks[world.draft.pk]["prompt"] == "hidden idea"  # their own hidden prompt
    assert artworks[world.hidden.pk]["rating"] == "mature"
    with default_storage.open(world.member.profile_pic.name, "rb") as stored:
        assert archive.read(document["account"]["avatar"]) == stored.read()
    assert document["account"]["username"] == "leaver"
    assert {r["artwork_id"] for r in document["likes"]} == {
        world.others_art.pk,
        world.others_second.pk,
    }
    assert [r["artwork_id"] for r in document["favorites"]] == [world.others_art.pk]
    assert document["likes"][0]["url"].startswith(f"/artwork/{world.others_art.pk}/")
    [collection] = document["collections"]
    assert collection["name"] == "Favourites of mine"
    assert [i["artwork_id"] for i in collection["items"]] == [
        world.others_art.pk,
        world.published.pk,
    ]
    assert [c["body"] for c in document["comments"]] == ["Lovely harbour"]
    assert [f["username"] for f in document["following"]] == ["stayer"]
    assert [f["username"] for f in document["followers"]] == ["fan"]
    assert [f["username"] for f in document["blocking"]] == ["third"]
    assert [f["username"] for f in document["muting"]] == ["fan"]
    # Nothing of anyone else's artworks in the zip.
    assert len([n for n in archive.namelist() if n.startswith("originals/")]) == 3


def test_schema_refuses_a_document_missing_its_artworks_prompt(world):
    # The schema is strict enough to catch a field that goes missing.
    document = {"format": "aicommunity-export", "version": 1}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def test_page_shows_each_state_and_refreshes_while_building(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    page = client.get("/settings/export")
    assert page.status_code == 200
    assert "You have not asked for an export yet." in page.content.decode()
    assert b'http-equiv="refresh"' not in page.content
    # Asked, not built yet (no commit callbacks run): being built, the page looks again.
    client.post("/settings/export")
    page = client.get("/settings/export").content.decode()
    assert "Your export is being built." in page
    assert 'http-equiv="refresh"' in page
    assert "Ask for a new export" not in page
    services.export_build(export_id=DataExport.objects.get().pk)
    page = client.get("/settings/export").content.decode()
    export = DataExport.objects.get()
    assert "Your export is ready" in page
    assert f"/settings/export/{export.uuid}/download" in page
    assert 'http-equiv="refresh"' not in page
    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get("/settings/export").content.decode()
    assert "Your last export has expired." in page
    assert "/download" not in page
    DataExport.objects.update(state=DataExport.State.FAILED)
    assert "could not be built" in client.get("/settings/export").content.decode()


def test_page_in_chinese(world, client):
    client.force_login(world.member)
    page = client.get("/settings/export", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"


def test_a_second_export_while_one_runs_is_refused_and_nothing_is_queued(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    client.post("/settings/export")  # queued; its task waits for the commit
    first = DataExport.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/settings/export")
    assert response.status_code == 409
    assert "already being built" in response.content.decode()
    assert callbacks == []
    assert list(DataExport.objects.values_list("pk", flat=True)) == [first.pk]
    # In Chinese too: the error is in the reader's language (the catalog's sentence).
    response = client.post("/settings/export", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409
    with translation.override("zh-hans"):
        expected = gettext("An export of your data is already being built. Wait for it to finish.")
    assert expected in response.content.decode()


def test_exports_are_limited_to_a_few_a_day(
    world, client, settings, django_capture_on_commit_callbacks
):
    # Each export zips every original of the member's: asking again and again is refused.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "data_export": (2, 24 * 3600)}
    client.force_login(world.member)
    for _ in range(2):
        assert ask(client, django_capture_on_commit_callbacks).status_code == 302
    latest = DataExport.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/settings/export")
    assert response.status_code == 429
    assert "as many exports as allowed today" in response.content.decode()
    assert callbacks == []
    assert list(DataExport.objects.values_list("pk", flat=True)) == [latest.pk]  # kept
    response = client.post("/settings/export", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    with translation.override("zh-hans"):
        expected = gettext(
            "You have asked for as many exports as allowed today. Try again tomorrow."
        )
    assert expected in response.content.decode()
    # Another member's exports are their own.
    client.force_login(world.other)
    assert ask(client, django_capture_on_commit_callbacks).status_code == 302


def test_a_new_export_replaces_the_old_one_and_its_file(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    ask(client, django_capture_on_commit_callbacks)
    old = DataExport.objects.get()
    assert default_storage.exists(old.file)
    ask(client, django_capture_on_commit_callbacks)
    new = DataExport.objects.get()
    assert new.pk != old.pk and new.state == DataExport.State.READY
    assert not default_storage.exists(old.file)
    assert default_storage.exists(new.file)


def test_a_failed_build_is_marked_failed_and_leaves_no_file(
    world, client, monkeypatch, django_capture_on_commit_callbacks, stored_files
):
    from memberdata.services import exports

    def broken(*args, **kwargs):
        raise OSError("storage unavailable")

    monkeypatch.setattr(exports, "_copy_into", broken)
    client.force_login(world.member)
    ask(client, django_capture_on_commit_callbacks)
    assert DataExport.objects.get().state == DataExport.State.FAILED
    assert not [
        name for name in stored_files() if name.startswith("exports/") and "old" not in name
    ]
    # The member may ask again.
    monkeypatch.undo()
    ask(client, django_capture_on_commit_callbacks)
    assert DataExport.objects.get().state == DataExport.State.READY


def test_download_is_the_members_alone(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.member)
    ask(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    url = f"/settings/export/{export.uuid}/download"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    with default_storage.open(export.file, "rb") as stored:
        assert body == stored.read()
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None

    for intruder in (None, UserFactory(), make_moderator(), UserFactory(is_superuser=True)):
        stranger = Client()
        if intruder is not None:
            stranger.force_login(intruder)
        assert stranger.get(url).status_code == 404, intruder
        # Not through the media view either: exports/ is nobody's there.
        assert stranger.get(f"/media/{export.file}").status_code == 404
    assert client.get(f"/media/{export.file}").status_code == 404
    assert (
        client.get("/settings/export/00000000-0000-0000-0000-000000000000/download").status_code
        == 404
    )


def test_download_ends_when_the_export_expires_and_beat_deletes_it(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    ask(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    url = f"/settings/export/{export.uuid}/download"
    assert client.get(url).status_code == 200
    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_purge_expired() == 1
    assert not DataExport.objects.exists()
    assert not default_storage.exists(export.file)


def test_beat_marks_a_lost_build_failed(world, settings):
    export = DataExport.objects.create(user=world.member)
    DataExport.objects.update(created_at=timezone.now() - timedelta(hours=3))
    services.exports_purge_expired()
    export.refresh_from_db()
    assert export.state == DataExport.State.FAILED


def test_beat_schedule_runs_the_cleanups(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "memberdata.tasks.purge_expired_exports",
        "memberdata.tasks.finish_account_deletions",
    } <= tasks
    from aicommunity.celery import app

    app.loader.import_default_modules()
    assert {"memberdata.tasks.purge_expired_exports", "memberdata.tasks.build_export"} <= set(
        app.tasks
    )


def test_anonymous_is_sent_to_sign_in_and_nothing_is_made(client):
    for method in (client.get, client.post):
        response = method("/settings/export")
        assert response.status_code == 302
        assert response["Location"].startswith("/login")
    assert not DataExport.objects.exists()


def test_the_form_needs_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    assert client.post("/settings/export").status_code == 403
    assert not DataExport.objects.exists()


def test_staff_export_only_their_own(world, client, django_capture_on_commit_callbacks):
    moderator = make_moderator()
    client.force_login(moderator)
    ask(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    assert export.user_id == moderator.pk
    document = json.loads(open_export(export).read("export.json"))
    assert document["artworks"] == [] and document["account"]["username"] == moderator.username


def test_an_original_lost_from_storage_is_left_out_not_fatal(
    world, client, django_capture_on_commit_callbacks
):
    default_storage.delete(world.draft.original.name)
    client.force_login(world.member)
    ask(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    assert export.state == DataExport.State.READY
    archive = open_export(export)
    document = json.loads(archive.read("export.json"))
    jsonschema.validate(document, SCHEMA)
    files = {a["id"]: a["file"] for a in document["artworks"]}
    assert files[world.draft.pk] is None
    assert files[world.published.pk] in archive.namelist()


def test_without_a_broker_the_export_is_built_beside_the_request(
    world, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """MEMBER_DATA_IN_BACKGROUND_THREAD (the embedded default): the request does not build
    the zip itself; a thread beside it does."""
    from memberdata.services import exports

    settings.MEMBER_DATA_IN_BACKGROUND_THREAD = True
    started = []
    monkeypatch.setattr(exports, "run_beside_requests", lambda work, what: started.append(work))
    client.force_login(world.member)
    ask(client, django_capture_on_commit_callbacks)
    assert DataExport.objects.get().state == DataExport.State.PENDING
    [work] = started
    work()
    assert DataExport.objects.get().state == DataExport.State.READY
