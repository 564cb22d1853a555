"""Collections' writes: validation with clear errors and nothing saved, the limits, the
slugs, the visibility rule for what may be added, the owner-only rule, the counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from artworks.models import Artwork
from artworks.services import artwork_delete, artwork_hide
from social import services
from social.collection_selectors import (
    can_edit_collection,
    can_view_collection,
    collection_add_refusal,
)
from social.models import Collection, CollectionItem
from social.services import user_block
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner")


def test_create_cleans_the_name_and_makes_a_slug(owner):
    made = services.collection_create(owner=owner, name="  Golden   hours ", description=" x ")
    assert (made.name, made.slug, made.description, made.is_public) == (
        "Golden hours",
        "golden-hours",
        "x",
        True,
    )
    again = services.collection_create(owner=owner, name="Golden hours")
    assert again.slug == "golden-hours-2"
    chinese = services.collection_create(owner=owner, name="日落 合集", is_public=False)
    assert chinese.slug == "日落-合集"
    assert not chinese.is_public
    assert services.collection_create(owner=owner, name="!!!").slug == "collection"
    # Another member may use the same slug.
    assert services.collection_create(owner=UserFactory(), name="Golden hours").slug == (
        "golden-hours"
    )


@pytest.mark.parametrize(
    ("name", "description", "message"),
    [
        ("", "", "Give the collection a name."),
        ("   ", "", "Give the collection a name."),
        ("x" * 81, "", "at most 80 characters"),
        ("ok", "d" * 1001, "at most 1000 characters"),
        ("nul\x00", "", "NUL"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(owner, name, description, message):
    with pytest.raises(ValidationError) as caught:
        services.collection_create(owner=owner, name=name, description=description)
    assert message in " ".join(caught.value.messages)
    assert not Collection.objects.exists()


def test_a_member_has_at_most_the_limit_of_collections(owner, monkeypatch):
    monkeypatch.setattr("social.services.collections.COLLECTIONS_PER_MEMBER", 2)
    services.collection_create(owner=owner, name="a")
    services.collection_create(owner=owner, name="b")
    with pytest.raises(ValidationError, match="at most 2 collections"):
        services.collection_create(owner=owner, name="c")
    assert Collection.objects.filter(owner=owner).count() == 2


def test_add_and_remove_move_the_count_once(owner):
    collection = services.collection_create(owner=owner, name="Picks")
    artwork = PublishedArtworkFactory()
    assert services.collection_item_add(actor=owner, collection=collection, artwork_id=artwork.pk)
    assert not services.collection_item_add(
        actor=owner, collection=collection, artwork_id=artwork.pk
    )
    collection.refresh_from_db()
    assert collection.item_count == 1
    assert services.collection_item_remove(
        actor=owner, collection=collection, artwork_id=artwork.pk
    )
    assert not services.collection_item_remove(
        actor=owner, collection=collection, artwork_id=artwork.pk
    )
    collection.refresh_from_db()
    assert collection.item_count == 0


def test_an_artwork_per_collection_limit(owner, monkeypatch):
    monkeypatch.setattr("social.services.collections.ITEMS_PER_COLLECTION", 1)
    collection = services.collection_create(owner=owner, name="Tiny")
    services.collection_item_add(
        actor=owner, collection=collection, artwork_id=PublishedArtworkFactory().pk
    )
    with pytest.raises(ValidationError, match="at most 1 artworks"):
        services.collection_item_add(
            actor=owner, collection=collection, artwork_id=PublishedArtworkFactory().pk
        )
    assert CollectionItem.objects.count() == 1


def test_only_artworks_the_owner_may_see_go_in(owner):
    collection = services.collection_create(owner=owner, name="Picks")
    foreign_draft = ArtworkFactory()
    own_draft = ArtworkFactory(user=owner)
    hidden = PublishedArtworkFactory()
    artwork_hide(artwork=hidden, actor=make_moderator(), reason="spam")
    for artwork in (foreign_draft, hidden):
        with pytest.raises(Artwork.DoesNotExist):
            services.collection_item_add(actor=owner, collection=collection, artwork_id=artwork.pk)
    assert services.collection_item_add(actor=owner, collection=collection, artwork_id=own_draft.pk)
    assert list(CollectionItem.objects.values_list("artwork_id", flat=True)) == [own_draft.pk]


def test_a_member_blocked_by_the_author_cannot_save_their_work(owner):
    author = UserFactory()
    artwork = PublishedArtworkFactory(user=author)
    user_block(blocker=author, blocked=owner)
    collection = services.collection_create(owner=owner, name="Picks")
    assert collection_add_refusal(actor=owner, collection=collection, artwork=artwork)
    with pytest.raises(services.CollectionRefused, match="cannot save"):
        services.collection_item_add(actor=owner, collection=collection, artwork_id=artwork.pk)
    assert not CollectionItem.objects.exists()


def test_only_the_owner_changes_a_collection(owner):
    collection = services.collection_create(owner=owner, name="Picks")
    other, staff = UserFactory(), make_moderator()
    artwork = PublishedArtworkFactory()
    for actor in (other, staff):
        assert not can_edit_collection(actor=actor, collection=collection)
        with pytest.raises(services.CollectionRefused):
            services.collection_update(actor=actor, collection=collection, name="Mine")
        with pytest.raises(services.CollectionRefused):
            services.collection_item_add(actor=actor, collection=collection, artwork_id=artwork.pk)
        with pytest.raises(services.CollectionRefused):
            services.collection_delete(actor=actor, collection=collection)
    collection.refresh_from_db()
    assert collection.name == "Picks"


def test_update_renames_with_a_new_slug_and_keeps_what_is_not_given(owner):
    collection = services.collection_create(owner=owner, name="Picks", description="old")
    services.collection_create(owner=owner, name="Sunsets")
    changed = services.collection_update(actor=owner, collection=collection, name="Sunsets")
    assert (changed.slug, changed.description) == ("sunsets-2", "old")
    changed = services.collection_update(actor=owner, collection=collection, is_public=False)
    assert not changed.is_public
    with pytest.raises(ValidationError):
        services.collection_update(actor=owner, collection=collection, name="")
    collection.refresh_from_db()
    assert collection.name == "Sunsets"


def test_private_collections_are_the_owners_alone(owner):
    collection = services.collection_create(owner=owner, name="Secret", is_public=False)
    collection = Collection.objects.select_related("owner").get(pk=collection.pk)
    assert can_view_collection(viewer=owner, collection=collection)
    for viewer in (None, UserFactory(), make_moderator(), UserFactory(is_superuser=True)):
        assert not can_view_collection(viewer=viewer, collection=collection)


def test_a_suspended_owners_collections_are_seen_by_nobody(owner):
    collection = services.collection_create(owner=owner, name="Open")
    owner.is_active = False
    owner.save()
    collection = Collection.objects.select_related("owner").get(pk=collection.pk)
    assert not can_view_collection(viewer=None, collection=collection)


def test_deleting_an_artwork_sets_the_count_again(owner):
    collection = services.collection_create(owner=owner, name="Picks")
    artwork = PublishedArtworkFactory()
    services.collection_item_add(actor=owner, collection=collection, artwork_id=artwork.pk)
    artwork_delete(artwork=artwork, actor=artwork.user)
    collection.refresh_from_db()
    assert collection.item_count == 0


def test_delete_takes_the_rows_not_the_artworks(owner):
    collection = services.collection_create(owner=owner, name="Picks")
    artwork = PublishedArtworkFactory()
    services.collection_item_add(actor=owner, collection=collection, artwork_id=artwork.pk)
    services.collection_delete(actor=owner, collection=collection)
    assert not CollectionItem.objects.exists()
    assert Artwork.objects.filter(pk=artwork.pk).exists()


def test_the_save_control_sets_exactly_the_chosen_collections(owner):
    first, second = (services.collection_create(owner=owner, name=n) for n in ("a", "b"))
    foreign = services.collection_create(owner=UserFactory(), name="theirs")
    artwork = PublishedArtworkFactory()
    services.artwork_collections_set(
        actor=owner,
        artwork_id=artwork.pk,
        shown=[first.pk, second.pk],
        chosen=[first.pk, foreign.pk],
    )
    assert set(CollectionItem.objects.values_list("collection_id", flat=True)) == {first.pk}
    services.artwork_collections_set(
        actor=owner, artwork_id=artwork.pk, shown=[first.pk, second.pk], chosen=[second.pk]
    )
    assert set(CollectionItem.objects.values_list("collection_id", flat=True)) == {second.pk}
