"""The anonymous whole-page cache: served without queries, never stale, never personal."""

import pytest

from artworks import services
from tests.common.test_csp import header_nonce
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["stamps", "values"])
def page_cache(request, settings):
    """The page cache on, its versions kept as the file cache's stamps or (a file system
    without nanosecond times, or Redis) as values."""
    from django.core.cache import caches

    settings.PAGE_CACHE_SECONDS = 600
    backend = caches["default"]
    has_stamps = hasattr(backend, "stamps_supported")
    if has_stamps:
        backend._stamps_ok = None if request.param == "stamps" else False
    yield
    if has_stamps:
        backend._stamps_ok = None


def test_a_second_anonymous_visit_is_served_from_cache_without_queries(
    client, page_cache, django_assert_num_queries
):
    PublishedArtworkFactory(title="Cached one")
    first = client.get("/feed")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/feed")
    assert second["X-Page-Cache"] == "hit"
    # The same page, but each response with its own CSP nonce (test_csp.py covers them).
    first_nonce, second_nonce = header_nonce(first), header_nonce(second)
    assert first_nonce != second_nonce
    assert second.content == first.content.replace(first_nonce.encode(), second_nonce.encode())
    assert second["Content-Type"] == first["Content-Type"]
    assert "csrftoken" not in second.cookies


def test_any_announced_change_invalidates_at_once(
    client, page_cache, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory(title="Counted")
    fan = UserFactory()
    client.get(artwork.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=fan)
    response = client.get(artwork.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"

    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_unpublish(artwork=artwork, actor=artwork.user)
    assert client.get(artwork.get_absolute_url()).status_code == 404


def test_a_renamed_member_shows_at_once(client, page_cache, django_capture_on_commit_callbacks):
    artwork = PublishedArtworkFactory()
    author = artwork.user
    assert author.display_name in client.get(f"/user/{author.username}").content.decode()
    author.name = "Completely New Name"
    with django_capture_on_commit_callbacks(execute=True):
        author.save()
    assert "Completely New Name" in client.get(f"/user/{author.username}").content.decode()


def test_signed_in_pages_are_never_served_to_anyone_else(client, page_cache, user):
    # A member's copy is their own (tests/common/test_member_pagecache.py): a visitor and
    # another member get their own.
    client.force_login(user)
    client.get("/feed")
    assert client.get("/feed")["X-Page-Cache"] == "hit"
    client.logout()
    assert client.get("/feed")["X-Page-Cache"] == "miss"


def test_each_language_has_its_own_copy(client, page_cache):
    english = client.get("/feed").content.decode()
    chinese = client.get("/feed", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="en"' in english
    assert 'lang="zh-hans"' in chinese
    assert client.get("/feed", HTTP_ACCEPT_LANGUAGE="zh-hans")["X-Page-Cache"] == "hit"


def test_a_visitor_with_a_pending_message_gets_a_fresh_page(client, page_cache):
    client.get("/feed")
    client.cookies["messages"] = "pending"
    assert "X-Page-Cache" not in client.get("/feed")


def test_the_language_switch_works_without_a_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "zh-hans", "next": "/feed"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"


def test_a_like_drops_only_the_pages_that_show_the_artwork(
    client, page_cache, django_capture_on_commit_callbacks, django_assert_num_queries
):
    liked = PublishedArtworkFactory(title="Liked one")
    beside = PublishedArtworkFactory(title="Same author", user=liked.user)
    unrelated = PublishedArtworkFactory(title="Someone else's")
    pages = [
        liked.get_absolute_url(),
        beside.get_absolute_url(),  # shows the liked one in its "more by the author" strip
        unrelated.get_absolute_url(),
        "/feed",
        f"/user/{unrelated.user.username}",
    ]
    fan = UserFactory()
    for url in pages:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url

    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=liked.pk, user=fan)

    with django_assert_num_queries(0):
        assert client.get(unrelated.get_absolute_url())["X-Page-Cache"] == "hit"
    for url in [liked.get_absolute_url(), beside.get_absolute_url(), "/feed"]:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
    # The other page shows the liked one (and its count) in its strip: that is why it went.
    assert "Liked one" in client.get(beside.get_absolute_url()).content.decode()
    assert client.get(beside.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_culled_version_never_lets_an_old_copy_pass(client, page_cache):
    from django.core.cache import cache

    from common import pagecache

    artwork = PublishedArtworkFactory()
    url = artwork.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    # The file cache culls entries at random when full: a tag's version may go missing.
    cache.delete(pagecache.tag_key(pagecache.author_tag(artwork.user_id)))
    assert client.get(url)["X-Page-Cache"] == "miss"
    cache.delete(pagecache.tag_key(pagecache.artwork_tag(artwork.pk)))
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_the_apis_public_reads_are_cached_for_callers_without_credentials(
    client, page_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from accounts.tokens import token_pair_issue

    artwork = PublishedArtworkFactory(title="Listed")
    fan = UserFactory()
    for url in ["/api/feed", f"/api/artworks/{artwork.pk}"]:
        first = client.get(url)
        assert first["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second["X-Page-Cache"] == "hit"
        assert second.json() == first.json()
        assert second["Content-Type"] == "application/json; charset=utf-8"

    # A caller with a token gets its own answer (its liked state), never a shared copy.
    token = token_pair_issue(user=fan).access_token
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=fan)
    mine = client.get("/api/feed", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert mine.get("X-Page-Cache") != "hit"  # their own copy (test_member_pagecache.py)
    assert mine.json()["items"][0]["isLiked"] is True
    # The like reached the shared copy too: its count, and no one's liked state.
    shared = client.get("/api/feed")
    assert shared["X-Page-Cache"] == "miss"
    assert shared.json()["items"][0]["like_count"] == 1
    assert shared.json()["items"][0]["isLiked"] is None


def test_an_anonymous_api_answer_is_for_cdns_and_revalidates_with_its_etag(
    client, page_cache, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.PAGE_CDN_MAX_AGE, settings.PAGE_CDN_STALE_SECONDS = 60, 30
    artwork = PublishedArtworkFactory()
    first = client.get("/api/feed")
    cache_control = set(first["Cache-Control"].replace(" ", "").split(","))
    assert cache_control == {"public", "max-age=0", "s-maxage=60", "stale-while-revalidate=30"}
    etag = first["ETag"]
    with django_assert_num_queries(0):
        again = client.get("/api/feed", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert not again.content

    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=UserFactory())
    changed = client.get("/api/feed", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_an_anonymous_api_answer_varies_on_authorization_for_cdns(client, page_cache):
    # A CDN keeps the anonymous answer; without `Vary: Authorization` it would hand that copy
    # to an app calling with its token (no liked state, the visitors' ratings), as it would
    # to a browser with a session cookie without `Vary: Cookie`.
    PublishedArtworkFactory()
    miss = client.get("/api/feed")
    hit = client.get("/api/feed")
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        assert "public" in response["Cache-Control"]
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"authorization", "cookie", "accept-language"} <= vary


def test_a_members_answers_are_private(client, page_cache, user):
    from accounts.tokens import token_pair_issue

    token = token_pair_issue(user=user).access_token
    with_token = client.get("/api/feed", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert "private" in with_token["Cache-Control"]
    assert "ETag" not in with_token
    client.force_login(user)
    for url in ["/feed", "/api/feed", f"/user/{user.username}"]:
        response = client.get(url)
        assert "private" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url


def test_a_page_with_a_nonce_is_not_offered_to_shared_caches(client, page_cache):
    PublishedArtworkFactory()
    response = client.get("/feed")
    assert "s-maxage" not in response.get("Cache-Control", "")
    assert "ETag" not in response


def test_a_hit_on_an_artwork_page_is_one_cache_round_trip(client, page_cache, monkeypatch):
    from django.core.cache import cache

    artwork = PublishedArtworkFactory()
    url = artwork.get_absolute_url()
    client.get(url)
    client.get(url)  # the first hit learns what the page declared (its author's works)
    calls = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: calls.append(list(keys)) or real(keys))
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert len(calls) == 1
