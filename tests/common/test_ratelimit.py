from common import ratelimit


def test_allows_up_to_the_limit_then_refuses(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (3, 60)}
    results = [ratelimit.hit(scope="test", key="alice") for _ in range(5)]
    assert results == [False, False, False, True, True]
    assert ratelimit.hit(scope="test", key="bob") is False  # per key
