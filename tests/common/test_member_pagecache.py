"""Signed-in members' pages from the page cache: each member's copy is theirs alone (header,
liked and kept state, CSRF token), costs one cache round trip (the session, the page and the
member's stamp, read together) and no query whatever the page shows, and follows the same exact
invalidation plus the member's own reactions."""

from __future__ import annotations

import pickle
import re

import pytest
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.test import Client

from artworks import services
from artworks.models import Like
from common import pagecache
from common.filecache import _decode
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.MEMBER_PAGE_CACHE_SECONDS = 300


def _member(**kwargs) -> tuple[Client, object]:
    member = UserFactory(**kwargs)
    client = Client()
    client.force_login(member)
    return client, member


@pytest.fixture
def round_trips(monkeypatch):
    """Calls to the cache made during a request, outermost only: each is one round trip to
    Redis (the file cache's get_many reads its files one by one; it still counts once)."""
    calls: list[str] = []
    backend = caches["default"]
    depth = [0]
    for name in ("get", "get_many", "set", "set_many", "add", "delete", "incr", "has_key"):
        original = getattr(backend, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            if depth[0] == 0:
                calls.append(_name)
            depth[0] += 1
            try:
                return _original(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(backend, name, counting)
    return calls


@pytest.mark.parametrize("artworks", [1, 50])
def test_a_warm_signed_in_feed_costs_no_query_and_one_round_trip(
    page_cache, artworks, django_assert_num_queries, round_trips
):
    PublishedArtworkFactory.create_batch(artworks)
    client, _ = _member()
    client.get("/feed")
    round_trips.clear()
    with django_assert_num_queries(0):  # the member's row is kept while current
        response = client.get("/feed")
    assert response["X-Page-Cache"] == "hit"
    # The session, the page, its versions and the member's stamp, together: this process
    # read the session before and knows whom it named.
    assert round_trips == ["get_many"]
    assert response.content.count(b'class="art-card"') == min(artworks, 24)


def _warm_alice() -> tuple[Client, object, object]:
    PublishedArtworkFactory(title="Seen by both")
    alice, alice_user = _member(name="Alice Guessed")
    _bob, bob_user = _member(name="Bob Named")
    alice.get("/feed")
    assert alice.get("/feed")["X-Page-Cache"] == "hit"  # read with the session, guessed
    return alice, alice_user, bob_user


def test_a_session_that_names_someone_else_now_gets_their_page(page_cache):
    """The process's guess of whom a session names is checked against the session it reads
    with the page: a session that names another member now gets that member's page."""
    alice, _alice_user, bob_user = _warm_alice()
    session = SessionStore(alice.session.session_key)
    session[SESSION_KEY] = str(bob_user.pk)
    session[HASH_SESSION_KEY] = bob_user.get_session_auth_hash()
    session.save()
    html = alice.get("/feed").content.decode()
    assert "Bob Named" in html and "Alice Guessed" not in html


def test_a_session_signed_out_elsewhere_gets_no_members_page(page_cache):
    alice, _alice_user, _bob = _warm_alice()
    SessionStore(alice.session.session_key).delete()  # signed out (another tab, the admin)
    response = alice.get("/feed")
    assert "Alice Guessed" not in response.content.decode()
    assert response.wsgi_request.user.is_anonymous


def test_a_session_gone_from_the_cache_is_read_from_the_database(page_cache):
    alice, _alice_user, _bob = _warm_alice()
    caches["default"].delete(SessionStore(alice.session.session_key).cache_key)
    response = alice.get("/feed")
    assert "Alice Guessed" in response.content.decode()
    assert response["X-Page-Cache"] == "hit"


def test_a_member_never_sees_another_members_header_liked_state_or_token(
    page_cache, django_capture_on_commit_callbacks
):
    artwork = PublishedArtworkFactory(title="Shared art")
    alice, alice_user = _member(name="Alice Liker")
    bob, _ = _member(name="Bob Browser")
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=alice_user)
    for url in ["/feed", artwork.get_absolute_url(), "/"]:
        alice.get(url)
        bob.get(url)
        a, b = alice.get(url), bob.get(url)
        assert a["X-Page-Cache"] == b["X-Page-Cache"] == "hit", url
        a_html, b_html = a.content.decode(), b.content.decode()
        assert "Alice Liker" in a_html and "Alice Liker" not in b_html, url
        assert "Bob Browser" in b_html and "Bob Browser" not in a_html, url
        assert f'id="like-{artwork.pk}"' in a_html
        pressed = re.compile(rf'id="like-{artwork.pk}"\s+aria-pressed="true"')
        assert pressed.search(a_html), url
        assert not pressed.search(b_html), url
        a_tokens, b_tokens = set(TOKEN.findall(a_html)), set(TOKEN.findall(b_html))
        assert a_tokens and b_tokens and not a_tokens & b_tokens, url
    # Nor does a visitor.
    anonymous = Client().get("/feed").content.decode()
    assert "Alice Liker" not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_the_token_on_a_cached_page_is_the_members_own_and_works(page_cache):
    artwork = PublishedArtworkFactory()
    member = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get("/feed")
    page = client.get("/feed")
    assert page["X-Page-Cache"] == "hit"
    (token, *_rest) = TOKEN.findall(page.content.decode())
    assert pagecache._csrf_placeholder() not in page.content.decode()
    response = client.post(
        f"/artwork/{artwork.pk}/actions/like", {"csrfmiddlewaretoken": token, "next": "/feed"}
    )
    assert response.status_code == 302
    assert Like.objects.filter(user=member, artwork=artwork).exists()
    # The stored copy holds the placeholder, never a member's token.
    stored = [v for v in _stored_pages() if pagecache._csrf_placeholder().encode() in v[1]]
    assert stored
    assert all(token.encode() not in content for _versions, content, _h in _stored_pages())


def _stored_pages() -> list[tuple]:
    """Every page copy the cache holds, wherever the cache is."""
    backend = caches["default"]
    if hasattr(backend, "_list_cache_files"):  # the embedded file cache
        values = []
        for path in backend._list_cache_files():
            with open(path, "rb") as f:
                pickle.load(f)  # noqa: S301 - the expiry, in the test cache
                values.append(_decode(f.read()))
    else:  # Redis
        values = [backend.get(key) for key in backend.keys("pagecache:page:*")]
    return [v for v in values if isinstance(v, tuple) and len(v) == 3 and isinstance(v[1], bytes)]


def test_a_members_own_reaction_renews_their_pages_and_no_one_elses(
    page_cache, django_capture_on_commit_callbacks
):
    liked = PublishedArtworkFactory(title="To be liked")
    unrelated = PublishedArtworkFactory(title="Elsewhere")
    fan, fan_user = _member()
    other, _ = _member()
    for client in (fan, other):
        client.get(unrelated.get_absolute_url())
        assert client.get(unrelated.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=liked.pk, user=fan_user)
    # The member's own copies go (their liked state may show anywhere on their pages) ...
    assert fan.get(unrelated.get_absolute_url())["X-Page-Cache"] == "miss"
    # ... another member's page of an unrelated artwork stays.
    assert other.get(unrelated.get_absolute_url())["X-Page-Cache"] == "hit"
    page = fan.get("/feed").content.decode()
    assert re.search(rf'id="like-{liked.pk}"\s+aria-pressed="true"', page)


def test_member_pages_are_private_and_carry_no_validators(page_cache):
    client, _ = _member()
    for _ in range(2):
        response = client.get("/feed")
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "ETag" not in response


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_staff_pages_are_never_kept(page_cache, who):
    client, _ = _member(**{"is_staff": True, "is_superuser": who == "superuser"})
    client.get("/feed")
    assert "X-Page-Cache" not in client.get("/feed")


def test_the_authors_own_profile_and_artwork_pages_are_never_kept(page_cache):
    artwork = PublishedArtworkFactory()
    client = Client()
    client.force_login(artwork.user)
    for url in [f"/user/{artwork.user.username}", artwork.get_absolute_url()]:
        client.get(url)
        assert client.get(url).get("X-Page-Cache") != "hit", url
    # Another member's copy of the same pages is kept.
    other, _ = _member()
    for url in [f"/user/{artwork.user.username}", artwork.get_absolute_url()]:
        other.get(url)
        assert other.get(url)["X-Page-Cache"] == "hit", url


def test_a_signed_in_api_call_is_never_kept(page_cache):
    client, _ = _member()
    client.get("/api/feed")
    assert "X-Page-Cache" not in client.get("/api/feed")


def test_off_with_its_setting(page_cache, settings):
    settings.MEMBER_PAGE_CACHE_SECONDS = 0
    client, _ = _member()
    client.get("/feed")
    assert "X-Page-Cache" not in client.get("/feed")
    assert TOKEN.search(client.get("/feed").content.decode())


def _bearer(member) -> dict:
    from accounts.tokens import token_pair_issue

    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def test_an_api_token_holder_gets_their_own_copy_and_no_one_elses(
    page_cache, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    artwork = PublishedArtworkFactory()
    fan, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_like(artwork_id=artwork.pk, user=fan)
    client = Client()
    for member, liked in ((fan, True), (other, False)):
        auth = _bearer(member)
        first = client.get("/api/feed", **auth)
        with django_assert_max_num_queries(0):  # the member is kept while their row is current
            again = client.get("/api/feed", **auth)
        assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
        assert again.json() == first.json()
        assert again.json()["items"][0]["isLiked"] is liked
        assert "private" in again["Cache-Control"] and "ETag" not in again
    # The member's own like through the API renews their copy.
    auth = _bearer(other)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/artworks/{artwork.pk}/like", **auth).status_code == 200
    assert client.get("/api/feed", **auth).json()["items"][0]["isLiked"] is True


def test_a_refused_token_is_refused_even_when_its_members_copy_is_kept(page_cache, settings):
    member = UserFactory()
    client = Client()
    auth = _bearer(member)
    client.get("/api/feed", **auth)
    assert client.get("/api/feed", **auth)["X-Page-Cache"] == "hit"
    member.is_active = False
    member.save()
    assert client.get("/api/feed", **auth).status_code == 401
    assert client.get("/api/feed", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = -60
    expired = _bearer(UserFactory())
    assert client.get("/api/feed", **expired).status_code == 401


def test_a_staff_token_gets_no_kept_copy(page_cache):
    auth = _bearer(UserFactory(is_staff=True))
    client = Client()
    client.get("/api/feed", **auth)
    assert "X-Page-Cache" not in client.get("/api/feed", **auth)
