"""The cached artwork read (artwork page, GET /api/artworks/{id}) and the viewer's state."""

from __future__ import annotations

import pytest

from artworks import services
from artworks.models import Artwork
from artworks.selectors import artwork_get_visible_cached, artwork_reaction_state
from tests.factories import FavoriteFactory, LikeFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_cached_read_costs_no_query(django_assert_num_queries):
    artwork = PublishedArtworkFactory()
    with django_assert_num_queries(1):
        assert artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None).pk == artwork.pk
    with django_assert_num_queries(0):
        cached = artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None)
        assert cached.user.username == artwork.user.username  # the author is cached too


def test_every_change_invalidates_it(commit, user):
    artwork = PublishedArtworkFactory()
    artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None)
    with commit():
        services.artwork_like(artwork_id=artwork.pk, user=user)
    assert artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None).like_count == 1
    with commit():
        services.artwork_favorite(artwork_id=artwork.pk, user=user)
    assert artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None).favorite_count == 1

    with commit():
        services.artwork_unpublish(artwork=artwork, actor=artwork.user)
    with pytest.raises(Artwork.DoesNotExist):  # the visibility rule applies to cached objects
        artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None)
    with pytest.raises(Artwork.DoesNotExist):
        artwork_get_visible_cached(artwork_id=artwork.pk, viewer=user)
    draft = artwork_get_visible_cached(artwork_id=artwork.pk, viewer=artwork.user)
    assert draft.status == Artwork.Status.DRAFT

    with commit():
        services.artwork_delete(artwork=artwork, actor=artwork.user)
    with pytest.raises(Artwork.DoesNotExist):
        artwork_get_visible_cached(artwork_id=artwork.pk, viewer=artwork.user)


def test_a_hidden_artwork_is_refused_from_the_cache_to_all_but_staff(staff_user):
    artwork = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    assert artwork_get_visible_cached(artwork_id=artwork.pk, viewer=staff_user).pk == artwork.pk
    for viewer in (None, artwork.user, UserFactory()):
        with pytest.raises(Artwork.DoesNotExist):
            artwork_get_visible_cached(artwork_id=artwork.pk, viewer=viewer)


def test_an_author_change_invalidates_their_artworks_after_commit(commit):
    from django.core.cache import cache

    from artworks.selectors import _artwork_cache_key

    artwork = PublishedArtworkFactory()
    stale = artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None)
    author = artwork.user
    author.name = "Renamed"
    with commit():
        author.save()
        # Until the commit, other connections still read the old row and may cache it again:
        # that copy must not survive the commit.
        cache.set(_artwork_cache_key(artwork.pk), stale)
    assert artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None).user.name == "Renamed"


def test_suspending_and_restoring_the_author_invalidates_their_artworks(commit, staff_user):
    from accounts.services import user_restore, user_suspend

    artwork = PublishedArtworkFactory()
    artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None)
    with commit():
        user_suspend(user=artwork.user, actor=staff_user, reason="spam")
    with pytest.raises(Artwork.DoesNotExist):
        artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None)
    with commit():
        user_restore(user=artwork.user, actor=staff_user)
    assert artwork_get_visible_cached(artwork_id=artwork.pk, viewer=None).pk == artwork.pk


def test_reaction_state_is_one_query(user, django_assert_num_queries):
    liked, favorited, both, neither = PublishedArtworkFactory.create_batch(4)
    for artwork in (liked, both):
        LikeFactory(user=user, artwork=artwork)
    for artwork in (favorited, both):
        FavoriteFactory(user=user, artwork=artwork)
    LikeFactory(artwork=neither)  # someone else's
    ids = [a.pk for a in (liked, favorited, both, neither)]
    with django_assert_num_queries(1):
        assert artwork_reaction_state(viewer=user, artwork_ids=ids) == (
            {liked.pk, both.pk},
            {favorited.pk, both.pk},
        )
    with django_assert_num_queries(0):
        assert artwork_reaction_state(viewer=None, artwork_ids=ids) == (set(), set())
