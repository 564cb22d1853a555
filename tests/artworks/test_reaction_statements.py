"""A reaction's statements (artworks/services/_reaction_rows.py): how many, what they leave
behind, and on PostgreSQL the commit that does not wait for the disk unless asked to."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from artworks import services
from artworks.models import Artwork, Favorite, Like
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db
# PostgreSQL runs one more: the transaction's own synchronous_commit.
EXTRA = 1 if connection.vendor == "postgresql" else 0


def _sql(queries: CaptureQueriesContext) -> list[str]:
    """The statements run, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_like_is_four_statements_and_a_repeat_two(user):
    art = PublishedArtworkFactory()
    with CaptureQueriesContext(connection) as first:
        liked = services.artwork_like(artwork_id=art.pk, user=user)
    # lock, insert, count, store the counts
    assert len(_sql(first)) == 4 + EXTRA, _sql(first)
    with CaptureQueriesContext(connection) as again:
        services.artwork_like(artwork_id=art.pk, user=user)
    assert len(_sql(again)) == 2 + EXTRA, _sql(again)  # lock, an insert that inserts nothing
    art.refresh_from_db()
    assert (liked.like_count, art.like_count, Like.objects.filter(artwork=art).count()) == (1, 1, 1)
    assert art.hot_score == liked.hot_score > 0


def test_counts_are_recounted_from_the_rows_and_the_other_counter_is_kept(user, other_user):
    art = PublishedArtworkFactory()
    services.artwork_favorite(artwork_id=art.pk, user=other_user)
    services.artwork_like(artwork_id=art.pk, user=other_user)
    Artwork.objects.filter(pk=art.pk).update(like_count=40)  # drifted somehow
    services.artwork_like(artwork_id=art.pk, user=user)
    art.refresh_from_db()
    assert (art.like_count, art.favorite_count) == (2, 1)
    services.artwork_unlike(artwork_id=art.pk, user=user)
    services.artwork_unlike(artwork_id=art.pk, user=user)  # never there any more: no change
    services.artwork_unfavorite(artwork_id=art.pk, user=other_user)
    art.refresh_from_db()
    assert (art.like_count, art.favorite_count) == (1, 0)
    assert not Favorite.objects.filter(artwork=art).exists()


def test_the_artwork_returned_loads_what_it_was_not_read_with(user):
    art = PublishedArtworkFactory(prompt="a lighthouse at dusk")
    liked = services.artwork_like(artwork_id=art.pk, user=user)
    assert liked.get_absolute_url() == art.get_absolute_url()
    assert liked.published_at == Artwork.objects.get(pk=art.pk).published_at
    assert liked.prompt == "a lighthouse at dusk"  # deferred, loaded on access
    assert liked.user.username == art.user.username


@pytest.mark.parametrize("kind", ["draft", "hidden", "suspended author", "missing"])
def test_what_takes_no_reactions_is_refused_and_nothing_is_written(user, kind):
    art = ArtworkFactory() if kind == "draft" else PublishedArtworkFactory()
    if kind == "hidden":
        Artwork.objects.filter(pk=art.pk).update(moderation=Artwork.Moderation.HIDDEN)
    if kind == "suspended author":
        type(user).objects.filter(pk=art.user_id).update(is_active=False)
    artwork_id = art.pk + 1000 if kind == "missing" else art.pk
    with pytest.raises(Artwork.DoesNotExist):
        services.artwork_like(artwork_id=artwork_id, user=user)
    assert not Like.objects.exists()
    assert Artwork.objects.get(pk=art.pk).like_count == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.parametrize("synchronous", [False, True])
def test_on_postgresql_a_reaction_waits_for_the_disk_only_when_asked(settings, synchronous):
    settings.REACTIONS_SYNCHRONOUS_COMMIT = synchronous
    art, member = PublishedArtworkFactory(), UserFactory()
    with CaptureQueriesContext(connection) as queries:
        services.artwork_like(artwork_id=art.pk, user=member)
    relaxed = [q for q in _sql(queries) if "synchronous_commit" in q]
    assert relaxed == ([] if synchronous else ["SET LOCAL synchronous_commit TO OFF"])
    assert len(_sql(queries)) == 4 + (0 if synchronous else 1)
