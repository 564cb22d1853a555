import pytest

from common import ratelimit


def test_allows_up_to_the_limit_then_refuses(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (3, 60)}
    results = [ratelimit.hit(scope="test", key="alice") for _ in range(5)]
    assert results == [False, False, False, True, True]
    assert ratelimit.hit(scope="test", key="bob") is False  # per key


def test_a_limit_on_successes_is_reached_only_by_them(settings):
    # Asked before the work, counted after it: a refused attempt is never counted.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test_made": (2, 60)}
    assert ratelimit.reached(scope="test_made", key="alice") is False
    ratelimit.succeeded(scope="test_made", key="alice")
    assert ratelimit.reached(scope="test_made", key="alice") is False
    ratelimit.succeeded(scope="test_made", key="alice")
    assert ratelimit.reached(scope="test_made", key="alice") is True
    assert ratelimit.reached(scope="test_made", key="bob") is False  # per key


def _request(remote_addr: str, forwarded_for: str | None = None):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    request = RequestFactory().post("/", REMOTE_ADDR=remote_addr, **extra)
    request.user = AnonymousUser()
    return request


def test_client_key_behind_a_proxy_tells_clients_apart(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    first = ratelimit.client_key(_request("127.0.0.1", "203.0.113.1"))
    second = ratelimit.client_key(_request("127.0.0.1", "203.0.113.2"))
    assert first == "ip:203.0.113.1"
    assert second == "ip:203.0.113.2"


def test_client_key_without_proxies_ignores_a_client_sent_forwarded_for(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_key(_request("198.51.100.7", "203.0.113.1")) == "ip:198.51.100.7"


def test_client_key_groups_an_ipv6_client_by_its_64_bit_prefix(settings):
    # One IPv6 subscriber gets a whole /64 and could rotate through it to get fresh limits.
    settings.TRUSTED_PROXY_COUNT = 0
    first = ratelimit.client_key(_request("2001:db8:1:2::1"))
    second = ratelimit.client_key(_request("2001:db8:1:2:ffff::9"))
    other = ratelimit.client_key(_request("2001:db8:1:3::1"))
    assert first == second == "ip:2001:db8:1:2::/64"
    assert other != first


def test_client_key_of_a_member_is_the_member(settings, user):
    request = _request("198.51.100.7")
    request.user = user
    assert ratelimit.client_key(request) == f"user:{user.pk}"


def test_our_caches_count_an_attempt_in_one_call(settings, monkeypatch):
    from django.core.cache import caches

    cache = caches["default"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (2, 60)}
    calls = []
    real = cache.count_attempt
    monkeypatch.setattr(cache, "count_attempt", lambda *a: calls.append(a) or real(*a))
    for name in ("add", "incr", "set", "get"):
        monkeypatch.setattr(cache, name, lambda *a, **k: pytest.fail("counted another way"))
    assert [ratelimit.hit(scope="test", key="dave") for _ in range(3)] == [False, False, True]
    assert len(calls) == 3
    assert calls[0][1] == 61  # the window and a second


def test_another_cache_counts_on_with_incr_and_adds_a_windows_first(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import caches

    cache = caches["default"]  # the backend itself: patches undone on it, not on the proxy
    assert not hasattr(cache, "count_attempt")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (10, 60)}
    calls: list[str] = []
    depth = [0]

    def watched(name: str, real):
        def call(*args: object, **kwargs: object) -> object:
            if not depth[0]:  # the limiter's own calls, not the cache's calls to itself
                calls.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("add", "incr", "set"):
        monkeypatch.setattr(cache, name, watched(name, getattr(cache, name)))
    ratelimit.hit(scope="test", key="carol")
    assert calls == ["incr", "add"]  # no counter yet: it is added
    calls.clear()
    assert [ratelimit.hit(scope="test", key="carol") for _ in range(3)] == [False] * 3
    assert calls == ["incr"] * 3
