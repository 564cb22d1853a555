"""The artwork page and GET /api/artworks/{id} read the artwork through the cache
(artwork_get_visible_cached): a warm read costs no query for the artwork, every change shows
at once, and the visibility rule, the 301 slug redirect and the 404s still hold."""

from __future__ import annotations

import pytest

from artworks import services
from artworks.models import Artwork
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def art(db) -> Artwork:
    return PublishedArtworkFactory(title="Harbour lights")


class TestArtworkPage:
    def test_a_warm_page_does_not_read_the_artwork_again(
        self, client, art, django_assert_num_queries
    ):
        with django_assert_num_queries(3):  # the artwork, more from the author, its remixes
            assert client.get(art.get_absolute_url()).status_code == 200
        with django_assert_num_queries(2):  # more from the author, its remixes
            response = client.get(art.get_absolute_url())
        assert "Harbour lights" in response.content.decode()

    @pytest.mark.parametrize("n", [1, 30])
    def test_signed_in_queries_stay_constant(self, client, user, django_assert_num_queries, n):
        author = UserFactory()
        arts = PublishedArtworkFactory.create_batch(n, user=author)
        client.force_login(user)
        client.get(arts[0].get_absolute_url())
        # more from the author, the viewer's likes and favorites, whether they follow the
        # author (the follow button), their collections (the save control), its remixes (the
        # session and the member's row are kept in the cache and the process)
        with django_assert_num_queries(5):
            assert client.get(arts[0].get_absolute_url()).status_code == 200

    def test_the_cache_is_really_read(self, client, art):
        client.get(art.get_absolute_url())
        # A change that bypasses the services (and so announces nothing) is not seen until
        # the entry expires: the page came from the cache, not the row.
        Artwork.objects.filter(pk=art.pk).update(description="Changed behind its back")
        assert "Changed behind its back" not in client.get(art.get_absolute_url()).content.decode()

    def test_changes_show_at_once(self, client, art, commit):
        client.get(art.get_absolute_url())
        with commit():
            services.artwork_like(artwork_id=art.pk, user=UserFactory())
        assert "1 like<" in client.get(art.get_absolute_url()).content.decode()
        with commit():
            services.artwork_unpublish(artwork=art, actor=art.user)
        assert client.get(art.get_absolute_url()).status_code == 404
        client.force_login(art.user)
        assert client.get(art.get_absolute_url()).status_code == 200  # the author's draft

    def test_a_cached_artwork_still_redirects_a_wrong_slug(self, client, art):
        client.get(art.get_absolute_url())
        response = client.get(f"/artwork/{art.pk}/wrong-slug?lang=en")
        assert response.status_code == 301
        assert response["Location"] == f"{art.get_absolute_url()}?lang=en"
        assert client.get(f"/artwork/{art.pk}").status_code == 301

    def test_hidden_after_caching_is_404_to_all_but_staff(self, client, art, staff_user, commit):
        client.get(art.get_absolute_url())
        with commit():
            services.artwork_hide(artwork=art, actor=staff_user)
        assert client.get(art.get_absolute_url()).status_code == 404
        client.force_login(art.user)
        assert client.get(art.get_absolute_url()).status_code == 404
        client.force_login(staff_user)
        assert client.get(art.get_absolute_url()).status_code == 200

    def test_missing_is_404(self, client):
        assert client.get("/artwork/987654/anything").status_code == 404


class TestApiDetail:
    def test_a_warm_read_costs_no_query(self, client, art, django_assert_num_queries):
        with django_assert_num_queries(1):
            assert client.get(f"/api/artworks/{art.pk}").status_code == 200
        with django_assert_num_queries(0):
            body = client.get(f"/api/artworks/{art.pk}").json()
        assert body["title"] == "Harbour lights"
        assert body["like_count"] == 0

    def test_changes_show_at_once_and_visibility_holds(self, client, art, staff_user, commit):
        client.get(f"/api/artworks/{art.pk}")
        with commit():
            services.artwork_favorite(artwork_id=art.pk, user=UserFactory())
        assert client.get(f"/api/artworks/{art.pk}").json()["favorite_count"] == 1
        with commit():
            services.artwork_hide(artwork=art, actor=staff_user)
        assert client.get(f"/api/artworks/{art.pk}").status_code == 404
        client.force_login(staff_user)
        assert client.get(f"/api/artworks/{art.pk}").json()["moderation"] == "hidden"

    def test_missing_is_404(self, client):
        response = client.get("/api/artworks/987654")
        assert response.status_code == 404
        assert "detail" in response.json()
