"""Protected media behind the production nginx config (deploy/nginx/aicommunity.conf, rendered
and booted by tests/deploy/nginx.py): the site decides, nginx sends the bytes. The real media
view answers X-Accel-Redirect to the config's `internal` /protected-media/ location, which
clients cannot reach themselves; a takedown answers 404 through nginx at once, a restore
brings the files back, and a draft's files reach its author only.

The site runs in a thread of the test process (as gunicorn would run it, with
TRUSTED_PROXY_COUNT=1 and MEDIA_X_ACCEL_REDIRECT_PREFIX=/protected-media/), so the tests make
and take down artworks through the services, in the test's own database. One nginx and one
site serve the whole module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.test import Client

from artworks import services
from artworks.models import Artwork
from artworks.selectors import artwork_media_names
from tests.deploy.nginx import nginx_binary, running_nginx
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROTECTED = "/protected-media/"  # the config's internal location
CONTENT_TYPES = {"jpg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}


@contextmanager
def site_in_a_thread() -> Iterator[int]:
    """The whole site in a thread, as gunicorn would run it: unlike pytest-django's
    live_server, without Django's test-only handler that serves MEDIA_URL from disk itself
    (and would bypass the media view). Yields its port."""
    from django.db import connections
    from django.test import testcases

    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(testcases, "_MediaFilesHandler", lambda app: app)
            thread = testcases.LiveServerThread(
                "127.0.0.1", static_handler=lambda app: app, connections_override=shared, port=0
            )
            thread.daemon = True
            thread.start()
            thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield thread.port
        finally:
            thread.terminate()
    finally:
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory) -> Path:
    """MEDIA_ROOT for the module: nginx's internal location aliases it."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def nginx(django_db_setup, media_dir, tmp_path_factory) -> Iterator[str]:
    """nginx's base URL, the deploy config in front of the site."""
    nginx_binary()  # skip, or fail when CI=true, before booting anything
    base = tmp_path_factory.mktemp("media-nginx")
    with (
        site_in_a_thread() as port,
        running_nginx(
            base / "nginx",
            upstream=f"127.0.0.1:{port}",
            static_root=base / "staticfiles",
            media_root=media_dir,
        ) as proxy,
    ):
        yield proxy.url


@pytest.fixture(autouse=True)
def _behind_nginx(settings, _isolated_media, media_dir):
    settings.MEDIA_ROOT = media_dir
    settings.MEDIA_X_ACCEL_REDIRECT_PREFIX = PROTECTED
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=10, allow_redirects=False, **kwargs)


def with_thumbnails(artwork: Artwork) -> list[str]:
    """Make the artwork's thumbnails; its stored files, original first."""
    services.artwork_make_thumbnails(artwork_id=artwork.pk)
    artwork.refresh_from_db()
    names = sorted(artwork_media_names(artwork) - {artwork.original.name})
    assert any(name.endswith(".webp") for name in names), names
    return [artwork.original.name, *names]


def fetched_from_nginx(url: str, name: str, media_dir: Path, **kwargs) -> requests.Response:
    """GET the file's URL: the stored bytes, their type, and nginx itself sent them (a range
    is answered 206, which Django's file responses never do; a video player seeking needs
    it). Returns the whole answer."""
    stored = (media_dir / name).read_bytes()
    response = get(url, **kwargs)
    assert response.status_code == 200, name
    assert response.content == stored, name
    assert response.headers["Content-Type"] == CONTENT_TYPES[name.rsplit(".", 1)[-1]], name
    assert "X-Accel-Redirect" not in response.headers
    part = get(url, headers={"Range": "bytes=2-9"}, **kwargs)
    assert (part.status_code, part.content) == (206, stored[2:10]), name
    return response


def test_public_files_are_sent_by_nginx_until_a_takedown_and_again_after_a_restore(
    nginx, media_dir
):
    artwork = PublishedArtworkFactory(user=UserFactory())
    names = with_thumbnails(artwork)
    urls = {name: nginx + default_storage.url(name) for name in names}
    public = f"public, max-age={django_settings.MEDIA_PUBLIC_MAX_AGE}"
    for name, url in urls.items():  # served, and the artwork cache is now warm
        response = fetched_from_nginx(url, name, media_dir)
        assert response.headers["Cache-Control"] == public  # Django's, kept by nginx
        # The internal location is no way around the view.
        assert get(f"{nginx}{PROTECTED}{name}").status_code == 404, name

    staff = UserFactory(is_staff=True, is_superuser=True)
    services.artwork_hide(artwork=artwork, actor=staff, reason="test")
    for name, url in urls.items():
        response = get(url)
        assert response.status_code == 404, name
        assert "no-store" in response.headers["Cache-Control"]
        assert response.content != (media_dir / name).read_bytes()
        assert default_storage.exists(name)  # hidden, not deleted

    services.artwork_restore(artwork=Artwork.objects.get(pk=artwork.pk), actor=staff)
    for name, url in urls.items():
        response = fetched_from_nginx(url, name, media_dir)
        assert response.headers["Cache-Control"] == public


def test_a_drafts_files_reach_its_author_only_and_are_never_cached(nginx, media_dir):
    author = UserFactory()
    draft = ArtworkFactory(user=author)
    names = with_thumbnails(draft)
    client = Client()
    client.force_login(author)
    session = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value
    }
    for name in names:
        url = nginx + default_storage.url(name)
        refused = get(url)
        assert refused.status_code == 404, name
        assert refused.content != (media_dir / name).read_bytes()
        allowed = fetched_from_nginx(url, name, media_dir, cookies=session)
        assert allowed.headers["Cache-Control"] == "private, no-store"
        assert get(f"{nginx}{PROTECTED}{name}", cookies=session).status_code == 404, name


def test_noai_and_a_download_survive_the_x_accel_redirect(nginx, media_dir):
    """nginx drops most of Django's headers on an X-Accel-Redirect: the config copies the
    X-Robots-Tag of a noai member's media, and keeps the download's Content-Disposition."""
    author = UserFactory(noai=True, allow_downloads=True)
    artwork = PublishedArtworkFactory(user=author, title="Lake")
    for name in with_thumbnails(artwork):
        response = fetched_from_nginx(nginx + default_storage.url(name), name, media_dir)
        assert response.headers["X-Robots-Tag"] == "noai, noimageai", name
    for name in with_thumbnails(PublishedArtworkFactory(user=UserFactory())):
        response = fetched_from_nginx(nginx + default_storage.url(name), name, media_dir)
        assert "X-Robots-Tag" not in response.headers, name

    download = get(f"{nginx}/artwork/{artwork.pk}/actions/download")
    assert download.status_code == 200
    assert download.content == (media_dir / artwork.original.name).read_bytes()
    assert (
        download.headers["Content-Disposition"] == f'attachment; filename="lake-{artwork.pk}.jpg"'
    )
    assert download.headers["X-Robots-Tag"] == "noai, noimageai"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in download.headers
