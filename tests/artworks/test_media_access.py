"""Takedown means gone, on local disk: every stored file of an artwork (original, thumbnails,
poster) is served at MEDIA_URL only to whoever may see the artwork, through the one
visibility rule; a takedown makes each URL a page or the API gave answer 404 at once, and a
restore brings them back."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import services as account_services
from accounts.services import user_update_profile
from accounts.tokens import token_pair_issue
from artworks import services, storage_keys
from artworks.models import Artwork
from artworks.selectors import artwork_media_names
from tests.artworks.samples import image_bytes, video_bytes
from tests.artworks.takedowns import TAKEDOWNS
from tests.factories import ArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def publish_video(django_capture_on_commit_callbacks):
    """A published video with everything a page shows: original, thumbnails and poster."""

    def make(author) -> Artwork:
        with django_capture_on_commit_callbacks(execute=True):
            artwork = services.artwork_upload(
                author=author, file=SimpleUploadedFile("v.mp4", video_bytes("mp4", "libx264"))
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.artwork_publish(artwork=artwork, actor=author)
        artwork.refresh_from_db()
        assert artwork.poster and artwork.thumbnails, "the media task made no derivatives"
        return artwork

    return make


def media_urls_given_out(client: Client, artwork: Artwork) -> list[str]:
    """Every media URL the public API gives for the artwork; they must cover every file."""
    data = client.get(f"/api/artworks/{artwork.pk}").json()
    urls = [data["url"], data["poster_url"], *(t["url"] for t in data["thumbnails"])]
    assert sorted(urls) == sorted(default_storage.url(n) for n in artwork_media_names(artwork))
    assert all(url.startswith("/media/artworks/") for url in urls)
    return urls


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fetch(client: Client, url: str):
    response = client.get(url)
    if response.status_code == 200:
        response.body = b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("takedown", TAKEDOWNS, ids=lambda t: t.name)
def test_a_takedown_takes_every_file_down_at_once_and_a_restore_brings_it_back(
    takedown, publish_video, user, superuser, django_capture_on_commit_callbacks
):
    artwork = publish_video(user)
    anonymous, member = Client(), signed_in(UserFactory())
    urls = media_urls_given_out(anonymous, artwork)
    for url in urls:  # served to the public, and the artwork cache is now warm
        response = fetch(anonymous, url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=300"
        with default_storage.open(url.removeprefix("/media/"), "rb") as stored:
            assert response.body == stored.read()

    with django_capture_on_commit_callbacks(execute=True):
        takedown.take_down(artwork, superuser)

    for url in urls:
        for who, client in {"anonymous": anonymous, "member": member}.items():
            response = client.get(url)
            assert response.status_code == 404, (who, url)
            assert "no-store" in response["Cache-Control"]
    author_client = signed_in(user)
    staff_client = signed_in(superuser)
    for url in urls:
        expected = 200 if takedown.author_still_sees else 404
        assert author_client.get(url).status_code == expected, url
        if takedown.restore is None:
            assert staff_client.get(url).status_code == 404, url
        else:
            response = staff_client.get(url)
            assert response.status_code == 200, url
            assert response["Cache-Control"] == "private, no-store"

    if takedown.restore is None:
        assert not any(default_storage.exists(u.removeprefix("/media/")) for u in urls)
        return
    with django_capture_on_commit_callbacks(execute=True):
        takedown.restore(artwork, superuser)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=300"


def test_a_drafts_files_are_served_to_its_author_and_staff_only(user, superuser):
    draft = ArtworkFactory(user=user)
    services.artwork_make_thumbnails(artwork_id=draft.pk)
    draft.refresh_from_db()
    urls = [default_storage.url(name) for name in artwork_media_names(draft)]
    assert len(urls) > 1
    for url in urls:
        assert Client().get(url).status_code == 404, url
        assert signed_in(UserFactory()).get(url).status_code == 404, url
        for viewer in (user, superuser):
            response = fetch(signed_in(viewer), url)
            assert response.status_code == 200, url
            assert response["Cache-Control"] == "private, no-store"
            assert response.body


def test_an_app_client_gets_the_files_of_the_draft_the_api_gave_it(user):
    # The API answers an author's bearer token with its draft's URLs: that token opens them,
    # and only for whoever the visibility rule lets see them.
    draft = ArtworkFactory(user=user)
    services.artwork_make_thumbnails(artwork_id=draft.pk)

    def bearer(member) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}

    data = Client().get(f"/api/artworks/{draft.pk}", **bearer(user)).json()
    urls = [data["url"], *(t["url"] for t in data["thumbnails"])]
    assert len(urls) > 1
    for url in urls:
        response = Client().get(url, **bearer(user))
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store"
        assert Client().get(url, **bearer(UserFactory())).status_code == 404, url
        assert Client().get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 404


def test_a_hidden_artworks_files_are_served_to_staff_only(user, superuser):
    hidden = ArtworkFactory(user=user, moderation=Artwork.Moderation.HIDDEN)
    url = hidden.url
    assert Client().get(url).status_code == 404
    assert signed_in(UserFactory()).get(url).status_code == 404
    assert signed_in(user).get(url).status_code == 404
    assert signed_in(superuser).get(url).status_code == 200


def test_public_media_cost_no_query_when_the_cache_is_warm(
    publish_video, user, django_assert_num_queries
):
    artwork = publish_video(user)
    client = Client()
    urls = media_urls_given_out(client, artwork)
    for url in urls:
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        for url in urls:
            assert client.get(url).status_code == 200


def test_files_no_page_shows_are_nobodys(user, superuser):
    """Only an artwork's own original, thumbnails and poster are served: not its generation's
    reference image, not a file its row does not name, not anything outside the media keys."""
    artwork = ArtworkFactory(
        user=user, status=Artwork.Status.PUBLISHED, published_at="2026-01-01T00:00Z"
    )
    reference = default_storage.save(
        storage_keys.reference_key(artwork.uuid), ContentFile(image_bytes("PNG"))
    )
    stray = default_storage.save(
        storage_keys.thumb_key(artwork.uuid, 999, "webp"), ContentFile(b"stray")
    )
    other = default_storage.save("notes/secret.txt", ContentFile(b"secret"))
    staff = signed_in(superuser)
    for name in (reference, stray, other):
        assert staff.get(f"/media/{name}").status_code == 404, name
    for path in ("/media/../aicommunity/settings.py", "/media/%2e%2e/manage.py", "/media/"):
        assert staff.get(path).status_code == 404, path
    assert Client().get(artwork.url).status_code == 200


def test_avatars_are_public(user):
    user_update_profile(user=user, username=user.username, name=user.name, avatar=image_bytes())
    user.refresh_from_db()
    response = Client().get(user.profile_pic.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_suspended_members_avatar_is_gone_but_for_staff_and_returns_on_restore(user, superuser):
    user_update_profile(user=user, username=user.username, name=user.name, avatar=image_bytes())
    user.refresh_from_db()
    url = user.profile_pic.url
    assert Client().get(url).status_code == 200
    account_services.user_suspend(user=user, actor=superuser, reason="spam")
    # Their profile and work are gone everywhere: their picture too, at the URL pages gave.
    assert Client().get(url).status_code == 404
    assert signed_in(UserFactory()).get(url).status_code == 404
    assert signed_in(UserFactory(is_staff=True)).get(url).status_code == 404  # no powers
    for staff in (superuser, make_moderator()):  # who look at members in the admin
        seen = signed_in(staff).get(url)
        assert seen.status_code == 200
        assert "public" not in seen["Cache-Control"]  # no shared cache keeps it
    account_services.user_restore(user=user, actor=superuser)
    back = Client().get(url)
    assert back.status_code == 200 and back["Cache-Control"] == "public, max-age=300"


def test_an_avatar_no_member_holds_is_nobodys(user):
    stray = default_storage.save(f"users/avatars/{'a' * 32}.webp", ContentFile(image_bytes()))
    assert Client().get(default_storage.url(stray)).status_code == 404


def test_avatars_cost_no_query_when_the_cache_is_warm(user, django_assert_num_queries):
    user_update_profile(user=user, username=user.username, name=user.name, avatar=image_bytes())
    user.refresh_from_db()
    client = Client()
    assert client.get(user.profile_pic.url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(user.profile_pic.url).status_code == 200


def test_behind_nginx_the_file_is_left_to_an_internal_redirect(settings, user):
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    published = ArtworkFactory(
        user=user, status=Artwork.Status.PUBLISHED, published_at="2026-01-01T00:00Z"
    )
    response = Client().get(published.url)
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{published.original.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=300"

    draft = ArtworkFactory(user=user)
    refused = Client().get(draft.url)
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused
    allowed = signed_in(user).get(draft.url)
    assert allowed["X-Accel-Redirect"] == f"/protected-media/{draft.original.name}"
    assert allowed["Cache-Control"] == "private, no-store"


def test_a_revalidation_answers_not_modified(user):
    published = ArtworkFactory(
        user=user, status=Artwork.Status.PUBLISHED, published_at="2026-01-01T00:00Z"
    )
    client = Client()
    first = client.get(published.url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(published.url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=300"


def test_deleting_the_author_takes_the_files_down_at_once(
    publish_video, user, django_capture_on_commit_callbacks
):
    """A member deleted in the admin takes their artworks with them (a cascade, not the
    service): the cached artwork must not keep the files online."""
    artwork = publish_video(user)
    client = Client()
    urls = media_urls_given_out(client, artwork)
    assert all(client.get(url).status_code == 200 for url in urls)  # cache warm
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
