"""Exactly one scheduler: Celery beat's scheduler behind a lease in Redis.

Any number of beat processes may run (two hosts, a restart that overlaps, an operator's
mistake); only the one holding the lease `lease:beat` (feed's index owns the key) sends
periodic tasks. It renews the lease on every tick (at most BEAT_LEASE_SECONDS / 3 apart);
the others check every few seconds and one takes over within BEAT_LEASE_SECONDS of the
holder's death (at once when it stops cleanly: it gives the lease up). Without Redis
(REDIS_URL unset: the embedded defaults, one process) the scheduler just runs.

The schedule's state (when each task last ran) is kept in CELERY_BEAT_SCHEDULE_FILENAME
(BEAT_SCHEDULE_FILE), a path of the host's, not a temporary folder."""

from __future__ import annotations

import logging
import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings

from feed.redis_index import feed_index

logger = logging.getLogger(__name__)

LEASE_NAME = "beat"


class SingleBeatScheduler(PersistentScheduler):
    """A PersistentScheduler that ticks only while it holds the beat lease."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = False
        super().__init__(*args, **kwargs)

    def _hold(self) -> bool:
        if not feed_index.enabled():
            return True
        held = feed_index.lease(LEASE_NAME, owner=self.owner, seconds=settings.BEAT_LEASE_SECONDS)
        if held != self.holding:
            if held:
                logger.info("beat %s holds the lease: sending periodic tasks", self.owner)
            else:
                logger.warning("beat %s does not hold the lease: standing by", self.owner)
            self.holding = held
        return held

    def tick(self, *args: object, **kwargs: object) -> float:
        renew_every = settings.BEAT_LEASE_SECONDS / 3
        if not self._hold():
            return renew_every
        return min(super().tick(*args, **kwargs), renew_every)

    def close(self) -> None:
        if self.holding and feed_index.enabled():
            feed_index.lease_release(LEASE_NAME, owner=self.owner)
            self.holding = False
        super().close()
