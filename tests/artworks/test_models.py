"""The database itself refuses what must never hold."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from artworks.models import Artwork, Favorite, Like
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    LikeFactory,
    PublishedArtworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_tables_have_the_blueprint_names():
    assert User._meta.db_table == "users"
    assert Artwork._meta.db_table == "artworks"
    assert Like._meta.db_table == "artworks_like"
    assert Favorite._meta.db_table == "artworks_favorite"


def test_second_like_by_same_user_is_refused_by_the_database():
    like = LikeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Like.objects.create(user=like.user, artwork=like.artwork)
    assert Like.objects.filter(artwork=like.artwork).count() == 1


def test_second_favorite_by_same_user_is_refused_by_the_database():
    fav = FavoriteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Favorite.objects.create(user=fav.user, artwork=fav.artwork)


def test_invalid_status_is_refused_by_the_database():
    artwork = ArtworkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Artwork.objects.filter(pk=artwork.pk).update(status="archived")
    artwork.refresh_from_db()
    assert artwork.status == "draft"


@pytest.mark.parametrize("field", ["moderation", "kind", "source"])
def test_invalid_enumerations_are_refused(field):
    artwork = ArtworkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Artwork.objects.filter(pk=artwork.pk).update(**{field: "bogus"})


@pytest.mark.parametrize("field", ["like_count", "favorite_count"])
def test_negative_counts_are_refused(field):
    artwork = PublishedArtworkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Artwork.objects.filter(pk=artwork.pk).update(**{field: -1})


def test_published_artwork_must_have_a_publication_date():
    artwork = ArtworkFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Artwork.objects.filter(pk=artwork.pk).update(status="published", published_at=None)
    Artwork.objects.filter(pk=artwork.pk).update(status="published", published_at=timezone.now())


def test_email_and_username_are_unique_case_insensitively():
    UserFactory(username="Painter", email="painter@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="painter", email="other@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        # bypass save()'s normalisation: the database constraint itself must refuse it
        User.objects.bulk_create([User(username="another", email="PAINTER@example.com")])


def test_deleting_a_user_deletes_their_likes_favorites_and_artworks():
    author = UserFactory()
    fan = UserFactory()
    own = PublishedArtworkFactory(user=author)
    theirs = PublishedArtworkFactory()
    LikeFactory(user=author, artwork=theirs)
    FavoriteFactory(user=author, artwork=theirs)
    LikeFactory(user=fan, artwork=own)
    author.delete()
    assert not Artwork.objects.filter(pk=own.pk).exists()
    assert not Like.objects.filter(user_id=author.pk).exists()
    assert not Favorite.objects.filter(user_id=author.pk).exists()
    assert not Like.objects.filter(artwork_id=own.pk).exists()  # the fan's like went with it
    assert Artwork.objects.filter(pk=theirs.pk).exists()


def test_slug_keeps_chinese_characters():
    assert Artwork.slug_for("星空 下的猫") == "星空-下的猫"
    assert Artwork.slug_for("Sunset, Over Hills!") == "sunset-over-hills"
    assert Artwork.slug_for("!!!") == "artwork"


def test_url_is_the_original_files_url():
    artwork = ArtworkFactory()
    assert artwork.url.endswith(f"artworks/original/{artwork.uuid}.jpg")
