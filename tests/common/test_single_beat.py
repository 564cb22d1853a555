"""Exactly one scheduler: two beat processes started together send each periodic task once
per period (aicommunity/beat.py: a lease in Redis), and the standby takes over when the
holder dies."""

from __future__ import annotations

import os
import signal
import time

import pytest
import redis

from tests.celery_harness import TEST_BROKER_URL, celery_beat, wait_for

pytestmark = pytest.mark.django_db

PERIOD = 1.0
LEASE = 3.0


def holder_pid(broker: redis.Redis) -> int | None:
    """The pid in the lease's value ("host:pid:nonce"), or None when nobody holds it."""
    holder = broker.get("lease:beat")
    return int(holder.decode().split(":")[1]) if holder else None


@pytest.mark.slow
@pytest.mark.celery_worker
def test_two_beats_send_each_periodic_task_once_per_period(real_broker, media_root):
    broker = redis.Redis.from_url(TEST_BROKER_URL)
    sent = lambda: broker.llen("default")  # noqa: E731 - nothing consumes: every send stays
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.beat_settings",
        "BEAT_TEST_PERIOD": str(PERIOD),
        "BEAT_LEASE_SECONDS": str(LEASE),
        "REDIS_URL": TEST_BROKER_URL,  # the lease's Redis
    }
    with (
        celery_beat(media_root=media_root, name="beat-a", env=env) as a,
        celery_beat(media_root=media_root, name="beat-b", env=env) as b,
    ):
        assert wait_for(lambda: sent() >= 2, timeout=30), (
            media_root.parent / "celery-beat-a.log"
        ).read_text()[-3000:]
        start, first = time.monotonic(), sent()
        time.sleep(6)
        ran = sent() - first
        periods = (time.monotonic() - start) / PERIOD
        assert periods - 1.5 <= ran <= periods + 1, f"{ran} sends in {periods:.1f} periods"

        # The holder dies without a word; the other takes over within the lease.
        pid = holder_pid(broker)
        assert pid in {a.pid, b.pid}
        standby = b if pid == a.pid else a
        os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: holder_pid(broker) == standby.pid, timeout=LEASE + 5)
        time.sleep(PERIOD * 1.5)  # the new holder's first tick may catch up once
        start, first = time.monotonic(), sent()
        time.sleep(4)
        ran = sent() - first
        periods = (time.monotonic() - start) / PERIOD
        assert periods - 1.5 <= ran <= periods + 1, f"{ran} sends in {periods:.1f} periods"


def test_the_lease_is_held_by_one_owner_until_it_expires_or_is_given_up(redis_index):
    from feed.redis_index import feed_index

    assert feed_index.lease("job", owner="a", seconds=0.5)
    assert feed_index.lease("job", owner="a", seconds=0.5)  # renewed
    assert not feed_index.lease("job", owner="b", seconds=0.5)
    feed_index.lease_release("job", owner="b")  # not b's to give up
    assert redis_index.get("lease:job") == "a"
    time.sleep(0.7)  # a stopped renewing
    assert feed_index.lease("job", owner="b", seconds=5)
    assert not feed_index.lease("job", owner="a", seconds=5)
    feed_index.lease_release("job", owner="b")
    assert feed_index.lease("job", owner="a", seconds=5)


def test_without_redis_the_only_scheduler_runs(settings, tmp_path):
    from aicommunity.beat import SingleBeatScheduler
    from aicommunity.celery import app

    settings.REDIS_INDEX_URL = ""
    scheduler = SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "s"), lazy=True)
    assert scheduler._hold()
