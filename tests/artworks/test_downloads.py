"""Download: when its author lets visitors download their originals, the artwork page shows a
Download button, and /artwork/<id>/actions/download answers the original as an attachment
through storage (from disk, through nginx, or from a bucket by a signed URL). Every actor: an
artwork the visitor may not see, or whose author does not allow downloads, is a 404 (the
author themself always may)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import user_suspend
from artworks import services
from artworks.models import Artwork
from tests.artworks.samples import image_bytes
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def url(artwork: Artwork) -> str:
    return f"/artwork/{artwork.pk}/actions/download"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stored(artwork: Artwork) -> bytes:
    with default_storage.open(artwork.original.name, "rb") as fh:
        return fh.read()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def actors():
    author = UserFactory()
    return {
        "visitor": None,
        "member": UserFactory(),
        "moderator": make_moderator(),
        "author": author,
    }


def assert_attachment(response, artwork: Artwork) -> None:
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="{artwork.slug}-{artwork.pk}.jpg"'
    assert body(response) == stored(artwork)
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("allowed", [True, False])
@pytest.mark.parametrize("actor", ["visitor", "member", "moderator", "author"])
def test_every_actor_on_a_published_artwork(actors, actor, allowed):
    author = actors["author"]
    author.allow_downloads = allowed
    author.save()
    artwork = PublishedArtworkFactory(user=author, title="Quiet lake")
    response = client_for(actors[actor]).get(url(artwork))
    if allowed or actor == "author":
        assert_attachment(response, artwork)
    else:
        assert response.status_code == 404
        assert body(response) != stored(artwork)


@pytest.mark.parametrize("actor", ["visitor", "member", "author"])
def test_a_draft_follows_the_visibility_rule(actors, actor):
    author = actors["author"]
    author.allow_downloads = True
    author.save()
    draft = ArtworkFactory(user=author)
    response = client_for(actors[actor]).get(url(draft))
    assert response.status_code == (200 if actor == "author" else 404)


def test_a_hidden_artwork_is_gone_even_for_its_author(actors):
    author = actors["author"]
    author.allow_downloads = True
    author.save()
    artwork = PublishedArtworkFactory(user=author)
    services.artwork_hide(artwork=artwork, actor=actors["moderator"], reason="test")
    for actor in ("visitor", "member", "author"):
        assert client_for(actors[actor]).get(url(artwork)).status_code == 404, actor
    # Staff who see every artwork may look at it, as they may at its page.
    assert client_for(actors["moderator"]).get(url(artwork)).status_code == 200


def test_a_suspended_authors_work_is_gone(actors):
    author = actors["author"]
    author.allow_downloads = True
    author.save()
    artwork = PublishedArtworkFactory(user=author)
    user_suspend(user=author, actor=make_moderator(), reason="spam")
    assert client_for(None).get(url(artwork)).status_code == 404


def test_missing_artworks_and_other_methods(client):
    assert client.get("/artwork/999999/actions/download").status_code == 404
    artwork = PublishedArtworkFactory(user=UserFactory(allow_downloads=True))
    assert client.post(url(artwork)).status_code == 405
    assert client.head(url(artwork)).status_code == 200


def test_an_artwork_without_its_file_yet_has_nothing_to_download(client):
    waiting = PublishedArtworkFactory(user=UserFactory(allow_downloads=True), with_file=False)
    assert client.get(url(waiting)).status_code == 404


def test_a_unicode_title_gives_an_encoded_file_name(client):
    artwork = PublishedArtworkFactory(user=UserFactory(allow_downloads=True), title="星空下的湖")
    response = client.get(url(artwork))
    encoded = quote(f"星空下的湖-{artwork.pk}.jpg")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{encoded}"


def test_a_noai_authors_download_says_noai(client):
    artwork = PublishedArtworkFactory(user=UserFactory(allow_downloads=True, noai=True))
    assert client.get(url(artwork))["X-Robots-Tag"] == "noai, noimageai"


def test_through_nginx_the_attachment_header_rides_on_the_x_accel_redirect(client, settings):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    artwork = PublishedArtworkFactory(user=UserFactory(allow_downloads=True), title="Lake")
    response = client.get(url(artwork))
    assert response["X-Accel-Redirect"] == f"/protected-media/{artwork.original.name}"
    assert response["Content-Disposition"] == f'attachment; filename="lake-{artwork.pk}.jpg"'
    assert "no-store" in response["Cache-Control"]


def test_from_a_bucket_the_signed_url_asks_for_an_attachment(
    bucket,
    client,
    user,
    django_capture_on_commit_callbacks,
):
    user.allow_downloads = True
    user.save()
    artwork = services.artwork_upload(
        author=user, file=SimpleUploadedFile("a.png", image_bytes("PNG")), title="Harbour"
    )
    services.artwork_publish(artwork=artwork, actor=user)
    response = client.get(url(artwork))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    fetched = requests.get(response["Location"], timeout=5)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Disposition"] == (
        f'attachment; filename="harbour-{artwork.pk}.png"'
    )
    assert fetched.content == stored(artwork)
    with django_capture_on_commit_callbacks(execute=True):  # drops the cached artwork
        user.allow_downloads = False
        user.save()
    assert client.get(url(artwork)).status_code == 404


class TestButton:
    BUTTON = '/actions/download" download>'

    def test_shown_when_the_author_allows_it(self, client):
        artwork = PublishedArtworkFactory(user=UserFactory(allow_downloads=True))
        html = client.get(artwork.get_absolute_url()).content.decode()
        assert f'href="{url(artwork)}" download>' in html
        assert "Download original" in html

    def test_hidden_when_they_do_not_except_from_the_author(self, client):
        author = UserFactory(allow_downloads=False)
        artwork = PublishedArtworkFactory(user=author)
        assert self.BUTTON not in client.get(artwork.get_absolute_url()).content.decode()
        own = client_for(author).get(artwork.get_absolute_url()).content.decode()
        assert f'href="{url(artwork)}" download>' in own
