"""The S3 path (Cloudflare R2 or any S3-compatible store) against a real local S3 server:
moto in server mode on 127.0.0.1. Django talks to it through STORAGES only."""

from __future__ import annotations

import json

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from artworks import services
from artworks.media import thumbnail_formats
from artworks.models import Artwork
from artworks.selectors import artwork_media_names
from tests.artworks.samples import image_bytes, video_bytes
from tests.artworks.takedowns import TAKEDOWNS
from tests.factories import UserFactory, make_moderator
from tests.s3_bucket import BUCKET

pytestmark = pytest.mark.django_db


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
    # the API's url is the site's media view, which redirects to a short-lived signed URL
    url = response.json()["url"]
    assert url == f"/media/artworks/original/{artwork.uuid}.png"
    assert fetch_through_site(client, url).startswith(b"\x89PNG")

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
        "print(default_storage.url('artworks/original/x.png'));"
        "print(default_storage.signed_url('artworks/original/x.png'));"
        "print(default_storage.object_parameters)"
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
    assert lines[-4] == "s3v4 when_required when_required"
    # pages get the site's own media view; only the view hands out (short-lived) signed URLs
    assert lines[-3] == "/media/artworks/original/x.png"
    assert lines[-2].startswith(f"{s3_server}/{BUCKET}/artworks/original/x.png?")
    assert "X-Amz-Signature=" in lines[-2] and "X-Amz-Expires=300&" in lines[-2]
    assert lines[-1] == "{'CacheControl': 'private, max-age=300'}"


def test_a_public_bucket_domain_is_refused(s3_server):
    """Objects behind a public domain would stay online after a takedown."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "S3_BUCKET": BUCKET, "S3_PUBLIC_DOMAIN": "media.example.com"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "S3_PUBLIC_DOMAIN is no longer supported" in result.stderr


def fetch_through_site(client, url: str) -> bytes:
    """What a browser does with a media URL from a page: ask the site, follow its redirect to
    the bucket."""
    response = client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    signed = response["Location"]
    assert signed.startswith("http://127.0.0.1:") and "X-Amz-Signature=" in signed
    fetched = requests.get(signed, timeout=5)
    assert fetched.status_code == 200, signed
    return fetched.content


def raw_object_url(s3_server: str, key: str) -> str:
    return f"{s3_server}/{BUCKET}/{key}"


@pytest.fixture
def s3_client(s3_server):
    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_objects_are_private_and_not_cached_for_long(bucket, s3_server, s3_client, user):
    artwork = services.artwork_upload(
        author=user, file=SimpleUploadedFile("a.png", image_bytes("PNG"))
    )
    key = artwork.original.name
    head = s3_client.head_object(Bucket=BUCKET, Key=key)
    assert head["CacheControl"] == "private, max-age=300"
    grants = s3_client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants), grants  # no AllUsers
    assert requests.get(raw_object_url(s3_server, key), timeout=5).status_code == 403


def bytes_at(client, url: str) -> bytes | None:
    """The bytes a browser gets at a media URL a page or the API gave (a site URL, following
    the site's redirect, or a bucket URL), or None when it is refused."""
    if not url.startswith("http"):
        response = client.get(url)
        if response.status_code != 302:
            return None
        url = response["Location"]
    fetched = requests.get(url, timeout=5)
    return fetched.content if fetched.status_code == 200 else None


@pytest.mark.parametrize("takedown", TAKEDOWNS, ids=lambda t: t.name)
def test_on_s3_a_takedown_takes_every_file_down_and_a_restore_brings_it_back(
    takedown, bucket, s3_server, s3_client, user, django_capture_on_commit_callbacks
):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        artwork = services.artwork_upload(
            author=user, file=SimpleUploadedFile("v.mp4", video_bytes("mp4", "libx264"))
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_publish(artwork=artwork, actor=user)
    artwork.refresh_from_db()
    keys = sorted(artwork_media_names(artwork))
    assert keys == bucket()  # original, thumbnails and poster: every object there is
    stored = {k: s3_client.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys}
    anonymous = Client()
    data = anonymous.get(f"/api/artworks/{artwork.pk}").json()
    urls = [data["url"], data["poster_url"], *(t["url"] for t in data["thumbnails"])]
    assert len(urls) == len(keys)
    # every URL the public was given works, and the cache of the artwork is now warm
    assert sorted(bytes_at(anonymous, url) for url in urls) == sorted(stored.values())

    with django_capture_on_commit_callbacks(execute=True):
        takedown.take_down(artwork, superuser)

    member = Client()
    member.force_login(UserFactory())
    for url in urls:
        assert bytes_at(anonymous, url) is None, url
        assert bytes_at(member, url) is None, url
    for key in keys:  # the objects themselves are never public
        assert requests.get(raw_object_url(s3_server, key), timeout=5).status_code in (403, 404)
    if takedown.restore is None:
        assert bucket() == []
        return

    staff = Client()
    staff.force_login(superuser)
    for url in urls:
        staff_response = staff.get(url)
        assert staff_response.status_code == 302
        assert staff_response["Cache-Control"] == "private, no-store"
    with django_capture_on_commit_callbacks(execute=True):
        takedown.restore(artwork, superuser)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        # a shared cache may keep the redirect, never longer than half the signature's life
        assert response["Cache-Control"] == "public, max-age=150"
        assert bytes_at(anonymous, url) in stored.values()


def test_on_s3_a_drafts_files_reach_its_author_only(bucket, user):
    artwork = services.artwork_upload(
        author=user, file=SimpleUploadedFile("a.png", image_bytes("PNG"))
    )
    assert Client().get(artwork.url).status_code == 404
    member = Client()
    member.force_login(UserFactory())
    assert member.get(artwork.url).status_code == 404
    for viewer in (user, make_moderator()):
        client = Client()
        client.force_login(viewer)
        assert fetch_through_site(client, artwork.url).startswith(b"\x89PNG")
        assert client.get(artwork.url)["Cache-Control"] == "private, no-store"


def test_with_a_bucket_every_media_url_the_site_shows_works(
    bucket, s3_client, settings, user, django_capture_on_commit_callbacks
):
    """Pages (img, srcset, Open Graph, JSON-LD), the API, the sitemap, the feed and the admin
    all build media URLs through the storage: each leads to the object's bytes."""
    import re

    settings.SITE_URL = "https://art.example"
    with django_capture_on_commit_callbacks(execute=True):
        artwork = services.artwork_upload(
            author=user, file=SimpleUploadedFile("a.png", image_bytes("PNG", size=(400, 300)))
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_publish(artwork=artwork, actor=user)
    artwork.refresh_from_db()
    stored = {k: s3_client.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in bucket()}
    anonymous = Client()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    sources = {
        "page": anonymous.get(artwork.get_absolute_url()).content.decode(),
        "feed": anonymous.get("/feed?tab=new").content.decode(),
        "api": anonymous.get(f"/api/artworks/{artwork.pk}").content.decode(),
        "sitemap": anonymous.get("/sitemap-artworks.xml").content.decode(),
        "admin": staff.get(f"/admin/artworks/artwork/{artwork.pk}/change/").content.decode(),
    }
    for where, text in sources.items():
        urls = set(re.findall(r"(?:https://art\.example)?/media/[^\s\"'<>,\\]+", text))
        assert urls, where
        for url in urls:
            path = url.removeprefix("https://art.example")
            key = path.removeprefix("/media/")
            client = staff if where == "admin" else anonymous
            assert bytes_at(client, path) == stored[key], (where, url)
