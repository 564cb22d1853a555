"""Our Redis cache's own calls (common.rediscache): values set and keys deleted together
(common.cache_writes.set_and_delete: one round trip, the deletes first, errors swallowed like
the cache's others; the two calls on the file cache), and the rate limiter's counter."""

from __future__ import annotations

import time

import pytest
import redis
from django.core.cache import cache

from common import redis_breaker
from common.cache_writes import set_and_delete
from tests.conftest import REDIS_TEST_URL, point_cache_at
from tests.site_process import free_port


@pytest.fixture
def sent(monkeypatch) -> list:
    """What is written to Redis's sockets from now on, one entry per write."""
    writes: list = []
    real = redis.connection.Connection.send_packed_command

    def send(self: redis.connection.Connection, command: object, check_health: bool = True):
        writes.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", send)
    return writes


def test_on_redis_it_is_one_round_trip_and_the_deletes_go_first(redis_cache, sent, monkeypatch):
    cache.set_many({"stale": "old", "gone": "old", "kept": "here"}, timeout=None)
    cache.get("kept")  # this thread's own connection is open (set up before what is counted)
    sent.clear()
    set_and_delete({"stale": "new", "fresh": {"a": 1}}, ["stale", "gone"], timeout=None)
    assert len(sent) == 1  # one pipeline, one write to the socket
    commands = b"".join(sent[0] if isinstance(sent[0], list) else [sent[0]])
    assert commands.index(b"DEL") < commands.index(b"SET")
    monkeypatch.undo()
    assert cache.get_many(["stale", "gone", "kept", "fresh"]) == {
        "stale": "new",  # deleted, then set: the new value stands
        "kept": "here",
        "fresh": {"a": 1},
    }
    assert cache.ttl("fresh") is None  # timeout=None: kept until changed


def test_on_redis_a_timeout_is_kept(redis_cache):
    set_and_delete({"brief": 1}, timeout=30)
    assert 0 < cache.ttl("brief") <= 30


def test_on_redis_several_values_with_a_timeout_each_keep_it_and_zero_deletes(redis_cache):
    cache.set("expired", "old", timeout=None)
    set_and_delete({"one": 1, "two": "zwei"}, timeout=30)
    assert cache.get_many(["one", "two"]) == {"one": 1, "two": "zwei"}
    assert 0 < cache.ttl("one") <= 30 and 0 < cache.ttl("two") <= 30
    set_and_delete({"expired": "new"}, timeout=0)  # already expired, as Django's caches take it
    assert cache.get("expired") is None


def test_commands_are_packed_as_redis_py_packs_them(redis_cache):
    from common.rediscache import _pack

    connection = cache.client.get_client(write=True).connection_pool.get_connection()
    commands = [
        ("DEL", "a", b"b"),
        ("MSET", "k", 12345678901234567, "v", b"\x80\x04bytes"),
        ("SET", "x", "\u00e9t\u00e9", "NX", "PX", 5000),
        ("EVALSHA", "f" * 40, 1, "key", 61),
    ]
    assert b"".join(_pack(connection, commands)) == b"".join(connection.pack_commands(commands))
    assert _pack(connection, []) == []


def test_a_redis_that_does_not_answer_is_swallowed(settings):
    point_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        assert set_and_delete({"a": 1}, ["b"]) is None
    finally:
        redis_breaker.forget()


def test_on_the_file_cache_the_deletes_go_first_too(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "common.filecache.ThrottledCullFileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    assert not hasattr(cache, "set_and_delete")  # the embedded default's cache
    cache.set_many({"stale": "old", "gone": "old"}, timeout=None)
    set_and_delete({"stale": "new"}, ["stale", "gone"], timeout=None)
    assert cache.get_many(["stale", "gone"]) == {"stale": "new"}


# --- the rate limiter's counter on Redis (common.rediscache.count_attempt) ------------------


def test_on_redis_an_attempt_is_one_round_trip_and_the_first_sets_the_expiry(
    redis_cache, sent, monkeypatch
):
    assert cache.count_attempt("ratelimit:test:w1", 60) == 1
    assert 0 < cache.ttl("ratelimit:test:w1") <= 60
    sent.clear()
    assert [cache.count_attempt("ratelimit:test:w1", 60) for _ in range(3)] == [2, 3, 4]
    assert len(sent) == 3  # one each (the script by its digest)
    monkeypatch.undo()
    assert cache.get("ratelimit:test:w1") == 4


def test_on_redis_a_lapsed_window_counts_from_one_again(redis_cache):
    assert cache.count_attempt("ratelimit:test:w2", 1) == 1
    time.sleep(1.2)
    assert cache.count_attempt("ratelimit:test:w2", 1) == 1


def test_a_redis_that_cannot_count_answers_none(settings):
    point_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        assert cache.count_attempt("ratelimit:test:w3", 60) is None
    finally:
        redis_breaker.forget()


# --- reads on a pooled connection (common.rediscache: get, get_many) ------------------------


def test_on_redis_reads_give_what_was_written(redis_cache):
    cache.set_many({"a": {"n": 1}, "b": b"bytes", "c": 7, "none": None}, timeout=None)
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": {"n": 1}, "b": b"bytes", "c": 7}
    assert cache.get_many([]) == {}
    assert cache.get("a") == {"n": 1}
    assert cache.get("c") == 7
    assert cache.get("missing") is None
    assert cache.get("missing", "fallback") == "fallback"
    assert cache.get("a", version=2) is None  # another version, another key
    cache.set("a", "two", version=2)
    assert cache.get_many(["a"], version=2) == {"a": "two"}


def test_on_redis_a_dropped_connection_is_a_miss_once_then_reads_again(redis_cache):
    cache.set("kept", "value", timeout=None)
    assert cache.get("kept") == "value"
    admin = redis.Redis.from_url(REDIS_TEST_URL)
    admin.client_kill_filter(_type="normal", skipme=True)  # every other connection, ours too
    first = [cache.get("kept"), cache.get_many(["kept"])]
    assert first[0] in (None, "value") and first[1] in ({}, {"kept": "value"})
    assert cache.get("kept") == "value"
    assert cache.get_many(["kept"]) == {"kept": "value"}
    admin.close()


def test_a_redis_that_does_not_answer_reads_as_misses(settings):
    point_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        assert cache.get("a", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
    finally:
        redis_breaker.forget()


def test_on_redis_a_flushed_script_is_given_again(redis_cache):
    assert cache.count_attempt("ratelimit:test:w4", 60) == 1
    redis.Redis.from_url(REDIS_TEST_URL).script_flush()
    assert cache.count_attempt("ratelimit:test:w4", 60) == 2  # loaded again, counted once


def test_on_redis_a_value_set_already_expired_is_gone(redis_cache):
    cache.set("brief", "old", timeout=None)
    set_and_delete({"brief": "new"}, timeout=0)
    assert cache.get("brief") is None
