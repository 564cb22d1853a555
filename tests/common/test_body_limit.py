"""A request body over its path's limit is refused with 413 before anything reads it, and a
file that passes its endpoint's limit while streaming in is stopped there."""

from __future__ import annotations

import gc
import json as json_module

import pytest
from django.test.client import ClientHandler, RequestFactory

from artworks.models import Artwork

pytestmark = pytest.mark.django_db

BOUNDARY = "----limit-test"
MB = 1024 * 1024


class CountingInput:
    """A wsgi.input that makes up `total` bytes on demand (a multipart head, then filler) and
    counts what is read from it."""

    def __init__(self, total: int, head: bytes = b"", tail: bytes = b"") -> None:
        self.total, self.head, self.tail = total, head, tail
        self.bytes_read = 0

    def _byte_range(self, start: int, size: int) -> bytes:
        body_end = self.total - len(self.tail)
        out = bytearray()
        for pos in range(start, start + size):
            if pos < len(self.head):
                out += self.head[pos : pos + 1]
            elif pos < body_end:
                out += b"a"
            else:
                out += self.tail[pos - body_end : pos - body_end + 1]
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        remaining = self.total - self.bytes_read
        size = remaining if size is None or size < 0 else min(size, remaining)
        chunk = self._fast_range(self.bytes_read, size)
        self.bytes_read += len(chunk)
        return chunk

    def _fast_range(self, start: int, size: int) -> bytes:
        body_end = self.total - len(self.tail)
        if len(self.head) <= start and start + size <= body_end:
            return b"a" * size
        return self._byte_range(start, size)

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def multipart(total: int, *, field: str = "file", filename: str = "big.mp4") -> CountingInput:
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return CountingInput(total, head=head, tail=tail)


CSRF_SECRET = "k" * 32


def signed_in(client, user) -> dict:
    """The headers of a signed-in browser (session and CSRF cookies, CSRF header)."""
    client.force_login(user)
    session = client.cookies["sessionid"].value
    return {
        "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF_SECRET}",
        "HTTP_X_CSRFTOKEN": CSRF_SECRET,
    }


def send(path: str, stream: CountingInput, *, content_type: str, **headers):
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(stream.total),
        **{"wsgi.input": stream},
        **headers,
    )
    # CSRF checks on, as in production: the CSRF middleware is what reads a form's body first.
    return ClientHandler(enforce_csrf_checks=True)(environ)


def json_of(response) -> dict:
    return json_module.loads(response.content)


FORM = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.mark.parametrize(
    ("path", "size", "content_type", "json"),
    [
        ("/create", 150 * MB, FORM, False),
        ("/api/artworks/upload", 150 * MB, FORM, True),
        ("/api/artworks/generate", 30 * MB, FORM, True),
        ("/settings/profile", 30 * MB, FORM, False),
        ("/api/artworks/1/like", 3 * MB, "application/json", True),
        ("/login", 3 * MB, "application/x-www-form-urlencoded", False),
    ],
)
def test_an_oversize_body_is_refused_before_it_is_read(
    path, size, content_type, json, client, user
):
    stream = multipart(size) if content_type == FORM else CountingInput(size)
    response = send(path, stream, content_type=content_type, **signed_in(client, user))
    assert response.status_code == 413, response.content[:300]
    assert stream.bytes_read == 0
    if json:
        assert "too large" in json_of(response)["detail"]
    else:
        body = response.content.decode()
        assert "The request is too large: at most" in body
        assert "<html" in body
    assert Artwork.objects.count() == 0


def test_the_refusal_names_the_endpoints_limit(settings):
    settings.UPLOAD_MAX_VIDEO_BYTES = 50 * MB
    stream = multipart(150 * MB)
    response = send("/api/artworks/upload", stream, content_type=FORM)
    assert response.status_code == 413
    assert json_of(response)["detail"] == (
        "The request is too large: at most 50.0\xa0MB can be sent here."
    )


def test_a_body_within_the_limit_reaches_the_view(client, user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    stream = multipart(300_000, filename="noise.bin")
    response = send("/api/artworks/upload", stream, content_type=FORM, **signed_in(client, user))
    assert response.status_code == 400  # read in full and refused by content, not by size
    assert stream.bytes_read == stream.total
    assert "not a supported image or video" in json_of(response)["detail"]


@pytest.fixture
def small_upload_limits(settings):
    # Bodies above 50 kB are checked; the largest file either endpoint takes is 100 KB.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    settings.UPLOAD_MAX_VIDEO_BYTES = 102_400
    settings.UPLOAD_MAX_IMAGE_BYTES = 102_400


def test_a_file_passing_its_limit_is_stopped_while_streaming_in_a_form(
    small_upload_limits, client, user
):
    # Declared 300 kB: within the 100 kB file + margin, so the middleware lets it in; the
    # upload handler stops the file once it passes 100 kB.
    stream = multipart(300_000)
    response = send("/create", stream, content_type=FORM, **signed_in(client, user))
    assert response.status_code == 413
    assert "The request is too large: at most 100.0\xa0KB" in response.content.decode()
    assert 102_400 < stream.bytes_read < 200_000


def test_a_file_passing_its_limit_is_stopped_while_streaming_in_the_api(
    small_upload_limits, client, user, stored_files
):
    stream = multipart(300_000)
    response = send("/api/artworks/upload", stream, content_type=FORM, **signed_in(client, user))
    assert response.status_code == 413, response.content[:300]
    assert "too large" in json_of(response)["detail"]
    assert 102_400 < stream.bytes_read < 200_000
    assert Artwork.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("path", ["/create", "/api/artworks/upload"])
def test_a_stopped_file_leaves_no_temporary_file_behind(
    small_upload_limits, settings, tmp_path, client, user, path
):
    # The part that streamed in before the stop (up to the largest file an endpoint takes,
    # 100 MB by default) is removed at once, not whenever the garbage collector comes by.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000  # this body goes to a temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    gc.disable()
    try:
        response = send(path, multipart(300_000), content_type=FORM, **signed_in(client, user))
        assert response.status_code == 413
        assert list(tmp_path.iterdir()) == []
    finally:
        gc.enable()


def test_uploads_above_a_few_megabytes_go_to_a_temporary_file(settings):
    from django.core.files.uploadhandler import load_handler

    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    request = RequestFactory().post("/api/artworks/upload")
    handlers = [load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    assert type(handlers[-1]).__name__ == "TemporaryFileUploadHandler"


def test_the_schema_documents_413_on_the_upload_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/artworks/upload", "/api/artworks/generate"):
        assert "413" in paths[path]["post"]["responses"], path
