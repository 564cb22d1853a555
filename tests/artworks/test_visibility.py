"""The one visibility rule, checked in both its forms (query and in-memory) on the same cases."""

import pytest
from django.contrib.auth.models import AnonymousUser

from artworks.models import Artwork
from artworks.selectors import artwork_is_visible_to, artworks_visible_to
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def visible(artwork, viewer) -> bool:
    in_query = artworks_visible_to(viewer=viewer).filter(pk=artwork.pk).exists()
    in_memory = artwork_is_visible_to(artwork=artwork, viewer=viewer)
    assert in_query == in_memory, "the query and the in-memory rule disagree"
    return in_query


@pytest.fixture
def people():
    return {
        "author": UserFactory(),
        "stranger": UserFactory(),
        # Staff who may view artworks (a moderator); `is_staff` alone is checked below.
        "staff": make_moderator(),
        "anonymous": AnonymousUser(),
        "nobody": None,
    }


def test_published_artwork_is_visible_to_everyone(people):
    artwork = PublishedArtworkFactory(user=people["author"])
    assert all(visible(artwork, v) for v in people.values())


def test_draft_is_visible_to_its_author_and_staff_only(people):
    artwork = ArtworkFactory(user=people["author"])
    assert visible(artwork, people["author"])
    assert visible(artwork, people["staff"])
    assert not visible(artwork, people["stranger"])
    assert not visible(artwork, people["anonymous"])
    assert not visible(artwork, people["nobody"])


@pytest.mark.parametrize("factory", [PublishedArtworkFactory, ArtworkFactory])
def test_hidden_artwork_is_visible_to_staff_only(people, factory):
    artwork = factory(user=people["author"], moderation=Artwork.Moderation.HIDDEN)
    assert visible(artwork, people["staff"])
    assert not visible(artwork, people["author"])
    assert not visible(artwork, people["stranger"])
    assert not visible(artwork, people["anonymous"])


def test_suspended_authors_work_is_hidden_from_the_public(people):
    author = people["author"]
    artwork = PublishedArtworkFactory(user=author)
    author.is_active = False
    author.save()
    artwork.refresh_from_db()
    assert not visible(artwork, people["stranger"])
    assert not visible(artwork, people["anonymous"])
    assert visible(artwork, people["staff"])


def test_inactive_staff_sees_only_the_public(people):
    staff = people["staff"]
    staff.is_active = False
    draft = ArtworkFactory(user=people["author"])
    assert not visible(draft, staff)


@pytest.mark.parametrize("factory", [PublishedArtworkFactory, ArtworkFactory])
def test_staff_without_permissions_see_only_the_public(people, factory):
    plain_staff = UserFactory(is_staff=True)
    draft = ArtworkFactory(user=people["author"])
    hidden = factory(user=people["author"], moderation=Artwork.Moderation.HIDDEN)
    secret = PublishedArtworkFactory(user=people["author"], prompt="secret", prompt_hidden=True)
    assert not visible(draft, plain_staff)
    assert not visible(hidden, plain_staff)
    assert visible(secret, plain_staff)
    from artworks.selectors import artwork_prompt_visible_to

    assert not artwork_prompt_visible_to(artwork=secret, viewer=plain_staff)


def test_a_hidden_prompt_is_shown_to_its_author_and_staff_only(people):
    from artworks.schemas import artwork_out
    from artworks.selectors import artwork_prompt_visible_to

    artwork = PublishedArtworkFactory(
        user=people["author"], prompt="secret recipe", prompt_hidden=True
    )
    assert artwork_prompt_visible_to(artwork=artwork, viewer=people["author"])
    assert artwork_prompt_visible_to(artwork=artwork, viewer=people["staff"])
    for viewer in (people["stranger"], people["anonymous"], people["nobody"]):
        assert not artwork_prompt_visible_to(artwork=artwork, viewer=viewer)
        data = artwork_out(artwork, viewer=viewer).model_dump()
        assert data["prompt"] is None and "secret recipe" not in str(data)
    assert artwork_out(artwork, viewer=people["author"]).prompt == "secret recipe"
