"""The S3 path (Cloudflare R2 or any S3-compatible store) against a real local S3 server:
moto in server mode on 127.0.0.1. Django talks to it through STORAGES only."""

from __future__ import annotations

import json

import boto3
import botocore.config
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from artworks import services
from artworks.media import thumbnail_formats
from artworks.models import Artwork
from tests.artworks.samples import image_bytes, video_bytes

pytestmark = pytest.mark.django_db

BUCKET = "aic-media"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    # The same options settings.py builds from the S3_* variables.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "custom_domain": None,
                "querystring_auth": True,
                "querystring_expire": 3600,
                "file_overwrite": False,
                "default_acl": None,
                "signature_version": "s3v4",
                "addressing_style": "path",
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
                "client_config": botocore.config.Config(
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            },
        },
    }

    def keys() -> list[str]:
        listing = client.list_objects_v2(Bucket=BUCKET)
        return sorted(obj["Key"] for obj in listing.get("Contents", []))

    yield keys
    for key in keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


def test_upload_stores_original_and_thumbnails_in_the_bucket_and_delete_removes_them(
    bucket, client, user, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/artworks/upload", {"file": SimpleUploadedFile("a.png", image_bytes("PNG"))}
        )
    assert response.status_code == 201, response.content
    artwork = Artwork.objects.get()
    assert bucket() == [
        f"artworks/original/{artwork.uuid}.png",
        *thumb_keys(artwork, 40),
    ]
    assert stored_files() == []  # nothing on local disk
    # the API's url is a signed URL that really serves the object
    url = response.json()["url"]
    assert "X-Amz-Signature" in url
    fetched = requests.get(url, timeout=5)
    assert fetched.status_code == 200
    assert fetched.content.startswith(b"\x89PNG")

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/artworks/{artwork.pk}").status_code == 200
    assert bucket() == []


def thumb_keys(artwork, width: int) -> list[str]:
    return sorted(f"artworks/thumb/{artwork.uuid}_{width}.{fmt}" for fmt, _ in thumbnail_formats())


def test_generation_stores_in_the_bucket(bucket, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        artwork = services.artwork_generate(
            author=user,
            prompt="a harbour",
            width=320,
            height=200,
            reference_image=SimpleUploadedFile("r.jpg", image_bytes("JPEG")),
        )
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    # the reference image is gone after success
    assert bucket() == [
        f"artworks/original/{artwork.uuid}.jpg",
        *thumb_keys(artwork, 320),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_delete(artwork=artwork, actor=user)
    assert bucket() == []


def test_a_video_gets_its_poster_in_the_bucket(bucket, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        artwork = services.artwork_upload(
            author=user, file=SimpleUploadedFile("v.mp4", video_bytes("mp4", "libx264"))
        )
    artwork.refresh_from_db()
    assert bucket() == [
        f"artworks/original/{artwork.uuid}.mp4",
        *thumb_keys(artwork, 64),
        f"artworks/thumb/{artwork.uuid}_poster.jpg",
    ]
    # re-running the thumbnail task overwrites the same keys instead of adding new ones
    services.artwork_make_thumbnails(artwork_id=artwork.pk)
    assert len(bucket()) == 2 + len(thumbnail_formats())
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_delete(artwork=artwork, actor=user)
    assert bucket() == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(bucket, client, user):
    client.force_login(user)
    response = client.post(
        "/api/artworks/upload",
        {"file": SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")},
    )
    assert response.status_code == 400
    assert "SVG" in json.loads(response.content)["detail"]
    assert bucket() == []
    assert Artwork.objects.count() == 0


def test_settings_build_the_s3_storage_from_the_environment(s3_server):
    """S3_* variables switch media to the bucket, signing with SigV4 and sending checksums
    only when required (what R2 accepts)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "from django.conf import settings; from django.core.files.storage import default_storage;"
        "cfg = settings.STORAGES['default']['OPTIONS']['client_config'];"
        "print(cfg.signature_version, cfg.request_checksum_calculation, "
        "cfg.response_checksum_validation);"
        "print(default_storage.url('artworks/original/x.png'))"
    )
    env = {
        **os.environ,
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "auto",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == "s3v4 when_required when_required"
    assert lines[-1].startswith(f"{s3_server}/{BUCKET}/artworks/original/x.png?")
    assert "X-Amz-Signature=" in lines[-1]
