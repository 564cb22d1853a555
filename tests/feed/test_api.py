"""The reaction and list API (blueprint §2), with and without the Redis index."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from artworks.models import Artwork, Favorite, Like
from artworks.selectors import artworks_public
from tests.factories import (
    ArtworkFactory,
    FavoriteFactory,
    LikeFactory,
    PublishedArtworkFactory,
    UserFactory,
    make_moderator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def make_feed(count: int) -> list[Artwork]:
    now = timezone.now()
    return [PublishedArtworkFactory(published_at=now - timedelta(minutes=i)) for i in range(count)]


# --- reactions ----------------------------------------------------------------------------


def test_like_twice_counts_once_and_unlike_of_nothing_changes_nothing(signed_in, user):
    artwork = PublishedArtworkFactory()
    LikeFactory(artwork=artwork)
    url = f"/api/artworks/{artwork.pk}/like"
    assert signed_in.post(url).json() == {"like_count": 2, "isLiked": True}
    assert signed_in.post(url).json() == {"like_count": 2, "isLiked": True}
    assert signed_in.delete(url).json() == {"like_count": 1, "isLiked": False}
    assert signed_in.delete(url).json() == {"like_count": 1, "isLiked": False}
    assert Like.objects.filter(artwork=artwork).count() == 1


def test_favorite_and_unfavorite(signed_in, user):
    artwork = PublishedArtworkFactory()
    url = f"/api/artworks/{artwork.pk}/favorite"
    assert signed_in.post(url).json() == {"is_favorite": True, "favorite_count": 1}
    assert signed_in.post(url).json() == {"is_favorite": True, "favorite_count": 1}
    assert Favorite.objects.get().user == user
    assert signed_in.delete(url).json() == {"is_favorite": False, "favorite_count": 0}
    assert signed_in.delete(url).json() == {"is_favorite": False, "favorite_count": 0}


@pytest.mark.parametrize(
    "kwargs",
    [{"status": "draft", "published_at": None}, {"moderation": "hidden"}, None],
    ids=["draft", "hidden", "missing"],
)
@pytest.mark.parametrize("what", ["like", "favorite"])
@pytest.mark.parametrize("method", ["post", "delete"])
def test_reacting_to_a_draft_hidden_or_missing_artwork_is_404(signed_in, kwargs, what, method):
    artwork_id = PublishedArtworkFactory(**kwargs).pk if kwargs else 999999
    response = getattr(signed_in, method)(f"/api/artworks/{artwork_id}/{what}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not Like.objects.exists() and not Favorite.objects.exists()


def test_reacting_needs_sign_in(client):
    artwork = PublishedArtworkFactory()
    response = client.post(f"/api/artworks/{artwork.pk}/like")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not Like.objects.exists()


def test_reactions_are_rate_limited(settings, signed_in):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reaction": (3, 60)}
    artwork = PublishedArtworkFactory()
    url = f"/api/artworks/{artwork.pk}/like"
    for _ in range(3):
        assert signed_in.post(url).status_code == 200
    response = signed_in.delete(url)
    assert response.status_code == 429
    assert "try again" in response.json()["detail"]
    assert Like.objects.filter(artwork=artwork).count() == 1  # the refused unlike did nothing


# --- feed ---------------------------------------------------------------------------------


def test_feed_pages_through_hot_and_new(client):
    artworks = make_feed(5)
    for tab, key in (
        ("hot", lambda a: (-a.hot_score, -a.id)),
        ("new", lambda a: -a.published_at.timestamp()),
    ):
        expected = [a.id for a in sorted(artworks, key=key)]
        seen, cursor = [], ""
        while True:
            body = client.get("/api/feed", {"tab": tab, "limit": 2, "cursor": cursor}).json()
            seen += [item["id"] for item in body["items"]]
            if not body["next_cursor"]:
                break
            cursor = body["next_cursor"]
        assert seen == expected, tab


def test_feed_flags_the_viewers_reactions_and_null_for_anonymous(client, user):
    liked, favorited, neither = make_feed(3)
    LikeFactory(user=user, artwork=liked)
    FavoriteFactory(user=user, artwork=favorited)
    items = client.get("/api/feed?tab=new").json()["items"]
    assert {(i["isLiked"], i["is_favorite"]) for i in items} == {(None, None)}
    client.force_login(user)
    flags = {
        i["id"]: (i["isLiked"], i["is_favorite"])
        for i in client.get("/api/feed?tab=new").json()["items"]
    }
    assert flags == {
        liked.pk: (True, False),
        favorited.pk: (False, True),
        neither.pk: (False, False),
    }


def test_feed_shows_neither_drafts_nor_hidden(client):
    public = PublishedArtworkFactory()
    ArtworkFactory()
    PublishedArtworkFactory(moderation=Artwork.Moderation.HIDDEN)
    ids = [i["id"] for i in client.get("/api/feed").json()["items"]]
    assert ids == [public.pk]


@pytest.mark.parametrize("cursor", ["garbage", "bm90LWEtY3Vyc29y", "MjAyNHx4"])
def test_a_bad_cursor_is_400_json(client, cursor):
    response = client.get("/api/feed", {"tab": "new", "cursor": cursor})
    assert response.status_code == 400
    assert "page link is invalid" in response.json()["detail"]


def test_a_bad_cursor_is_refused_in_the_callers_language(client):
    """Every list refuses a cursor it did not make with the same sentence, in the language the
    caller asks for: the feed's, a member's, a tag's, search's and a collection's lists said
    it in English whatever Accept-Language said (the others translated it)."""
    from artworks.services import artwork_set_tags
    from social.services import collection_create, collection_item_add

    member = UserFactory()
    artwork = PublishedArtworkFactory(user=member)
    artwork_set_tags(artwork=artwork, actor=member, tags=["sunset"])
    collection = collection_create(owner=member, name="Golden hours")
    collection_item_add(actor=member, collection=collection, artwork_id=artwork.pk)
    client.force_login(member)
    lists = [
        "/api/feed",
        f"/api/users/{member.pk}/artworks",
        f"/api/users/{member.pk}/favorites",
        "/api/tags/sunset/artworks",
        "/api/search?q=artwork",
        f"/api/collections/{collection.pk}/items",
        f"/api/artworks/{artwork.pk}/comments",
        f"/api/artworks/{artwork.pk}/remixes",
        "/api/notifications",
    ]
    for url in lists:
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}cursor=garbage", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 400, url
        assert response.json() == {"detail": "该分页链接无效，请从第一页重新开始。"}, url


def test_an_unknown_tab_or_limit_is_refused(client):
    assert client.get("/api/feed?tab=top").status_code == 422
    assert client.get("/api/feed?limit=0").status_code == 422
    assert client.get("/api/feed?limit=1000").status_code == 422


def _feed_queries(client, django_assert_num_queries, expected: int) -> None:
    for tab in ("hot", "new"):
        with django_assert_num_queries(expected):
            assert client.get(f"/api/feed?tab={tab}&limit=50").status_code == 200


@pytest.mark.parametrize("size", [1, 50])
def test_feed_query_count_is_constant(client, user, django_assert_num_queries, size):
    make_feed(size)
    _feed_queries(client, django_assert_num_queries, 1)  # the rows
    client.force_login(user)
    client.get("/api/feed?limit=1")  # the member's row is kept from now on
    # the rows, the viewer's likes and favorites (the session and the member are kept)
    _feed_queries(client, django_assert_num_queries, 2)


@pytest.mark.redis
@pytest.mark.parametrize("size", [1, 50])
def test_feed_query_count_is_constant_with_redis_warm(
    redis_index, client, user, django_assert_num_queries, size
):
    make_feed(size)
    call_command("rebuild_redis")
    _feed_queries(client, django_assert_num_queries, 1)
    client.force_login(user)
    client.get("/api/feed?limit=1")  # the member's row is kept from now on
    # the rows, likes and favorites (the session and the member are kept)
    _feed_queries(client, django_assert_num_queries, 2)


@pytest.mark.redis
def test_api_keeps_working_when_redis_is_flushed_or_dead(settings, redis_index, client, user):
    artworks = make_feed(4)
    call_command("rebuild_redis")
    client.force_login(user)
    for state in ("flushed", "dead"):
        if state == "flushed":
            redis_index.flushdb()
        else:
            settings.REDIS_INDEX_URL = "redis://127.0.0.1:1/0"
        assert client.post(f"/api/artworks/{artworks[0].pk}/like").status_code == 200
        assert client.post(f"/api/artworks/{artworks[1].pk}/favorite").status_code == 200
        response = client.get("/api/feed?tab=hot")
        assert response.status_code == 200
        expected = list(
            artworks_public().order_by("-hot_score", "-id").values_list("id", flat=True)
        )
        assert [i["id"] for i in response.json()["items"]] == expected
        assert client.get(f"/api/users/{artworks[2].user_id}/artworks").status_code == 200
        assert client.get(f"/api/users/{user.pk}/favorites").status_code == 200
        assert client.delete(f"/api/artworks/{artworks[0].pk}/like").status_code == 200
        assert client.delete(f"/api/artworks/{artworks[1].pk}/favorite").status_code == 200


# --- a user's artworks and favorites ------------------------------------------------------


def test_user_artworks_are_published_ones_and_drafts_only_for_their_author(client, user):
    published = PublishedArtworkFactory(user=user)
    draft = ArtworkFactory(user=user)
    PublishedArtworkFactory(user=user, moderation=Artwork.Moderation.HIDDEN)
    url = f"/api/users/{user.pk}/artworks"
    assert [i["id"] for i in client.get(url).json()["items"]] == [published.pk]
    response = client.get(url, {"status": "draft"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the author can see their drafts."}
    client.force_login(UserFactory())
    assert client.get(url, {"status": "draft"}).status_code == 403
    client.force_login(user)
    assert [i["id"] for i in client.get(url, {"status": "draft"}).json()["items"]] == [draft.pk]
    client.force_login(make_moderator())
    assert [i["id"] for i in client.get(url, {"status": "draft"}).json()["items"]] == [draft.pk]
    # Staff powers come from permissions: `is_staff` alone sees what the public sees.
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url, {"status": "draft"}).status_code == 403


def test_user_artworks_of_an_unknown_or_suspended_user_is_404(client):
    suspended = UserFactory(is_active=False)
    PublishedArtworkFactory(user=suspended)
    assert client.get(f"/api/users/{suspended.pk}/artworks").status_code == 404
    assert client.get("/api/users/999999/artworks").status_code == 404


@pytest.mark.parametrize("size", [1, 30])
def test_user_artworks_query_count_is_constant(client, user, django_assert_num_queries, size):
    for _ in range(size):
        PublishedArtworkFactory(user=user)
    with django_assert_num_queries(2):  # the author, the rows
        assert len(client.get(f"/api/users/{user.pk}/artworks?limit=50").json()["items"]) == size


def test_favorites_are_for_their_owner_only(client, user, other_user):
    kept = FavoriteFactory(user=user).artwork
    gone = FavoriteFactory(user=user, artwork=PublishedArtworkFactory()).artwork
    Artwork.objects.filter(pk=gone.pk).update(status=Artwork.Status.DRAFT, published_at=None)
    url = f"/api/users/{user.pk}/favorites"
    assert client.get(url).status_code == 401
    client.force_login(other_user)
    response = client.get(url)
    assert response.status_code == 403
    assert response.json() == {"detail": "Favorites are private to their owner."}
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(user)
    items = client.get(url).json()["items"]
    assert [(i["id"], i["is_favorite"]) for i in items] == [(kept.pk, True)]
