"""The one "Redis is down, skip it for a moment" mechanism (common.redis_breaker.Breaker),
which the cache's connections and the feed index both use."""

from __future__ import annotations

import pytest

from common import redis_breaker
from common.redis_breaker import Breaker


@pytest.fixture
def breaker(settings) -> Breaker:
    settings.TEST_BREAKER_PAUSE = 60.0
    return Breaker("test Redis", pause_setting="TEST_BREAKER_PAUSE", default_pause=1.0)


def test_a_failure_pauses_only_its_own_address_for_the_setting(breaker, settings):
    assert not breaker.paused("10.0.0.1:6379")
    breaker.trip("10.0.0.1:6379", ConnectionError("refused"))
    assert breaker.paused("10.0.0.1:6379")
    assert not breaker.paused("10.0.0.2:6379")
    settings.TEST_BREAKER_PAUSE = 0.0
    breaker.trip("10.0.0.2:6379", ConnectionError("refused"))
    assert not breaker.paused("10.0.0.2:6379")  # a zero pause: the next call tries again


def test_the_first_answer_after_an_outage_is_reported_once(breaker):
    assert breaker.answered("10.0.0.1:6379") is False  # no outage: nothing to report
    breaker.trip("10.0.0.1:6379", ConnectionError("refused"))
    breaker.trip("10.0.0.1:6379", ConnectionError("refused again"))
    breaker.down_until["10.0.0.1:6379"] = 0.0  # the pause is over
    assert breaker.answered("10.0.0.1:6379") is True
    assert breaker.answered("10.0.0.1:6379") is False


def test_one_failure_is_logged_once_per_pause(breaker, caplog):
    with caplog.at_level("WARNING", logger="common.redis_breaker"):
        for _ in range(3):
            breaker.trip("10.0.0.1:6379", ConnectionError("refused"))
    assert len(caplog.records) == 1
    assert "test Redis at 10.0.0.1:6379 unreachable" in caplog.text


def test_forget_clears_every_breaker(breaker):
    breaker.trip("10.0.0.1:6379", ConnectionError("refused"))
    redis_breaker.forget()
    assert not breaker.paused("10.0.0.1:6379")
    assert breaker.answered("10.0.0.1:6379") is False
