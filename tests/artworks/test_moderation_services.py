"""Staff moderation of artworks: hide, restore, feature, unpublish, delete — staff only,
logged in the same transaction, announced after commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import StaffAction
from artworks import services
from artworks.models import Artwork
from artworks.selectors import artwork_is_visible_to, artworks_featured, artworks_visible_to
from artworks.signals import ArtworkEvent, artwork_changed
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, grant_perms

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    seen: list[tuple[int, str]] = []

    def receiver(sender, artwork_id, user_id, event, **kwargs):
        seen.append((artwork_id, event))

    artwork_changed.connect(receiver, weak=False)
    yield seen
    artwork_changed.disconnect(receiver)


def log_of(artwork):
    return list(
        StaffAction.objects.filter(target_type="artwork", target_id=artwork.pk)
        .order_by("id")
        .values_list("action", "actor_username", "reason")
    )


def test_hide_is_announced_after_commit_and_logged(
    staff_user, events, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        hidden = services.artwork_hide(artwork=artwork, actor=staff_user, reason="spam ring")
        assert events == []  # nothing is announced before the commit
    assert hidden.moderation == Artwork.Moderation.HIDDEN
    assert log_of(artwork) == [("artwork_hide", staff_user.username, "spam ring")]
    for callback in callbacks:
        callback()
    assert events == [(artwork.pk, ArtworkEvent.HIDDEN)]
    # The one visibility rule now keeps it from the public and from its own author.
    assert not artworks_visible_to(viewer=None).filter(pk=artwork.pk).exists()
    assert not artworks_visible_to(viewer=artwork.user).filter(pk=artwork.pk).exists()
    assert artworks_visible_to(viewer=staff_user).filter(pk=artwork.pk).exists()


def test_restore_brings_it_back(staff_user, events, django_capture_on_commit_callbacks):
    artwork = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_restore(artwork=artwork, actor=staff_user)
    artwork.refresh_from_db()
    assert artwork_is_visible_to(artwork=artwork, viewer=None)
    assert events == [(artwork.pk, ArtworkEvent.RESTORED)]
    assert [a for a, _, _ in log_of(artwork)] == ["artwork_restore"]


def test_hiding_twice_changes_nothing_the_second_time(
    staff_user, events, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_hide(artwork=artwork, actor=staff_user)
        services.artwork_hide(artwork=artwork, actor=staff_user)
    assert events == [(artwork.pk, ArtworkEvent.HIDDEN)]
    assert len(log_of(artwork)) == 1


def test_a_failed_transaction_announces_nothing_and_logs_nothing(
    staff_user, events, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.artwork_hide(artwork=artwork, actor=staff_user)
        raise RuntimeError("boom")
    artwork.refresh_from_db()
    assert artwork.moderation == Artwork.Moderation.VISIBLE
    assert events == []
    assert log_of(artwork) == []


@pytest.mark.parametrize(
    "service",
    ["artwork_hide", "artwork_restore", "artwork_feature", "artwork_unfeature"],
)
def test_moderation_services_refuse_non_staff(service, user):
    artwork = PublishedArtworkFactory(user=user)
    with pytest.raises(PermissionDenied):
        getattr(services, service)(artwork=artwork, actor=user)  # not even the author
    inactive_staff = UserFactory(is_staff=True, is_active=False)
    with pytest.raises(PermissionDenied):
        getattr(services, service)(artwork=artwork, actor=inactive_staff)
    assert StaffAction.objects.count() == 0


def test_feature_pins_an_artwork_and_unfeature_unpins_it(
    staff_user, events, django_capture_on_commit_callbacks
):
    older = PublishedArtworkFactory()
    newer = PublishedArtworkFactory()
    PublishedArtworkFactory()  # never featured
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_feature(artwork=older, actor=staff_user)
        services.artwork_feature(artwork=newer, actor=staff_user)
    assert [a.pk for a in artworks_featured(limit=10)] == [newer.pk, older.pk]
    assert [a.pk for a in artworks_featured(limit=1)] == [newer.pk]
    first_date = Artwork.objects.get(pk=older.pk).featured_at
    # Featuring again keeps the date (and is not logged twice).
    services.artwork_feature(artwork=Artwork.objects.get(pk=older.pk), actor=staff_user)
    assert Artwork.objects.get(pk=older.pk).featured_at == first_date

    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_unfeature(artwork=newer, actor=staff_user)
    assert [a.pk for a in artworks_featured(limit=10)] == [older.pk]
    assert events == [
        (older.pk, ArtworkEvent.FEATURED),
        (newer.pk, ArtworkEvent.FEATURED),
        (newer.pk, ArtworkEvent.UNFEATURED),
    ]
    assert [a for a, _, _ in log_of(newer)] == ["artwork_feature", "artwork_unfeature"]


def test_featured_list_follows_the_visibility_rule(staff_user):
    artwork = PublishedArtworkFactory()
    services.artwork_feature(artwork=artwork, actor=staff_user)
    services.artwork_hide(artwork=artwork, actor=staff_user)
    assert artworks_featured(limit=10) == []
    services.artwork_restore(artwork=artwork, actor=staff_user)
    assert [a.pk for a in artworks_featured(limit=10)] == [artwork.pk]
    artwork.user.is_active = False
    artwork.user.save()
    assert artworks_featured(limit=10) == []


def test_only_published_visible_artworks_can_be_featured(staff_user):
    draft = ArtworkFactory()
    hidden = PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    for artwork in (draft, hidden):
        with pytest.raises(ValidationError):
            services.artwork_feature(artwork=artwork, actor=staff_user)
        assert Artwork.objects.get(pk=artwork.pk).featured_at is None
    assert StaffAction.objects.count() == 0


def test_staff_may_unpublish_any_artwork_and_it_is_logged(
    staff_user, events, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_unpublish(artwork=artwork, actor=staff_user, reason="wrong account")
    artwork.refresh_from_db()
    assert artwork.status == Artwork.Status.DRAFT
    assert events == [(artwork.pk, ArtworkEvent.UNPUBLISHED)]
    assert log_of(artwork) == [("artwork_unpublish", staff_user.username, "wrong account")]


def test_unpublish_stays_author_only_for_members(user, other_user):
    artwork = PublishedArtworkFactory(user=user)
    with pytest.raises(PermissionDenied):
        services.artwork_unpublish(artwork=artwork, actor=other_user)
    assert Artwork.objects.get(pk=artwork.pk).status == Artwork.Status.PUBLISHED
    # The author's own unpublish is not a moderation action.
    services.artwork_unpublish(artwork=artwork, actor=user)
    assert StaffAction.objects.count() == 0


def test_staff_delete_removes_files_logs_and_announces(
    staff_user, events, stored_files, django_capture_on_commit_callbacks
):
    grant_perms(staff_user, "artworks.delete_artwork")  # Moderators may not delete by default
    artwork = PublishedArtworkFactory()
    assert stored_files() != []
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_delete(artwork=artwork, actor=staff_user, reason="copyright claim")
    assert not Artwork.objects.filter(pk=artwork.pk).exists()
    assert stored_files() == []
    assert events == [(artwork.pk, ArtworkEvent.DELETED)]
    # The log outlives the artwork.
    assert log_of(artwork) == [("artwork_delete", staff_user.username, "copyright claim")]


def test_staff_update_corrects_text_only(staff_user, events, django_capture_on_commit_callbacks):
    artwork = PublishedArtworkFactory(title="Buy cheap pills")
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.artwork_edit(
            artwork=artwork, actor=staff_user, changes={"title": "Untitled still life"}
        )
    assert updated.slug == "untitled-still-life"
    assert events == [(artwork.pk, ArtworkEvent.UPDATED)]
    assert [a for a, _, _ in log_of(artwork)] == ["artwork_edit"]
    with pytest.raises(ValidationError):
        services.artwork_edit(artwork=artwork, actor=staff_user, changes={"moderation": "hidden"})


def test_report_is_a_reserved_slug():
    assert Artwork.slug_for("Report") == "report-artwork"
    assert Artwork.slug_for("Report cards") == "report-cards"
