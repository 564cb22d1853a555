"""A call to the JSON API with a bearer token goes down the lane of its own (common/lanes.py):
the same answers and headers as the whole chain, without a session."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from accounts.tokens import token_pair_issue
from artworks.models import Artwork, Favorite, Like
from common import lanes
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = pytest.mark.django_db

LANE = "common.lanes.BearerApiLaneMiddleware"
# Differ from one answer to the next whatever the chain.
_PER_ANSWER = {"X-Request-ID", "Date", "ETag"}


@pytest.fixture
def member():
    return UserFactory()


@pytest.fixture
def bearer(member):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


@pytest.mark.parametrize(
    ("path", "authorization", "lane"),
    [
        ("/api/artworks/1/like", "Bearer abc", True),
        ("/api/feed", "bearer abc", True),
        ("/api/me", "BEARER abc", True),
        ("/api/auth/logout", "Bearer abc", False),  # makes and ends sessions: whole chain
        ("/api/auth/refresh", "Bearer abc", False),
        ("/feed", "Bearer abc", False),  # a page, not the API
        ("/api/feed", "Basic YTpi", False),
        ("/api/feed", "Bearerabc", False),
        ("/api/feed", None, False),
    ],
)
def test_which_calls_take_the_lane(path, authorization, lane):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    assert lanes.bearer_api_call(RequestFactory().get(path, **headers)) is lane


def test_the_lane_is_the_rest_of_the_chain_less_what_it_skips_in_the_same_order(settings):
    chain = lanes.lane_middleware(
        list(settings.MIDDLEWARE), list(settings.BEARER_API_SKIPPED_MIDDLEWARE), LANE
    )
    whole = settings.MIDDLEWARE
    assert whole[0] == LANE
    assert chain == [m for m in whole[1:] if m not in settings.BEARER_API_SKIPPED_MIDDLEWARE]
    # What every answer's headers come from is in it.
    for kept in (
        "common.observability.requests.RequestLogMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "common.csp.BuiltOnceCSPMiddleware",
        "common.middleware.ApiJsonErrorsMiddleware",
        "common.middleware.LocaleMiddleware",
        "common.body_limit.RequestBodyLimitMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "common.pagecache.PageCacheMiddleware",
    ):
        assert kept in chain
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in chain


def test_a_skip_list_naming_no_middleware_is_refused(settings):
    with pytest.raises(ImproperlyConfigured, match="names no middleware"):
        lanes.lane_middleware(list(settings.MIDDLEWARE), ["no.such.Middleware"], LANE)
    with pytest.raises(ImproperlyConfigured, match="not in MIDDLEWARE"):
        lanes.lane_middleware(["a.B"], [], LANE)


def _calls(client, bearer, artwork):
    """(method, path, kwargs) of calls a token's holder makes: successes and refusals."""
    return [
        ("post", f"/api/artworks/{artwork.pk}/like", bearer),
        ("delete", f"/api/artworks/{artwork.pk}/like", bearer),
        ("post", f"/api/artworks/{artwork.pk}/favorite", bearer),
        ("get", "/api/feed", bearer),
        ("get", "/api/me/export", bearer),
        ("get", "/api/me/export", {**bearer, "HTTP_ACCEPT_LANGUAGE": "zh-hans"}),
        ("post", "/api/artworks/999999/like", bearer),  # 404
        ("put", f"/api/artworks/{artwork.pk}/like", bearer),  # 405
        ("get", "/api/no-such-endpoint", bearer),  # 404
        ("post", f"/api/artworks/{artwork.pk}/like", {"HTTP_AUTHORIZATION": "Bearer nonsense"}),
    ]


def _answers(client, calls):
    out = []
    for method, path, kwargs in calls:
        response = getattr(client, method)(path, **kwargs)
        headers = {k: v for k, v in response.items() if k not in _PER_ANSWER}
        out.append((response.status_code, headers, response.content))
    return out


def _without_cookie_in_vary(headers: dict) -> dict:
    vary = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip() != "Cookie"]
    return {**headers, "Vary": ", ".join(vary)} if "Vary" in headers else headers


def test_the_lane_answers_as_the_whole_chain_does(client, settings, bearer, session_loads):
    artwork = PublishedArtworkFactory()
    calls = _calls(client, bearer, artwork)
    in_lane = _answers(client, calls)
    assert session_loads == []  # none of them went down the whole chain
    # The same calls again from the same state, down the whole chain.
    Like.objects.all().delete()
    Favorite.objects.all().delete()
    Artwork.objects.filter(pk=artwork.pk).update(like_count=0, favorite_count=0)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != LANE]
    whole = _answers(Client(), calls)  # a new client loads the middleware again
    assert len(session_loads) == len(calls)
    statuses = [status for status, _h, _c in in_lane]
    assert statuses == [200, 200, 200, 200, 200, 200, 404, 405, 404, 401]
    for (method, path, _kw), lane_answer, whole_answer in zip(calls, in_lane, whole, strict=True):
        assert lane_answer[0] == whole_answer[0], (method, path)
        # Where the whole chain looked at the session, its answer varies with the cookie; the
        # lane's never does (the token alone decides).
        assert "Cookie" not in lane_answer[1].get("Vary", "")
        assert lane_answer[1] == _without_cookie_in_vary(whole_answer[1]), (method, path)
        if path != "/api/feed":  # the feed's order of equal scores may differ
            assert lane_answer[2] == whole_answer[2], (method, path)
        assert lane_answer[1]["Cache-Control"].startswith("private") or lane_answer[0] >= 400


def test_a_token_call_sets_no_cookie_even_with_a_session_for_someone_else(client, bearer, member):
    other = UserFactory()
    client.force_login(other)
    artwork = PublishedArtworkFactory()
    response = client.post(f"/api/artworks/{artwork.pk}/like", **bearer)
    assert response.status_code == 200
    assert not response.cookies
    # The token's member liked it, not the session's.
    assert Like.objects.filter(artwork=artwork, user=member).exists()
    assert not Like.objects.filter(artwork=artwork, user=other).exists()
    me = json.loads(client.get("/api/auth/me", **bearer).content)
    assert me["id"] == member.pk


def test_a_token_call_is_still_held_to_the_body_limit(client, bearer):
    artwork = PublishedArtworkFactory()
    response = client.post(
        f"/api/artworks/{artwork.pk}/like",
        data=b"x" * (3 * 1024 * 1024),
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 413
    assert "too large" in json.loads(response.content)["detail"]


def test_a_refused_token_is_logged_without_a_member(client, caplog):
    artwork = PublishedArtworkFactory()
    response = client.post(
        f"/api/artworks/{artwork.pk}/like", HTTP_AUTHORIZATION="Bearer not-a-token"
    )
    assert response.status_code == 401
    assert json.loads(response.content)["detail"]
    assert "X-Request-ID" in response
