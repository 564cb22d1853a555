"""Every answer under /api/ is JSON and declared in the OpenAPI schema: unknown paths and
malformed ids are 404 JSON, unreadable bodies 400, foreign content types 415, schema
violations 422 with one sentence — never an HTML page, never a 500."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tokens import token_pair_issue
from aicommunity.api import api
from artworks.models import Artwork
from tests.factories import PublishedArtworkFactory, tiny_jpeg

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema()
OPERATIONS = [
    (method, path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
]


@pytest.fixture
def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=user).access_token}"}


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response.content[:500]
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/nothing-here"),
        ("get", "/api/artworks/null,null"),
        ("post", "/api/artworks/null,null/publish"),
        ("post", "/api/artworks/abc/like"),
        ("delete", "/api/artworks/1.5/favorite"),
        ("get", "/api/users/me/artworks"),
        ("get", "/api/users/-1/favorites"),
        ("post", "/api/auth/nope"),
    ],
)
def test_unknown_paths_and_malformed_ids_are_404_json(client, bearer, method, path):
    assert_json_error(getattr(client, method)(path, **bearer), 404)


# Operations on an artwork that read a JSON body: one they accept.
ACCEPTED_BODIES = {
    ("patch", "/api/artworks/{artwork_id}"): {"title": "x"},
    ("post", "/api/artworks/{artwork_id}/comments"): {"body": "x"},
    ("post", "/api/artworks/{artwork_id}/report"): {"reason": "spam"},
}


def test_a_missing_artwork_is_404_json_on_every_artwork_operation(client, bearer):
    missing = (Artwork.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    for method, path, _operation in OPERATIONS:
        if "{artwork_id}" in path:
            url = path.replace("{artwork_id}", str(missing))
            # A body the operation accepts, so that only the missing artwork can refuse it.
            accepted = ACCEPTED_BODIES.get((method, path))
            body = {"data": json.dumps(accepted), "content_type": "application/json"}
            response = getattr(client, method)(url, **(body if accepted else {}), **bearer)
            assert_json_error(response, 404)


@pytest.mark.parametrize("path", ["/api/artworks/generate", "/api/artworks/upload"])
def test_multipart_without_a_boundary_is_400_json_not_500(client, bearer, path):
    response = client.post(path, data=b"prompt=x", content_type="multipart/form-data", **bearer)
    assert_json_error(response, 400)
    assert not Artwork.objects.exists()


def test_an_unreadable_body_is_refused_in_the_callers_language(client, bearer):
    """Broken JSON answered ninja's English 'Cannot parse request body', and multipart without
    a boundary 'The multipart body cannot be read: …', to a caller asking for Chinese."""
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans", **bearer}
    broken_json = client.post(
        "/api/collections", data=b"{bad", content_type="application/json", **zh
    )
    assert assert_json_error(broken_json, 400) == {"detail": "请求正文不是有效的 JSON。"}
    no_boundary = client.post(
        "/api/artworks/upload", data=b"prompt=x", content_type="multipart/form-data", **zh
    )
    assert assert_json_error(no_boundary, 400)["detail"].startswith("无法读取 multipart 请求体：")


def test_a_foreign_content_type_on_generate_is_415_json(client, bearer):
    response = client.post(
        "/api/artworks/generate",
        data=json.dumps({"prompt": "a lighthouse"}),
        content_type="text/plain",
        **bearer,
    )
    assert_json_error(response, 415)
    assert not Artwork.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"file": "iVBORw0KGgo="}'),
        ("application/x-www-form-urlencoded", b"title=x"),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_a_foreign_content_type_on_upload_is_415_json(client, bearer, content_type, body):
    response = client.post("/api/artworks/upload", data=body, content_type=content_type, **bearer)
    assert_json_error(response, 415)
    assert not Artwork.objects.exists()


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/refresh"])
def test_an_unparseable_body_is_400_json(client, path):
    response = client.post(path, data=b"{not json", content_type="application/json")
    assert_json_error(response, 400)


BODY_OPERATIONS = [(m, p) for m, p, operation in OPERATIONS if operation.get("requestBody")]


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_every_operation_that_reads_a_body_declares_and_answers_413(
    client, bearer, settings, method, path
):
    # The request body limit (common.body_limit) stands before every endpoint that reads one.
    declared = set(map(int, SCHEMA["paths"][path][method]["responses"]))
    assert 413 in declared, f"{method.upper()} {path}"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.UPLOAD_BODY_LIMITS = {}
    body = json.dumps({"padding": "x" * 2048})
    url = path.replace("{artwork_id}", "1").replace("{collection_id}", "1")
    url = url.replace("{comment_id}", "1")
    response = getattr(client, method)(url, data=body, content_type="application/json", **bearer)
    assert_json_error(response, 413)


def test_a_schema_violation_is_422_with_one_sentence(client):
    body = assert_json_error(client.get("/api/feed?limit=0"), 422)
    assert "limit" in body["detail"]
    body = assert_json_error(
        client.post("/api/auth/refresh", data="{}", content_type="application/json"), 422
    )
    assert "refresh_token" in body["detail"] or "payload" in body["detail"]


def test_a_schema_violation_speaks_the_callers_language(client):
    """The 422's sentence was pydantic's English to a caller asking for Chinese, beside every
    other refusal, which is translated; in English it is pydantic's own, as before."""
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    assert assert_json_error(client.get("/api/feed?limit=0", **zh), 422) == {
        "detail": "query.limit: 应大于或等于 1"
    }
    missing = client.post("/api/auth/refresh", data="{}", content_type="application/json", **zh)
    assert assert_json_error(missing, 422) == {"detail": "body.payload.refresh_token: 缺少此字段"}
    assert assert_json_error(client.get("/api/feed?limit=0"), 422) == {
        "detail": "query.limit: Input should be greater than or equal to 1"
    }


def test_every_schema_violation_speaks_the_callers_language(client, bearer, user):
    """A report's reason out of the list, a body that is an array, and generate's own check
    of its input answered pydantic's English to a caller asking for Chinese."""
    from tests.factories import ArtworkFactory

    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans", **bearer}
    artwork = PublishedArtworkFactory()
    answers = {
        "reason": client.post(
            f"/api/artworks/{artwork.pk}/report",
            data={"reason": "bored"},
            content_type="application/json",
            **zh,
        ),
        "array": client.delete("/api/me", data=[], content_type="application/json", **zh),
        "array to a validator": client.patch(
            f"/api/artworks/{ArtworkFactory(user=user).pk}",
            data=[],
            content_type="application/json",
            **zh,
        ),
        "generate": client.post(
            "/api/artworks/generate", data={"title": 5}, content_type="application/json", **zh
        ),
    }
    details = {name: response.json()["detail"] for name, response in answers.items()}
    assert details["reason"].startswith("body.payload.reason: 应为 'spam'"), details
    assert details["array"] == "body.payload: 应为 JSON 对象（DeleteMeIn）", details
    assert details["array to a validator"] == "body.payload: 请求正文必须是 JSON 对象。", details
    assert details["generate"] == "prompt: 缺少此字段; title: 应为字符串", details


def test_the_translated_schema_messages_are_pydantics_own():
    from pydantic_core import PydanticKnownError

    from common.api import PYDANTIC_MESSAGES

    context = {
        "ge": 1,
        "le": 100,
        "min_length": 2,
        "max_length": 2,
        "actual_length": 3,
        "field_type": "List",
        "expected": "'hot' or 'new'",
        "error": "invalid character",
        "pattern": "^x$",
        "class_name": "ReadIn",
    }
    for kind, template in PYDANTIC_MESSAGES.items():
        error = PydanticKnownError(kind, context if "{" in template else None)
        assert error.message() == template.format(**context), kind


def test_every_operation_declares_its_errors_with_the_one_error_schema():
    for method, path, operation in OPERATIONS:
        responses = operation["responses"]
        label = f"{method.upper()} {path}"
        # Parameters or a body can break the schema; a protected endpoint can be refused.
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses or 422 in responses, label
        if operation.get("security"):
            assert {401, 403} <= set(map(int, responses)), label
        if "{artwork_id}" in path or "{user_id}" in path:
            assert 404 in set(map(int, responses)), label
        for status, response in responses.items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorOut", (label, status)


def test_endpoints_where_signing_in_is_optional_say_so_in_the_schema():
    optional = {"/api/feed", "/api/artworks/{artwork_id}", "/api/users/{user_id}/artworks"}
    for method, path, operation in OPERATIONS:
        if method == "get" and path in optional:
            assert {} in operation["security"], path


def test_a_published_artwork_reads_as_json_for_anonymous_and_bearer(client, bearer):
    artwork = PublishedArtworkFactory()
    assert client.get(f"/api/artworks/{artwork.pk}").json()["id"] == artwork.pk
    assert client.get(f"/api/artworks/{artwork.pk}", **bearer).json()["id"] == artwork.pk


@pytest.mark.parametrize("value", ["{}", "0", "maybe"])
def test_generate_refuses_a_prompt_hidden_that_is_not_a_boolean(client, bearer, value):
    response = client.post(
        "/api/artworks/generate", {"prompt": "a lighthouse", "prompt_hidden": value}, **bearer
    )
    assert_json_error(response, 400)
    assert "prompt_hidden" in response.json()["detail"]
    assert not Artwork.objects.exists()


def test_generate_reads_a_boolean_or_a_checkbox_from_a_form(client, bearer):
    hidden = client.post(
        "/api/artworks/generate", {"prompt": "a lighthouse", "prompt_hidden": "on"}, **bearer
    )
    assert hidden.status_code == 202
    assert Artwork.objects.get().prompt_hidden is True


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a lighthouse", "width": "512"},
        {"prompt": "a lighthouse", "seed": True},
        {"prompt": "a lighthouse", "prompt_hidden": "false"},
        {"prompt": 42},
    ],
)
def test_generate_refuses_json_of_the_wrong_type(client, bearer, body):
    response = client.post(
        "/api/artworks/generate", data=json.dumps(body), content_type="application/json", **bearer
    )
    assert_json_error(response, 400)
    assert not Artwork.objects.exists()


@pytest.mark.parametrize("field", ["size", "seed", "width"])
def test_generate_refuses_an_empty_form_field_the_schema_does_not_allow(client, bearer, field):
    response = client.post(
        "/api/artworks/generate", {"prompt": "a lighthouse", field: ""}, **bearer
    )
    assert_json_error(response, 400)
    assert not Artwork.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a lighthouse", "width": 64, "height": 63, "size": "64x64"},
        {"prompt": "a lighthouse", "width": 0},
        {"prompt": "a lighthouse", "height": 0, "size": "512x512"},
    ],
)
def test_generate_refuses_sizes_out_of_range_even_beside_a_valid_size(client, bearer, body):
    response = client.post(
        "/api/artworks/generate", data=json.dumps(body), content_type="application/json", **bearer
    )
    assert_json_error(response, 400)
    assert not Artwork.objects.exists()


def test_text_with_a_nul_character_is_refused_before_the_database(client, bearer):
    # PostgreSQL cannot store NUL in text: it used to surface as a 500.
    response = client.post(
        "/api/artworks/generate",
        data=json.dumps({"prompt": "a light\x00house"}),
        content_type="application/json",
        **bearer,
    )
    assert_json_error(response, 400)
    upload = client.post(
        "/api/artworks/upload",
        {"file": SimpleUploadedFile("a.jpg", tiny_jpeg(), "image/jpeg"), "title": "x\x00y"},
        **bearer,
    )
    assert_json_error(upload, 422)
    assert not Artwork.objects.exists()


def test_the_schema_says_text_fields_hold_no_nul():
    body = SCHEMA["paths"]["/api/artworks/generate"]["post"]["requestBody"]["content"]
    properties = body["application/json"]["schema"]["properties"]
    assert "\\x00" in properties["prompt"]["pattern"]
    assert "\\x00" in properties["title"]["pattern"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/api/artworks/generate", "POST"),
        ("put", "/api/feed", "GET"),
        ("patch", "/api/auth/me", "GET"),
    ],
)
def test_a_method_an_endpoint_does_not_take_is_405_json_with_allow(client, method, path, allow):
    response = getattr(client, method)(path)
    assert_json_error(response, 405)
    assert response["Allow"] == allow


def test_an_unhandled_error_under_api_is_500_json(client):
    from unittest import mock

    from django.db import OperationalError, connection

    client.raise_request_exception = False
    secret = "could not connect to server db-9.internal"
    with mock.patch.object(connection, "cursor", side_effect=OperationalError(secret)):
        response = client.get("/api/feed")
    body = assert_json_error(response, 500)
    assert "db-9" not in body["detail"]


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "body",
    ["[null, null]", "5", '"title"', '{"title": "a\\u0000b"}', '{"prompt_hidden": "yes"}'],
)
def test_an_edit_that_is_not_an_object_of_the_right_types_is_422_and_changes_nothing(
    client, user, bearer, body
):
    artwork = PublishedArtworkFactory(user=user, title="Kept")
    response = client.patch(
        f"/api/artworks/{artwork.pk}", data=body, content_type="application/json", **bearer
    )
    assert_json_error(response, 422)
    artwork.refresh_from_db()
    assert artwork.title == "Kept"


JSON_ONLY_OPERATIONS = [
    (m, p)
    for m, p, operation in OPERATIONS
    if list(operation.get("requestBody", {}).get("content", {})) == ["application/json"]
]


def _any_ids(path: str) -> str:
    for name in ("{artwork_id}", "{collection_id}", "{comment_id}"):
        path = path.replace(name, "1")
    return path


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize(("method", "path"), JSON_ONLY_OPERATIONS)
def test_a_json_endpoint_refuses_a_body_of_another_type_with_415(
    client, bearer, method, path, content_type
):
    assert len(JSON_ONLY_OPERATIONS) >= 12  # the schema lists them all
    assert 415 in set(map(int, SCHEMA["paths"][path][method]["responses"])), path
    response = getattr(client, method)(
        _any_ids(path), data='{"title": "x"}', content_type=content_type, **bearer
    )
    body = assert_json_error(response, 415)
    assert "application/json" in body["detail"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
def test_json_is_read_in_any_of_its_spellings(client, bearer, user, content_type):
    artwork = PublishedArtworkFactory(user=user)
    response = client.patch(
        f"/api/artworks/{artwork.pk}",
        data=json.dumps({"title": "Harbour at dawn"}),
        content_type=content_type,
        **bearer,
    )
    assert response.status_code == 200, response.content
    artwork.refresh_from_db()
    assert artwork.title == "Harbour at dawn"


def test_the_415_speaks_the_callers_language(client, bearer):
    response = client.post(
        "/api/collections",
        data='{"name": "x"}',
        content_type="text/plain",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **bearer,
    )
    assert assert_json_error(response, 415)["detail"] == "请以 application/json 格式发送请求正文。"


def test_an_error_from_around_the_api_reads_as_a_sentence_like_the_apis_own(client, bearer):
    artwork = PublishedArtworkFactory()
    response = client.put(f"/api/artworks/{artwork.pk}/like", **bearer)
    assert assert_json_error(response, 405) == {"detail": "Method not allowed."}
    assert "POST" in response["Allow"]


def test_an_error_from_around_the_api_speaks_the_callers_language(client, bearer):
    """The router's 405 said 'Method not allowed.' in English to a caller asking for Chinese,
    beside the API's own refusals, which are translated."""
    artwork = PublishedArtworkFactory()
    response = client.put(
        f"/api/artworks/{artwork.pk}/like", HTTP_ACCEPT_LANGUAGE="zh-hans", **bearer
    )
    assert assert_json_error(response, 405) == {"detail": "不支持该请求方法。"}
    assert "POST" in response["Allow"]
    assert response["Content-Language"] == "zh-hans"


def test_the_apis_own_refusals_speak_the_callers_language(client, bearer):
    """Not found, bad credentials, someone else's drafts or favorites, a bad refresh token,
    Google sign-in turned off, an unreadable body: these said English whatever
    Accept-Language asked for, while the services' refusals were translated."""
    from tests.factories import UserFactory

    other = UserFactory()
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    answers = {
        "not found": client.get("/api/artworks/999999", **zh),
        "no such path": client.get("/api/no/such/path", **zh),
        "bad token": client.get("/api/auth/me", HTTP_AUTHORIZATION="Bearer nonsense", **zh),
        "bad header": client.get("/api/auth/me", HTTP_AUTHORIZATION="Basic abc", **zh),
        "signed out": client.get("/api/auth/me", **zh),
        "drafts": client.get(f"/api/users/{other.pk}/artworks?status=draft", **bearer, **zh),
        "favorites": client.get(f"/api/users/{other.pk}/favorites", **bearer, **zh),
        "refresh": client.post(
            "/api/auth/refresh",
            {"refresh_token": "nonsense"},
            content_type="application/json",
            **zh,
        ),
        "google off": client.post(
            "/api/auth/login", {"id_token": "x"}, content_type="application/json", **zh
        ),
    }
    english = {
        name: response.json()["detail"]
        for name, response in answers.items()
        if not re.search(r"[\u4e00-\u9fff]", response.json()["detail"])
    }
    assert not english, english
