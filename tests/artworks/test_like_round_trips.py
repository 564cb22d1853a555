"""A like through the API with a bearer token, on Redis: one round trip before the write (the
member's stamp read with the rate-limit attempt counted), the statement, and the after-commit
writes (page-cache tags, the feed's sync claim, the notification window) sent without
waiting, their replies read once the response has gone. Each call is counted once, the limit
still refuses, a deactivated member is still refused at once, and what the replies decide
(queueing the sync, opening the notification batch) still happens."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.tokens import token_pair_issue
from artworks.models import Like
from common import ratelimit, rediscache
from feed.services import sync as feed_sync
from notifications import receivers as notification_receivers
from tests.factories import PublishedArtworkFactory as ArtworkFactory
from tests.factories import UserFactory

# A real commit: the after-commit writes run inside the request, as they do when served.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waits(monkeypatch) -> list:
    """Each round trip whose replies the caller waited for (common.rediscache._exchange)."""
    seen: list = []
    real = rediscache._exchange

    def exchange(redis_client, commands):
        seen.append([c[0] for c in commands])
        return real(redis_client, commands)

    monkeypatch.setattr(rediscache, "_exchange", exchange)
    return seen


@pytest.fixture
def sent_later(monkeypatch) -> list:
    seen: list = []
    real = rediscache.send_later

    def later(redis_client, commands, then=None):
        seen.append([c[0] for c in commands])
        return real(redis_client, commands, then)

    monkeypatch.setattr(rediscache, "send_later", later)
    for module in ("common.rediscache", "feed.redis_index.writes"):
        monkeypatch.setattr(f"{module}.send_later", later)
    return seen


def _bearer(member) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user=member).access_token}"}


def _like_url(artwork) -> str:
    return f"/api/artworks/{artwork.pk}/like"


def test_a_warm_like_waits_for_one_round_trip(redis_cache, client, waits, sent_later, settings):
    settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 60
    member, artwork = UserFactory(), ArtworkFactory()
    auth = _bearer(member)
    assert client.post(_like_url(artwork), **auth).status_code == 200  # the member is kept
    waits.clear()
    sent_later.clear()
    response = client.delete(_like_url(artwork), **auth)
    assert response.json() == {"like_count": 0, "isLiked": False}
    response = client.post(_like_url(artwork), **auth)
    assert response.json() == {"like_count": 1, "isLiked": True}
    # Per call: the stamp and the attempt together, nothing else waited for ...
    assert waits == [["GET", "EVALSHA"], ["GET", "EVALSHA"]]
    # ... and the page-cache bump (and the like's notification window) sent without waiting.
    bump = ["DEL", "MSET"]  # the pages' entry, four tags' versions in one command
    assert sorted(sent_later) == sorted([bump, bump, ["SET"]])  # the like's: the window too


def test_each_call_is_counted_once_and_the_limit_still_refuses(redis_cache, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reaction": (3, 60)}
    member, artwork = UserFactory(), ArtworkFactory()
    auth = _bearer(member)
    statuses = [
        client.post(_like_url(artwork), **auth).status_code,
        client.delete(_like_url(artwork), **auth).status_code,
        client.post(_like_url(artwork), **auth).status_code,
        client.delete(_like_url(artwork), **auth).status_code,
    ]
    assert statuses == [200, 200, 200, 429]
    counter = ratelimit.attempt(scope="reaction", key=ratelimit.member_key(member.pk))
    assert cache.get(counter.cache_key) == 4  # four calls, four counts: none counted twice
    assert Like.objects.filter(user=member, artwork=artwork).exists()  # the refused one did nothing


def test_a_member_deactivated_meanwhile_is_refused_at_once(redis_cache, client):
    member, artwork = UserFactory(), ArtworkFactory()
    auth = _bearer(member)
    assert client.post(_like_url(artwork), **auth).status_code == 200
    member.is_active = False
    member.save()
    assert client.delete(_like_url(artwork), **auth).status_code == 401
    assert Like.objects.filter(user=member, artwork=artwork).exists()


def test_without_redis_the_view_counts_the_attempt_itself(client, settings):
    """The embedded cache has no combined read: the attempt is counted by the view, once."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reaction": (1, 60)}
    member, artwork = UserFactory(), ArtworkFactory()
    auth = _bearer(member)
    assert client.post(_like_url(artwork), **auth).status_code == 200
    assert client.delete(_like_url(artwork), **auth).status_code == 429


def test_what_the_replies_decide_still_happens(
    redis_cache, redis_index, client, settings, monkeypatch
):
    """The feed's sync is queued by the like that claimed it, and a like that opens the
    notification window has the batch queued: both once the replies are read."""
    settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 60
    queued: list = []
    monkeypatch.setattr(
        feed_sync, "enqueue", lambda task, *args, **kwargs: queued.append(("sync", args))
    )
    monkeypatch.setattr(
        notification_receivers,
        "enqueue",
        lambda task, *args, **kwargs: queued.append(("notify", args)),
    )
    fans, artwork = UserFactory.create_batch(2), ArtworkFactory()
    for fan in fans:
        assert client.post(_like_url(artwork), **_bearer(fan)).status_code == 200
    # The first like claimed the sync and opened the window; the second joined both.
    assert sorted(queued) == [("notify", (artwork.pk,)), ("sync", (artwork.pk, fans[0].pk))]


def test_a_claim_whose_redis_fails_is_not_queued_and_trips_the_breaker(
    redis_cache, redis_index, monkeypatch, settings
):
    from feed.redis_index import feed_index

    answers: list = []
    rediscache.replies_later(True)
    feed_index.claim_then("probe", seconds=5, then=answers.append)
    # The connection drops before the reply is read.
    used = rediscache.cache_redis_at(settings.REDIS_INDEX_URL)  # the cache's, on one Redis
    assert used is not None
    held = rediscache._held_connection(used.connection_pool)
    held.connection.disconnect()
    monkeypatch.setattr(feed_index.breaker, "trip", lambda where, exc: answers.append("tripped"))
    rediscache.replies_later(False)
    assert answers == ["tripped", False]
