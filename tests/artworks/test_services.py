import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from artworks import services
from artworks.media import thumbnail_formats
from artworks.models import Artwork, Favorite, Like
from artworks.signals import artwork_changed
from tests.factories import ArtworkFactory, PublishedArtworkFactory, tiny_jpeg

pytestmark = pytest.mark.django_db


def create_draft(author, **overrides):
    data = tiny_jpeg()
    kwargs = {
        "author": author,
        "title": "星空 下的猫",
        "source": Artwork.Source.UPLOADED,
        "content": data,
        "ext": "jpg",
        "content_type": "image/jpeg",
        "width": 64,
        "height": 48,
    }
    kwargs.update(overrides)
    return services.artwork_create_draft(**kwargs)


def test_create_draft_stores_the_original_under_its_uuid(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        artwork = create_draft(user)
    assert artwork.status == Artwork.Status.DRAFT
    assert artwork.published_at is None
    assert artwork.slug == "星空-下的猫"
    assert artwork.original.name == f"artworks/original/{artwork.uuid}.jpg"
    assert default_storage.exists(artwork.original.name)
    artwork.refresh_from_db()
    # the thumbnail task ran after commit
    assert artwork.thumb_status == Artwork.ThumbStatus.READY
    assert {(t["width"], t["format"]) for t in artwork.thumbnails} == {
        (64, fmt) for fmt, _ in thumbnail_formats()
    }
    assert artwork.thumbnails[0]["name"].startswith(f"artworks/thumb/{artwork.uuid}")


def test_a_draft_that_cannot_be_saved_leaves_no_file_and_no_row(user, stored_files):
    with pytest.raises(ValidationError):
        create_draft(user, kind="painting")
    assert Artwork.objects.count() == 0
    assert stored_files() == []


def test_publish_sets_published_at_and_is_for_the_author_only(user, other_user):
    draft = ArtworkFactory(user=user)
    with pytest.raises(PermissionDenied):
        services.artwork_publish(artwork=draft, actor=other_user)
    draft.refresh_from_db()
    assert draft.status == Artwork.Status.DRAFT

    published = services.artwork_publish(artwork=draft, actor=user)
    assert published.status == Artwork.Status.PUBLISHED
    assert published.published_at is not None
    assert published.hot_score > 0


def test_publish_without_an_image_is_refused(user):
    draft = ArtworkFactory(user=user, with_file=False, generation_status="running")
    with pytest.raises(ValidationError):
        services.artwork_publish(artwork=draft, actor=user)


def test_republishing_keeps_the_first_publication_date(user):
    draft = ArtworkFactory(user=user)
    first = services.artwork_publish(artwork=draft, actor=user).published_at
    services.artwork_unpublish(artwork=draft, actor=user)
    draft.refresh_from_db()
    assert draft.status == Artwork.Status.DRAFT
    again = services.artwork_publish(artwork=draft, actor=user)
    assert again.published_at == first


def test_unpublish_and_delete_are_for_the_author_only(user, other_user, stored_files):
    artwork = PublishedArtworkFactory(user=user)
    with pytest.raises(PermissionDenied):
        services.artwork_unpublish(artwork=artwork, actor=other_user)
    with pytest.raises(PermissionDenied):
        services.artwork_delete(artwork=artwork, actor=other_user)
    assert Artwork.objects.filter(pk=artwork.pk, status="published").exists()


def test_delete_removes_the_files(user, stored_files, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        artwork = create_draft(user)
    assert len(stored_files()) == 1 + len(thumbnail_formats())  # original + thumbnails
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_delete(artwork=artwork, actor=user)
    assert stored_files() == []
    assert not Artwork.objects.filter(pk=artwork.pk).exists()


def test_changes_are_announced_after_commit(user, django_capture_on_commit_callbacks):
    events = []

    def receiver(sender, artwork_id, user_id, event, **kwargs):
        events.append((artwork_id, event))

    artwork_changed.connect(receiver)
    try:
        draft = ArtworkFactory(user=user)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.artwork_publish(artwork=draft, actor=user)
        assert events == []  # nothing before commit
        for callback in callbacks:
            callback()
        assert events == [(draft.pk, "published")]
    finally:
        artwork_changed.disconnect(receiver)


def test_likes_count_once_and_unlike_of_nothing_changes_nothing(user, other_user):
    artwork = PublishedArtworkFactory()
    score_before = artwork.hot_score
    services.artwork_like(artwork_id=artwork.pk, user=user)
    services.artwork_like(artwork_id=artwork.pk, user=user)
    artwork.refresh_from_db()
    assert artwork.like_count == 1 == Like.objects.filter(artwork=artwork).count()
    assert artwork.hot_score == score_before  # log10(max(1, 1)) = 0: the first like is free
    services.artwork_like(artwork_id=artwork.pk, user=other_user)
    artwork.refresh_from_db()
    assert artwork.like_count == 2
    assert artwork.hot_score > score_before

    services.artwork_unlike(artwork_id=artwork.pk, user=user)
    services.artwork_unlike(artwork_id=artwork.pk, user=user)
    artwork.refresh_from_db()
    assert artwork.like_count == 1


def test_favorites_count_once(user):
    artwork = PublishedArtworkFactory()
    services.artwork_favorite(artwork_id=artwork.pk, user=user)
    services.artwork_favorite(artwork_id=artwork.pk, user=user)
    artwork.refresh_from_db()
    assert artwork.favorite_count == 1 == Favorite.objects.filter(artwork=artwork).count()
    services.artwork_unfavorite(artwork_id=artwork.pk, user=user)
    artwork.refresh_from_db()
    assert artwork.favorite_count == 0


@pytest.mark.parametrize(
    "factory_kwargs",
    [{"status": "draft", "published_at": None}, {"moderation": "hidden"}],
    ids=["draft", "hidden"],
)
def test_reacting_to_a_draft_or_hidden_artwork_is_refused(user, factory_kwargs):
    artwork = PublishedArtworkFactory(**factory_kwargs)
    with pytest.raises(Artwork.DoesNotExist):
        services.artwork_like(artwork_id=artwork.pk, user=user)
    with pytest.raises(Artwork.DoesNotExist):
        services.artwork_favorite(artwork_id=artwork.pk, user=user)
    assert not Like.objects.exists() and not Favorite.objects.exists()
