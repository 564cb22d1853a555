"""The page cache's early door (common/pagecache_early.py): an anonymous visitor's cached page
is served before the session and the member are looked up, with the same bytes and headers the
whole stack gives, and nobody else's request goes through it."""

import pytest

from tests.common.test_csp import header_nonce
from tests.factories import PublishedArtworkFactory

pytestmark = pytest.mark.django_db

# Headers each response has its own of: the nonce in the CSP, the date, the request id.
PER_RESPONSE = {"Content-Security-Policy", "Date", "X-Request-ID"}


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


def _same_page(early, whole):
    if early["Content-Type"].startswith("text/html"):
        nonce_early, nonce_whole = header_nonce(early), header_nonce(whole)
        assert early.content == whole.content.replace(nonce_whole.encode(), nonce_early.encode())
    else:
        assert early.content == whole.content
    headers = lambda r: {k: v for k, v in r.headers.items() if k not in PER_RESPONSE}  # noqa: E731
    assert headers(early) == headers(whole)


def _paths():
    artwork = PublishedArtworkFactory(title="Early bird")
    return [
        "/",
        "/feed",
        artwork.get_absolute_url(),
        f"/user/{artwork.user.username}",
        "/api/feed",
        f"/api/artworks/{artwork.pk}",
    ]


def test_a_hit_skips_the_session_and_gives_what_the_whole_stack_gives(
    client, page_cache, session_loads, django_assert_num_queries
):
    for path in _paths():
        assert client.get(path)["X-Page-Cache"] == "miss", path
        session_loads.clear()
        with django_assert_num_queries(0):
            early = client.get(path)
        assert early["X-Page-Cache"] == "hit", path
        assert session_loads == [], f"{path} went through the session middleware"
        # A visitor with a session cookie (an anonymous session) takes the whole stack and is
        # served the same copy: same bytes (but the nonce), same headers.
        client.cookies["sessionid"] = "not-a-member"
        whole = client.get(path)
        del client.cookies["sessionid"]
        assert whole["X-Page-Cache"] == "hit"
        assert session_loads == [path]
        _same_page(early, whole)


def test_a_hit_keeps_the_security_headers_and_a_fresh_nonce(client, page_cache):
    client.get("/feed")
    first, second = client.get("/feed"), client.get("/feed")
    for response in (first, second):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Length"] == str(len(response.content))
        nonce = header_nonce(response)
        assert f'nonce="{nonce}"'.encode() in response.content
    assert header_nonce(first) != header_nonce(second)


@pytest.mark.parametrize(
    ("kwargs", "lang"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "zh-hans"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US"}, "en"),
        ({"QUERY_STRING": "lang=zh-hans", "HTTP_ACCEPT_LANGUAGE": "en"}, "zh-hans"),
        ({"HTTP_COOKIE": "django_language=zh-hans"}, "zh-hans"),
    ],
)
def test_the_language_is_found_as_the_whole_stack_finds_it(
    client, page_cache, session_loads, kwargs, lang
):
    client.get("/feed", **kwargs)
    session_loads.clear()
    response = client.get("/feed", **kwargs)
    assert response["X-Page-Cache"] == "hit"
    assert session_loads == []
    assert f'lang="{lang}"' in response.content.decode()
    assert response["Content-Language"] == lang


def test_an_unchanged_copy_is_a_304_at_the_early_door(client, page_cache, session_loads):
    client.get("/api/feed")
    etag = client.get("/api/feed")["ETag"]
    session_loads.clear()
    response = client.get("/api/feed", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert session_loads == []


@pytest.mark.parametrize(
    ("kwargs", "through_the_session"),
    [
        # A token's call takes the bearer API lane (common/lanes.py), which has no session.
        ({"HTTP_AUTHORIZATION": "Bearer whatever"}, []),
        ({"HTTP_AUTHORIZATION": "Basic d2hhdDpldmVy"}, ["/api/feed"]),
        ({"HTTP_COOKIE": "messages=pending"}, ["/api/feed"]),
    ],
    ids=["a token", "other credentials", "a one-time message"],
)
def test_someone_with_something_of_their_own_is_not_answered_at_the_early_door(
    client, page_cache, session_loads, kwargs, through_the_session
):
    client.get("/api/feed")
    session_loads.clear()
    response = client.get("/api/feed", **kwargs)
    assert session_loads == through_the_session
    assert response.get("X-Page-Cache") != "hit"


def test_what_is_not_a_cached_view_is_left_alone(client, page_cache, session_loads):
    for path in ("/login", "/no-such-page", "/healthz"):
        client.get(path)
        client.get(path)
    assert session_loads.count("/no-such-page") == 2
    assert session_loads.count("/login") == 2


def test_a_miss_at_the_early_door_renders_and_keeps_the_copy(client, page_cache, session_loads):
    assert client.get("/feed")["X-Page-Cache"] == "miss"
    assert session_loads == ["/feed"]
    assert client.get("/feed")["X-Page-Cache"] == "hit"


def test_off_when_the_page_cache_is_off(client, settings, session_loads):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/feed")
    client.get("/feed")
    assert session_loads == ["/feed", "/feed"]
