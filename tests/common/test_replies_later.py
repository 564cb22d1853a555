"""Writes sent without waiting for their replies (common.rediscache.send_later): outside a
request the replies are read at once; while a request is served they are read before the
thread's next command on that connection, or once the response has gone. What a reply decides
(a claim, a notification window) runs then, and a failure reaches it too."""

from __future__ import annotations

import threading

import pytest
import redis
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from common import rediscache
from common.cache_writes import add_then, set_and_delete
from tests.conftest import point_cache_at
from tests.site_process import free_port


@pytest.fixture
def reads(monkeypatch) -> list:
    """Every reply read from Redis from now on."""
    seen: list = []
    real = redis.connection.Connection.read_response

    def read(self: redis.connection.Connection, *args: object, **kwargs: object) -> object:
        reply = real(self, *args, **kwargs)
        seen.append(reply)
        return reply

    monkeypatch.setattr(redis.connection.Connection, "read_response", read)
    return seen


def _raw():
    return cache.client.get_client(write=True)


def test_outside_a_request_the_answer_comes_at_once(redis_cache):
    told: list = []
    add_then("window", 1, timeout=30, then=told.append)
    add_then("window", 1, timeout=30, then=told.append)
    assert told == [True, False]
    assert 0 < cache.ttl("window") <= 30


def test_in_a_request_replies_wait_until_the_response_has_gone(redis_cache, reads):
    told: list = []
    rediscache.replies_later(True)
    add_then("window", 1, timeout=30, then=told.append)
    set_and_delete({"version": "b"}, ["stale"], timeout=None)
    assert told == []  # sent, not waited for
    assert reads == []
    rediscache.replies_later(False)
    assert told == [True]
    assert len(reads) == 3  # the add's reply, the delete's and the set's
    assert cache.get("version") == "b"


def test_the_next_command_on_the_connection_reads_them_in_its_round_trip(redis_cache, reads):
    told: list = []
    rediscache.replies_later(True)
    cache.set("window", 1)
    add_then("window", 1, timeout=30, then=told.append)
    assert cache.get("window") == 1  # the GET went out after the add: one round trip
    assert told == [False]  # there already
    rediscache.replies_later(False)
    assert told == [False]  # acted on once


def test_a_reply_that_is_an_error_reaches_its_callback(redis_cache):
    answers: list = []
    _raw().set(cache.make_key("a-string"), "x")
    rediscache.replies_later(True)
    rediscache.send_later(
        _raw(),
        [("LPUSH", cache.make_key("a-string"), 1), ("PING",)],
        lambda r, e: answers.append((r, e)),
    )
    rediscache.replies_later(False)
    [(replies, error)] = answers
    assert isinstance(error, redis.ResponseError)  # WRONGTYPE
    assert replies[0] is None and replies[1] in (b"PONG", "PONG", True)


def test_a_redis_that_does_not_answer_reaches_the_callback_and_nothing_raises(settings):
    from common import redis_breaker

    point_cache_at(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    told: list = []
    try:
        rediscache.replies_later(True)
        add_then("window", 1, timeout=30, then=told.append)
        set_and_delete({"a": 1}, ["b"])  # swallowed, as the cache's other calls are
        rediscache.replies_later(False)
    finally:
        rediscache.replies_later(False)
        redis_breaker.forget()
    assert told == [None]  # the cache could not say


def test_a_callback_that_fails_is_logged_and_the_rest_still_run(redis_cache, caplog):
    told: list = []

    def broken(added: bool | None) -> None:
        raise RuntimeError("boom")

    rediscache.replies_later(True)
    add_then("one", 1, timeout=30, then=broken)
    add_then("two", 1, timeout=30, then=told.append)
    rediscache.replies_later(False)
    assert told == [True]
    assert "acting on a Redis reply failed" in caplog.text


def test_without_redis_the_file_cache_answers_at_once(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "common.filecache.ThrottledCullFileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    told: list = []
    rediscache.replies_later(True)
    try:
        add_then("window", 1, timeout=30, then=told.append)
        add_then("window", 1, timeout=30, then=told.append)
    finally:
        rediscache.replies_later(False)
    assert told == [True, False]


@pytest.mark.django_db
def test_django_s_request_signals_start_and_end_the_wait(redis_cache):
    told: list = []
    request_started.send(sender=None, environ={})
    add_then("window", 1, timeout=30, then=told.append)
    assert told == []
    request_finished.send(sender=None)
    assert told == [True]
    add_then("later", 1, timeout=30, then=told.append)  # outside a request: at once
    assert told == [True, True]


def test_writes_inside_a_cork_go_out_in_one_write(redis_cache, monkeypatch):
    writes: list = []
    real = redis.connection.Connection.send_packed_command

    def send(self, command, check_health=True):
        writes.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", send)
    told: list = []
    rediscache.replies_later(True)
    with rediscache.corked():
        set_and_delete({"version": "c"}, ["stale"], timeout=None)
        add_then("window", 1, timeout=30, then=told.append)
        assert writes == []  # nothing written yet
    assert len(writes) == 1  # both, in one write
    assert told == []
    assert cache.get("version") == "c"  # the next command reads their replies on the way
    assert told == [True]


def test_outside_a_request_a_cork_still_answers_when_it_ends(redis_cache):
    told: list = []
    with rediscache.corked():
        add_then("window", 1, timeout=30, then=told.append)
        assert told == []
    assert told == [True]


def test_a_thread_that_ends_gives_its_connection_back(redis_cache):
    # A thread keeps its connection while it lives; a thread per request (runserver) must not
    # use the pool up: here a pool of two serves ten threads, one after the other.
    from tests.conftest import REDIS_TEST_URL

    pool = redis.ConnectionPool.from_url(REDIS_TEST_URL, max_connections=2)
    client = redis.Redis(connection_pool=pool)
    told: list = []

    def write(n: int) -> None:
        rediscache.send_later(client, [("SET", f"thread:{n}", n)], then=lambda r, e: told.append(e))

    try:
        for n in range(10):
            thread = threading.Thread(target=write, args=(n,))
            thread.start()
            thread.join(timeout=30)
        assert told == [None] * 10  # every write answered, none refused for want of a connection
        assert [int(client.get(f"thread:{n}")) for n in range(10)] == list(range(10))
    finally:
        client.delete(*(f"thread:{n}" for n in range(10)))
        pool.disconnect()
