"""The artworks API: generate, upload, publish, unpublish, delete, detail (blueprint §2)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from artworks.models import Artwork
from tests.artworks.samples import image_bytes
from tests.factories import ArtworkFactory, PublishedArtworkFactory

pytestmark = pytest.mark.django_db


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_generate_with_json_returns_the_draft(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client,
            "/api/artworks/generate",
            {"prompt": "a paper boat", "size": "512x512", "seed": 3, "title": "Boat"},
        )
    assert response.status_code == 202, response.content
    body = response.json()
    artwork = Artwork.objects.get()
    # the blueprint's fields, under its names
    assert body["artwork_id"] == artwork.pk
    assert body["status"] == "draft"
    assert "url" in body
    # extras
    assert body["title"] == "Boat"
    assert body["generation_status"] == "queued"  # answered before the task ran
    assert body["author"]["username"] == user.username
    assert body["seed"] == 3 and body["size"] == "512x512"
    # the task ran after commit; the API now shows the finished draft
    body = client.get(f"/api/artworks/{artwork.pk}").json()
    assert body["generation_status"] == "done"
    assert body["url"].endswith(f"{artwork.uuid}.jpg")
    assert body["thumbnails"]


def test_generate_with_multipart_and_a_reference_file(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/artworks/generate",
            {
                "prompt": "like this but blue",
                "width": "256",
                "height": "128",
                "prompt_hidden": "true",
                "file": SimpleUploadedFile("ref.png", image_bytes("PNG")),
            },
        )
    assert response.status_code == 202, response.content
    artwork = Artwork.objects.get()
    assert artwork.prompt_hidden is True
    assert artwork.size == "256x128"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({}, "prompt"),
        ({"prompt": ""}, "Describe"),
        ({"prompt": "x", "width": 9999, "height": 10}, "Sizes go from"),
        ({"prompt": "x", "size": "big"}, "size"),
        ({"prompt": "x", "seed": -5}, "seed"),
    ],
)
def test_generate_rejects_bad_input_with_a_clear_400(client, user, payload, words):
    client.force_login(user)
    response = post_json(client, "/api/artworks/generate", payload)
    assert response.status_code == 400
    assert words.lower() in response.json()["detail"].lower()
    assert Artwork.objects.count() == 0


def test_generate_rejects_a_body_that_is_not_json(client, user):
    client.force_login(user)
    response = client.post("/api/artworks/generate", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_creation_needs_a_signed_in_user(client):
    assert post_json(client, "/api/artworks/generate", {"prompt": "x"}).status_code == 401
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    assert client.post("/api/artworks/upload", {"file": upload}).status_code == 401
    assert Artwork.objects.count() == 0


def test_upload_returns_the_draft(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/artworks/upload",
            {"file": SimpleUploadedFile("x.gif", image_bytes("GIF")), "title": "Gif"},
        )
    assert response.status_code == 201, response.content
    body = response.json()
    artwork = Artwork.objects.get()
    assert body["artwork_id"] == artwork.pk
    assert body["url"].endswith(f"artworks/original/{artwork.uuid}.gif")
    assert body["status"] == "draft" and body["title"] == "Gif"
    assert body["source"] == "uploaded"


def test_api_creation_is_rate_limited(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_create": (1, 3600)}
    client.force_login(user)
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    assert client.post("/api/artworks/upload", {"file": upload}).status_code == 201
    second = post_json(client, "/api/artworks/generate", {"prompt": "x"})
    assert second.status_code == 429
    assert "detail" in second.json()


def test_refused_attempts_do_not_use_up_the_creation_limit(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_create": (1, 3600)}
    client.force_login(user)
    for mistake in ({"prompt": "\u200b"}, {"prompt": "x", "rating": "spicy"}):
        assert post_json(client, "/api/artworks/generate", mistake).status_code == 400
    refused = client.post("/api/artworks/upload", {"file": SimpleUploadedFile("a.png", b"no")})
    assert refused.status_code == 400
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    assert client.post("/api/artworks/upload", {"file": upload}).status_code == 201
    second = post_json(client, "/api/artworks/generate", {"prompt": "x"})
    assert second.status_code == 429
    assert Artwork.objects.count() == 1


def test_attempts_have_a_limit_of_their_own(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_create_attempt": (2, 3600)}
    client.force_login(user)
    for _ in range(2):
        refused = client.post("/api/artworks/upload", {"file": SimpleUploadedFile("a.png", b"no")})
        assert refused.status_code == 400
    third = post_json(client, "/api/artworks/generate", {"prompt": "x"})
    assert third.status_code == 429
    assert "detail" in third.json()
    assert Artwork.objects.count() == 0


def test_publish_unpublish_and_delete(
    client, user, stored_files, django_capture_on_commit_callbacks
):
    draft = ArtworkFactory(user=user)
    client.force_login(user)
    response = client.post(f"/api/artworks/{draft.pk}/publish")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]
    response = client.post(f"/api/artworks/{draft.pk}/unpublish")
    assert response.json()["status"] == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/artworks/{draft.pk}")
    assert response.status_code == 200
    assert response.json() == {"deleted": True, "artwork_id": draft.pk}
    assert not Artwork.objects.exists()
    assert stored_files() == []


def test_publishing_before_the_image_exists_is_a_409_conflict(client, user):
    # A well-formed request for something not in a state that allows it: 409, not 400.
    draft = ArtworkFactory(user=user, with_file=False, generation_status="queued")
    client.force_login(user)
    response = client.post(f"/api/artworks/{draft.pk}/publish")
    assert response.status_code == 409
    assert "wait for it to finish" in response.json()["detail"]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publishing_a_failed_generation_says_to_try_again_not_to_wait(client, user):
    draft = ArtworkFactory(
        user=user, with_file=False, generation_status="failed", generation_error="Timed out."
    )
    client.force_login(user)
    response = client.post(f"/api/artworks/{draft.pk}/publish")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The generation failed, so there is no image to publish; try again."
    }
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_retrying_a_generation_that_did_not_fail_is_a_409_conflict(client, user):
    artwork = ArtworkFactory(user=user)  # generation done
    client.force_login(user)
    response = client.post(f"/api/artworks/{artwork.pk}/retry")
    assert response.status_code == 409
    assert "Only a failed generation" in response.json()["detail"]


def test_detail_shows_a_draft_to_its_author_only(client, user, other_user):
    draft = ArtworkFactory(user=user)
    assert client.get(f"/api/artworks/{draft.pk}").status_code == 404
    client.force_login(other_user)
    assert client.get(f"/api/artworks/{draft.pk}").status_code == 404
    client.force_login(user)
    body = client.get(f"/api/artworks/{draft.pk}").json()
    assert body["artwork_id"] == draft.pk and body["author"]["id"] == user.pk


def test_detail_of_a_published_artwork_is_public(client, user):
    artwork = PublishedArtworkFactory(user=user)
    body = client.get(f"/api/artworks/{artwork.pk}").json()
    assert body["status"] == "published"
    assert body["author"]["username"] == user.username
    assert body["isLiked"] is None  # anonymous


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/artworks/{id}/publish"),
        ("post", "/api/artworks/{id}/unpublish"),
        ("post", "/api/artworks/{id}/retry"),
        ("delete", "/api/artworks/{id}"),
        ("get", "/api/artworks/{id}"),
    ],
)
def test_another_user_cannot_touch_someones_draft_through_the_api(
    client, user, other_user, method, path
):
    draft = ArtworkFactory(user=user)
    client.force_login(other_user)
    response = getattr(client, method)(path.format(id=draft.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Artwork.objects.get(pk=draft.pk).status == Artwork.Status.DRAFT


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/artworks/{id}/unpublish"), ("delete", "/api/artworks/{id}")],
)
def test_another_user_cannot_unpublish_or_delete_a_published_artwork(
    client, user, other_user, method, path
):
    artwork = PublishedArtworkFactory(user=user)
    client.force_login(other_user)
    response = getattr(client, method)(path.format(id=artwork.pk))
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Artwork.objects.get(pk=artwork.pk).status == Artwork.Status.PUBLISHED


def test_a_hidden_prompt_is_not_in_the_api_for_others(client, user, other_user):
    artwork = PublishedArtworkFactory(user=user, prompt="secret", prompt_hidden=True, seed=77)
    client.force_login(other_user)
    body = client.get(f"/api/artworks/{artwork.pk}").json()
    assert body["prompt"] is None and body["seed"] is None
    assert "secret" not in json.dumps(body)


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/artworks/generate",
        "/api/artworks/upload",
        "/api/artworks/{artwork_id}",
        "/api/artworks/{artwork_id}/publish",
    ):
        assert path in paths
    body = paths["/api/artworks/generate"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)


def test_upload_without_a_file_says_so(client, user):
    client.force_login(user)
    response = client.post("/api/artworks/upload", {"title": "nothing"})
    assert response.status_code == 400
    assert "Choose a file" in response.json()["detail"]


def test_an_unreadable_upload_body_is_refused_in_the_callers_language(client, user):
    # multipart/form-data without a boundary (or with headers too large to read)
    client.force_login(user)
    response = client.post(
        "/api/artworks/upload",
        b"x",
        content_type="multipart/form-data",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "无法读取 multipart 请求体：请检查其边界（boundary）和各部分的标头。"
    }


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 200), ("description", 5000), ("alt_text", 300)]
)
def test_upload_refuses_text_over_its_limit_rather_than_cutting_it(client, user, field, limit):
    # As generate, the edit API and the upload form do: nothing the member wrote is dropped.
    client.force_login(user)
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    response = client.post("/api/artworks/upload", {"file": upload, field: "x" * (limit + 1)})
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert Artwork.objects.count() == 0


def test_control_characters_are_left_out_of_what_a_member_types(client, user):
    # Invisible, and invalid in a page, a feed or a file: tab and line breaks stay.
    client.force_login(user)
    generated = post_json(
        client,
        "/api/artworks/generate",
        {"prompt": "a boat\x01 at\x1b dawn", "negative_prompt": "fog\x7f", "alt_text": "a\x0bb"},
    )
    assert generated.status_code == 202, generated.content
    artwork = Artwork.objects.get(pk=generated.json()["id"])
    assert (artwork.prompt, artwork.title) == ("a boat at dawn", "a boat at dawn")
    assert (artwork.negative_prompt, artwork.alt_text) == ("fog", "ab")
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    uploaded = client.post(
        "/api/artworks/upload", {"file": upload, "title": "Bell\x07", "description": "a\tb\nc\x08"}
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["title"] == "Bell"
    assert uploaded.json()["description"] == "a\tb\nc"
    edited = client.patch(
        f"/api/artworks/{artwork.pk}",
        json.dumps({"title": "New\x02 title"}),
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert Artwork.objects.get(pk=artwork.pk).title == "New title"


def test_a_prompt_of_control_characters_alone_is_blank(client, user):
    client.force_login(user)
    response = post_json(client, "/api/artworks/generate", {"prompt": "\x01\x02"})
    assert response.status_code == 400
    assert "Describe" in response.json()["detail"]
    assert Artwork.objects.count() == 0


def test_a_prompt_or_title_of_invisible_characters_alone_is_blank(client, user):
    client.force_login(user)
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u202a\u202e\u2066\u2069"
    response = post_json(client, "/api/artworks/generate", {"prompt": invisible})
    assert response.status_code == 400
    assert "Describe" in response.json()["detail"]
    assert Artwork.objects.count() == 0
    # A title is optional when creating: a blank one gets the default title.
    kite = {"prompt": "a kite", "title": invisible}
    generated = post_json(client, "/api/artworks/generate", kite)
    assert generated.json()["title"] == "a kite"
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    uploaded = client.post("/api/artworks/upload", {"file": upload, "title": invisible})
    assert uploaded.json()["title"] == "Untitled"


def test_an_invisible_title_does_not_give_a_hidden_prompt_away(client, user):
    client.force_login(user)
    response = post_json(
        client,
        "/api/artworks/generate",
        {"prompt": "my secret recipe", "prompt_hidden": True, "title": "\u200b"},
    )
    assert response.status_code == 202, response.content
    assert Artwork.objects.get().title == "Untitled"


def test_bidi_controls_are_left_out_of_a_title_and_other_text_stays(client, user):
    # An override can make a title, and the author's name beside it, read reversed.
    client.force_login(user)
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    title = "\u202egnp.exe\u202c by \u2067someone\u2069"
    uploaded = client.post("/api/artworks/upload", {"file": upload, "title": title})
    assert uploaded.json()["title"] == "gnp.exe by someone"
    # Chinese, emoji (a family joined with ZWJ), a combining accent, an Arabic title.
    kept = "星空 下的猫 👩\u200d👩\u200d👧 café\u0301 سلام"
    generated = post_json(client, "/api/artworks/generate", {"prompt": kept})
    assert generated.json()["title"] == kept
    assert Artwork.objects.get(pk=generated.json()["id"]).prompt == kept


def test_an_alt_text_of_nothing_visible_lets_the_title_describe_the_picture(client, user):
    # The picture's alt is its alt text, else its title: a blank one must not stand in.
    client.force_login(user)
    upload = SimpleUploadedFile("a.png", image_bytes("PNG"))
    data = {"file": upload, "title": "Harbour", "alt_text": " \u200b ", "description": "\ufeff"}
    uploaded = client.post("/api/artworks/upload", data)
    assert uploaded.status_code == 201, uploaded.content
    artwork = Artwork.objects.get(pk=uploaded.json()["id"])
    assert (artwork.alt_text, artwork.description) == ("", "")
    edited = client.patch(
        f"/api/artworks/{artwork.pk}",
        json.dumps({"alt_text": "\u2060  "}),
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert Artwork.objects.get(pk=artwork.pk).alt_text == ""
    page = client.get(artwork.get_absolute_url()).content.decode()
    assert 'alt="Harbour"' in page
