"""Who may do what between members, at every entry point (pages and API), for every kind of
actor: a visitor, a member, the member acted on (or the artwork's author), a member they
block, a member they mute, and staff who moderate comments. Each cell is what the actor gets:
"signin" (sent to sign in, or 401), "ok" (done), "refused" (403, or back to the page with the
reason and nothing changed), "404". The member acted on has a public and a private collection
holding their artwork."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.tokens import token_pair_issue
from social.models import Block, Collection, CollectionItem, Comment, Follow, Mute
from social.services import (
    collection_create,
    collection_item_add,
    comment_create,
    user_block,
    user_mute,
)
from tests.factories import PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "member", "self", "blocked", "muted", "staff"]


@dataclass
class World:
    star: object  # the member acted on, and the artwork's author
    artwork: object
    comment: Comment  # a third member's comment under the artwork
    actors: dict
    public: Collection  # the member acted on's collections, each holding their artwork
    private: Collection


@pytest.fixture
def world() -> World:
    star = UserFactory(username="star")
    artwork = PublishedArtworkFactory(user=star)
    blocked, muted = UserFactory(username="blocked"), UserFactory(username="muted")
    user_block(blocker=star, blocked=blocked)
    user_mute(muter=star, muted=muted)
    comment = comment_create(author=UserFactory(), artwork_id=artwork.pk, body="hello")
    actors = {
        "anonymous": None,
        "member": UserFactory(username="member"),
        "self": star,
        "blocked": blocked,
        "muted": muted,
        "staff": make_moderator(username="staff", extra_perms=("social.moderate_comment",)),
    }
    public = collection_create(owner=star, name="Open")
    private = collection_create(owner=star, name="Closed", is_public=False)
    for collection in (public, private):
        collection_item_add(actor=star, collection=collection, artwork_id=artwork.pk)
    return World(
        star=star,
        artwork=artwork,
        comment=comment,
        actors=actors,
        public=public,
        private=private,
    )


def _page_client(actor) -> Client:
    client = Client()
    if actor is not None:
        client.force_login(actor)
    return client


def _api(actor) -> dict[str, str]:
    if actor is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=actor).access_token}"}


def _page_outcome(response, changed: bool) -> str:
    if response.status_code == 302 and response["Location"].startswith("/login"):
        return "signin"
    if response.status_code in (403, 404):
        return "refused" if response.status_code == 403 else "404"
    return "ok" if changed else "refused"


def _api_outcome(response) -> str:
    return {200: "ok", 201: "ok", 401: "signin", 403: "refused", 404: "404"}[response.status_code]


def _follows(actor, star) -> bool:
    return actor is not None and Follow.objects.filter(follower=actor, followee=star).exists()


def page_follow(world: World, actor) -> str:
    response = _page_client(actor).post(f"/user/{world.star.username}/follow")
    return _page_outcome(response, _follows(actor, world.star))


def page_block(world: World, actor) -> str:
    response = _page_client(actor).post(f"/user/{world.star.username}/block")
    done = actor is not None and Block.objects.filter(blocker=actor, blocked=world.star).exists()
    return _page_outcome(response, done)


def page_mute(world: World, actor) -> str:
    response = _page_client(actor).post(f"/user/{world.star.username}/mute")
    done = actor is not None and Mute.objects.filter(muter=actor, muted=world.star).exists()
    return _page_outcome(response, done)


def page_followers(world: World, actor) -> str:
    response = _page_client(actor).get(f"/user/{world.star.username}/followers")
    return _page_outcome(response, response.status_code == 200)


def page_following_feed(world: World, actor) -> str:
    response = _page_client(actor).get("/feed?tab=following")
    return _page_outcome(response, response.status_code == 200)


def page_blocked_list(world: World, actor) -> str:
    response = _page_client(actor).get("/settings/blocked")
    return _page_outcome(response, response.status_code == 200)


def api_follow(world: World, actor) -> str:
    return _api_outcome(Client().post(f"/api/users/{world.star.pk}/follow", **_api(actor)))


def api_unfollow(world: World, actor) -> str:
    return _api_outcome(Client().delete(f"/api/users/{world.star.pk}/follow", **_api(actor)))


def api_block(world: World, actor) -> str:
    return _api_outcome(Client().post(f"/api/users/{world.star.pk}/block", **_api(actor)))


def api_mute(world: World, actor) -> str:
    return _api_outcome(Client().post(f"/api/users/{world.star.pk}/mute", **_api(actor)))


def api_following_feed(world: World, actor) -> str:
    return _api_outcome(Client().get("/api/feed?tab=following", **_api(actor)))


def api_comment(world: World, actor) -> str:
    response = Client().post(
        f"/api/artworks/{world.artwork.pk}/comments",
        {"body": "nice"},
        content_type="application/json",
        **_api(actor),
    )
    return _api_outcome(response)


def api_comments_list(world: World, actor) -> str:
    return _api_outcome(Client().get(f"/api/artworks/{world.artwork.pk}/comments", **_api(actor)))


def api_delete_comment(world: World, actor) -> str:
    return _api_outcome(Client().delete(f"/api/comments/{world.comment.pk}", **_api(actor)))


def page_public_collection(world: World, actor) -> str:
    response = _page_client(actor).get(world.public.get_absolute_url())
    return _page_outcome(response, response.status_code == 200)


def page_private_collection(world: World, actor) -> str:
    response = _page_client(actor).get(world.private.get_absolute_url())
    return _page_outcome(response, response.status_code == 200)


def page_edit_collection(world: World, actor) -> str:
    response = _page_client(actor).post(
        f"{world.public.get_absolute_url()}/edit", {"name": "Open", "description": "changed"}
    )
    changed = Collection.objects.filter(pk=world.public.pk, description="changed").exists()
    return _page_outcome(response, changed)


def page_save_to_collection(world: World, actor) -> str:
    """The actor saves the artwork to a new collection of their own."""
    response = _page_client(actor).post(
        f"/artwork/{world.artwork.pk}/collections/new", {"name": "Saved"}
    )
    saved = CollectionItem.objects.filter(
        collection__owner=actor, collection__name="Saved", artwork=world.artwork
    ).exists()
    return _page_outcome(response, actor is not None and saved)


def api_private_collection(world: World, actor) -> str:
    return _api_outcome(Client().get(f"/api/collections/{world.private.pk}", **_api(actor)))


def api_edit_collection(world: World, actor) -> str:
    response = Client().patch(
        f"/api/collections/{world.public.pk}",
        {"description": "changed"},
        content_type="application/json",
        **_api(actor),
    )
    return _api_outcome(response)


def api_add_to_own_collection(world: World, actor) -> str:
    """The actor puts the artwork in a collection of their own."""
    target = world.public
    if actor is not None:
        target = collection_create(owner=actor, name="Mine") if actor != world.star else target
    response = Client().post(
        f"/api/collections/{target.pk}/items",
        {"artwork_id": world.artwork.pk},
        content_type="application/json",
        **_api(actor),
    )
    return _api_outcome(response)


# entry point → the outcome for each actor, in the order of ACTORS.
TABLE = {
    page_follow: ["signin", "ok", "refused", "refused", "ok", "ok"],
    page_block: ["signin", "ok", "refused", "ok", "ok", "ok"],
    page_mute: ["signin", "ok", "refused", "ok", "ok", "ok"],
    page_followers: ["ok", "ok", "ok", "ok", "ok", "ok"],
    page_following_feed: ["signin", "ok", "ok", "ok", "ok", "ok"],
    page_blocked_list: ["signin", "ok", "ok", "ok", "ok", "ok"],
    api_follow: ["signin", "ok", "refused", "refused", "ok", "ok"],
    api_unfollow: ["signin", "ok", "ok", "ok", "ok", "ok"],
    api_block: ["signin", "ok", "refused", "ok", "ok", "ok"],
    api_mute: ["signin", "ok", "refused", "ok", "ok", "ok"],
    api_following_feed: ["signin", "ok", "ok", "ok", "ok", "ok"],
    api_comment: ["signin", "ok", "ok", "refused", "ok", "ok"],
    api_comments_list: ["ok", "ok", "ok", "ok", "ok", "ok"],
    api_delete_comment: ["signin", "refused", "ok", "refused", "refused", "ok"],
    # A private collection is its owner's alone, staff included (404); a public one is seen
    # by all and changed by its owner alone (403, on the page as in the API); a member the
    # artwork's author blocks cannot save their work.
    page_public_collection: ["ok", "ok", "ok", "ok", "ok", "ok"],
    page_private_collection: ["404", "404", "ok", "404", "404", "404"],
    page_edit_collection: ["signin", "refused", "ok", "refused", "refused", "refused"],
    page_save_to_collection: ["signin", "ok", "ok", "refused", "ok", "ok"],
    api_private_collection: ["404", "404", "ok", "404", "404", "404"],
    api_edit_collection: ["signin", "refused", "ok", "refused", "refused", "refused"],
    api_add_to_own_collection: ["signin", "ok", "ok", "refused", "ok", "ok"],
}


@pytest.mark.parametrize("entry", TABLE, ids=lambda entry: entry.__name__)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_actor_at_every_entry_point(world, entry, actor):
    expected = TABLE[entry][ACTORS.index(actor)]
    assert entry(world, world.actors[actor]) == expected
