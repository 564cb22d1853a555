"""A member with something of everything to export or delete, and others around them whose
counts must stay exact."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import User
from artworks import services as artwork_services
from artworks.models import Artwork
from social.models import Collection
from social.services import (
    collection_create,
    collection_item_add,
    comment_create,
    user_block,
    user_follow,
    user_mute,
)
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, tiny_jpeg
from tests.s3_bucket import bucket, s3_server  # noqa: F401 (the S3 storage tests' fixtures)

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    member: User
    other: User
    fan: User
    published: Artwork
    draft: Artwork
    hidden: Artwork
    others_art: Artwork
    others_second: Artwork
    collection: Collection


def build_world() -> World:
    member = UserFactory(username="leaver", name="Leaving Member")
    member.profile_pic.save("avatar.webp", ContentFile(tiny_jpeg(32, 32)), save=True)
    other, fan = UserFactory(username="stayer"), UserFactory(username="fan")
    published = PublishedArtworkFactory(
        user=member, title="Lantern", prompt="a paper lantern", negative_prompt="blur", seed=42
    )
    artwork_services.artwork_set_tags(artwork=published, actor=member, tags=["night", "paper"])
    draft = ArtworkFactory(
        user=member, title="Secret draft", prompt="hidden idea", prompt_hidden=True
    )
    hidden = PublishedArtworkFactory(
        user=member, title="Hidden one", moderation=Artwork.Moderation.HIDDEN, rating="mature"
    )
    others_art = PublishedArtworkFactory(user=other, title="Harbour", remix_of=None)
    others_second = PublishedArtworkFactory(user=other, title="Bridge")
    # Reactions: the member's on the others' work, and others' on the member's and each other's.
    for artwork in (others_art, others_second):
        artwork_services.artwork_like(artwork_id=artwork.pk, user=member)
        artwork_services.artwork_like(artwork_id=artwork.pk, user=fan)
    artwork_services.artwork_favorite(artwork_id=others_art.pk, user=member)
    artwork_services.artwork_favorite(artwork_id=others_art.pk, user=fan)
    artwork_services.artwork_like(artwork_id=published.pk, user=fan)
    artwork_services.artwork_favorite(artwork_id=published.pk, user=other)
    # A remix of the member's work by someone else keeps its row (remix_of is set to null).
    remix = PublishedArtworkFactory(user=other, title="Remix", remix_of=published)
    assert remix.remix_of_id == published.pk
    comment = comment_create(author=member, artwork_id=others_art.pk, body="Lovely harbour")
    comment_create(author=other, artwork_id=published.pk, body="Nice lantern")
    comment_create(author=other, artwork_id=others_art.pk, body="Thanks!", parent_id=comment.pk)
    collection = collection_create(owner=member, name="Favourites of mine", description="best")
    collection_item_add(actor=member, collection=collection, artwork_id=others_art.pk)
    collection_item_add(actor=member, collection=collection, artwork_id=published.pk)
    user_follow(follower=member, followee=other)
    user_follow(follower=fan, followee=member)
    third = UserFactory(username="third")
    user_block(blocker=member, blocked=third)
    user_mute(muter=member, muted=fan)
    # An old export of theirs, in storage.
    default_storage.save("exports/old.zip", ContentFile(b"old"))
    return World(
        member=User.objects.get(pk=member.pk),
        other=other,
        fan=fan,
        published=published,
        draft=draft,
        hidden=hidden,
        others_art=others_art,
        others_second=others_second,
        collection=collection,
    )


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        return build_world()
