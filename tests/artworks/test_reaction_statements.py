"""A reaction's statements (artworks/services/_reaction_rows.py): how many, what they leave
behind, and on PostgreSQL the one statement whose commit does not wait for the disk unless
asked to, and whose hot score is the one `artworks.ranking.hot_score` computes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from artworks import services
from artworks.models import Artwork, Favorite, Like
from artworks.ranking import hot_score
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _sql(queries: CaptureQueriesContext) -> list[str]:
    """The statements run, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_like_is_one_statement_on_postgresql_and_three_elsewhere(user):
    art = PublishedArtworkFactory()
    with CaptureQueriesContext(connection) as first:
        liked = services.artwork_like(artwork_id=art.pk, user=user)
    # PostgreSQL: read, insert and count at once; SQLite: lock, insert, store the counts
    assert len(_sql(first)) == (1 if POSTGRESQL else 3), _sql(first)
    with CaptureQueriesContext(connection) as again:
        services.artwork_like(artwork_id=art.pk, user=user)
    # an insert that inserts nothing, and no count stored (SQLite: after the lock)
    assert len(_sql(again)) == (1 if POSTGRESQL else 2), _sql(again)
    art.refresh_from_db()
    assert (liked.like_count, art.like_count, Like.objects.filter(artwork=art).count()) == (1, 1, 1)
    assert art.hot_score == liked.hot_score > 0


def test_a_counter_moves_by_one_with_each_row_really_added_or_removed(user, other_user):
    art = PublishedArtworkFactory()
    services.artwork_favorite(artwork_id=art.pk, user=other_user)
    services.artwork_like(artwork_id=art.pk, user=other_user)
    services.artwork_like(artwork_id=art.pk, user=user)
    again = services.artwork_like(artwork_id=art.pk, user=user)  # a double click: no change
    assert (again.like_count, again.favorite_count) == (2, 1)
    art.refresh_from_db()
    assert (art.like_count, art.favorite_count) == (2, 1)
    services.artwork_unlike(artwork_id=art.pk, user=user)
    gone = services.artwork_unlike(artwork_id=art.pk, user=user)  # never there any more
    services.artwork_unfavorite(artwork_id=art.pk, user=other_user)
    assert gone.like_count == 1
    art.refresh_from_db()
    assert (art.like_count, art.favorite_count) == (1, 0)
    assert not Favorite.objects.filter(artwork=art).exists()
    assert Like.objects.filter(artwork=art).count() == 1


def test_the_artwork_returned_loads_what_it_was_not_read_with(user):
    art = PublishedArtworkFactory(prompt="a lighthouse at dusk")
    liked = services.artwork_like(artwork_id=art.pk, user=user)
    assert liked.get_absolute_url() == art.get_absolute_url()
    assert liked.published_at == Artwork.objects.get(pk=art.pk).published_at
    assert liked.prompt == "a lighthouse at dusk"  # deferred, loaded on access
    assert liked.user.username == art.user.username


@pytest.mark.parametrize("add", [True, False])
@pytest.mark.parametrize("kind", ["draft", "hidden", "suspended author", "missing"])
def test_what_takes_no_reactions_is_refused_and_nothing_is_written(user, kind, add):
    art = ArtworkFactory() if kind == "draft" else PublishedArtworkFactory()
    Like.objects.create(user=UserFactory(), artwork=art)
    Artwork.objects.filter(pk=art.pk).update(like_count=1)
    if not add:
        Like.objects.create(user=user, artwork=art)
        Artwork.objects.filter(pk=art.pk).update(like_count=2)
    before = Like.objects.count()
    if kind == "hidden":
        Artwork.objects.filter(pk=art.pk).update(moderation=Artwork.Moderation.HIDDEN)
    if kind == "suspended author":
        type(user).objects.filter(pk=art.user_id).update(is_active=False)
    artwork_id = art.pk + 1000 if kind == "missing" else art.pk
    service = services.artwork_like if add else services.artwork_unlike
    with pytest.raises(Artwork.DoesNotExist):
        service(artwork_id=artwork_id, user=user)
    assert Like.objects.count() == before
    assert Artwork.objects.get(pk=art.pk).like_count == (1 if add else 2)


@pytest.mark.parametrize(
    ("published_at", "weights"),
    [
        (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), (1.0, 2.0)),
        (dt.datetime(2026, 11, 30, 17, 3, 9, 123456, tzinfo=dt.UTC), (1.0, 2.0)),
        (dt.datetime(2023, 6, 1, 0, 0, 1, tzinfo=dt.UTC), (0.5, 3.0)),  # before the epoch
        (dt.datetime(2031, 2, 3, 4, 5, 6, 999999, tzinfo=dt.UTC), (7.25, 0.1)),
    ],
)
def test_the_stored_hot_score_is_the_ranking_formulas(settings, user, published_at, weights):
    settings.HOT_LIKE_WEIGHT, settings.HOT_FAVORITE_WEIGHT = weights
    art = PublishedArtworkFactory(published_at=published_at)
    members = [user, *UserFactory.create_batch(12)]
    for n, member in enumerate(members):
        services.artwork_like(artwork_id=art.pk, user=member)
        if n % 3 == 0:
            services.artwork_favorite(artwork_id=art.pk, user=member)
        if n % 4 == 1:
            services.artwork_unlike(artwork_id=art.pk, user=member)
        art.refresh_from_db()
        expected = hot_score(
            like_count=art.like_count,
            favorite_count=art.favorite_count,
            published_at=art.published_at,
        )
        # PostgreSQL rounds through 15 significant digits: at most the 7th decimal differs.
        assert art.hot_score == pytest.approx(expected, abs=1.01e-7 if POSTGRESQL else 0)
    assert (art.like_count, art.favorite_count) == (
        Like.objects.filter(artwork=art).count(),
        Favorite.objects.filter(artwork=art).count(),
    )


@pytest.mark.skipif(not POSTGRESQL, reason="a PostgreSQL setting")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("synchronous", [False, True])
def test_on_postgresql_a_reaction_waits_for_the_disk_only_when_asked(
    settings, synchronous, monkeypatch
):
    settings.REACTIONS_SYNCHRONOUS_COMMIT = synchronous
    # The statements of the reactions alone: what the commits set off (here in-process, as
    # without a broker: the author's notification) is the notifications' own business.
    from notifications import receivers

    monkeypatch.setattr(receivers, "enqueue", lambda *args, **kwargs: None)
    art, member = PublishedArtworkFactory(), UserFactory()
    with CaptureQueriesContext(connection) as queries:
        liked = services.artwork_like(artwork_id=art.pk, user=member)
        services.artwork_unlike(artwork_id=art.pk, user=member)
        services.artwork_like(artwork_id=art.pk, user=member)
    assert len(_sql(queries)) == 3  # one round trip each
    relaxed = ["set_config('synchronous_commit', 'off', true)" in sql for sql in _sql(queries)]
    assert relaxed == [not synchronous] * 3
    assert liked.like_count == Artwork.objects.get(pk=art.pk).like_count == 1
    with connection.cursor() as cursor:  # the setting ended with the statement's transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.skipif(not POSTGRESQL, reason="prepared statements on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_statements_are_prepared_once_per_connection():
    art, members = PublishedArtworkFactory(), UserFactory.create_batch(3)
    for member in members:
        services.artwork_like(artwork_id=art.pk, user=member)
        services.artwork_unlike(artwork_id=art.pk, user=member)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%artworks_like%"],
        )
        assert cursor.fetchone()[0] == 2  # a like's and an unlike's, each prepared once
    assert Artwork.objects.get(pk=art.pk).like_count == 0


@pytest.mark.skipif(not POSTGRESQL, reason="the caller's transaction on PostgreSQL")
def test_inside_a_callers_transaction_the_commit_is_the_callers(user):
    art = PublishedArtworkFactory()
    with CaptureQueriesContext(connection) as queries:
        services.artwork_like(artwork_id=art.pk, user=user)
    assert not any("synchronous_commit" in sql for sql in _sql(queries))


@pytest.mark.parametrize("how", ["one", "a selection"])
def test_members_deleted_in_the_admin_leave_exact_counts_behind(
    rf, admin_user, how, django_capture_on_commit_callbacks
):
    from django.contrib import admin as django_admin

    art, other = PublishedArtworkFactory(), PublishedArtworkFactory()
    leaving, staying = UserFactory.create_batch(2)
    for member in (leaving, staying):
        services.artwork_like(artwork_id=art.pk, user=member)
    services.artwork_favorite(artwork_id=art.pk, user=leaving)
    services.artwork_favorite(artwork_id=other.pk, user=leaving)
    request = rf.post("/")
    request.user = admin_user
    members = django_admin.site._registry[type(leaving)]
    # The account goes after commit, as a member's own deletion does.
    with django_capture_on_commit_callbacks(execute=True):
        if how == "one":
            members.delete_model(request, leaving)
        else:
            members.delete_queryset(request, type(leaving).objects.filter(pk=leaving.pk))
    art.refresh_from_db()
    other.refresh_from_db()
    assert (art.like_count, art.favorite_count, other.favorite_count) == (1, 0, 0)
    assert art.hot_score == hot_score(like_count=1, favorite_count=0, published_at=art.published_at)


def test_a_count_already_too_low_never_goes_below_zero(user):
    art = PublishedArtworkFactory()
    services.artwork_like(artwork_id=art.pk, user=user)
    Artwork.objects.filter(pk=art.pk).update(like_count=0)  # rows changed behind its back
    unliked = services.artwork_unlike(artwork_id=art.pk, user=user)
    assert unliked.like_count == Artwork.objects.get(pk=art.pk).like_count == 0
    assert not Like.objects.filter(artwork=art).exists()
