"""Celery: queues, routes, limits and the beat schedule, and the periodic maintenance's
constants.

The broker is `CELERY_BROKER_URL`, else `REDIS_URL`; with neither, tasks run in-process
after commit (and a generation in a background thread of the web process)."""

from __future__ import annotations

import enum

from .base import BASE_DIR, env
from .cache import REDIS_URL


class Queue(enum.StrEnum):
    """Every queue a worker consumes (Procfile, deploy units); the routes below send each
    app's tasks to one. The project knows every app, so the names live here, not in common."""

    DEFAULT = "default"
    GENERATION = "generation"
    MEDIA = "media"
    FEED = "feed"


CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, tasks run in-process (they are enqueued after commit by the services).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
# Without a broker, a generation runs in a background thread of the web process, so that the
# request returns at once with the draft (the page then follows its progress).
GENERATION_IN_BACKGROUND_THREAD = env.bool(
    "GENERATION_IN_BACKGROUND_THREAD", default=CELERY_TASK_ALWAYS_EAGER
)
# Likes and favorites are told to the author in batches: the first reaction to an artwork
# opens a window of this many seconds, at the end of which one task tells of every reaction
# in it (0: one task per reaction, at once). Without a broker, that task runs in a background
# thread of the web process, not in the request.
NOTIFICATION_REACTION_WINDOW_SECONDS = env.float("NOTIFICATION_REACTION_WINDOW_SECONDS", default=5)
NOTIFICATIONS_IN_BACKGROUND_THREAD = env.bool(
    "NOTIFICATIONS_IN_BACKGROUND_THREAD", default=CELERY_TASK_ALWAYS_EAGER
)
# Without a broker, a member's export or account deletion runs in a background thread of the
# web process rather than in the request that asked for it.
MEMBER_DATA_IN_BACKGROUND_THREAD = env.bool(
    "MEMBER_DATA_IN_BACKGROUND_THREAD", default=CELERY_TASK_ALWAYS_EAGER
)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every task is acknowledged after it ran (acks_late) and rejected back to the queue when its
# worker process dies (reject_on_worker_lost): the tasks are idempotent. With the Redis broker
# a message whose worker died unacknowledged (the whole worker SIGKILLed) is delivered again
# after the visibility timeout. It must exceed the longest a task may hold a message: a run
# (CELERY_TASK_TIME_LIMIT) or a retry's countdown (at most 600 s, common.tasks.RETRY_POLICY),
# or a slow task would be delivered twice. Beat's requeue-stuck-generations and
# retry-stale-media find such work sooner (GENERATION_STUCK_SECONDS, MEDIA_RETRY_AFTER_MINUTES).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    # How often a worker looks for such tasks (one cheap sorted-set range query).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
    # Sending a task tries the broker once (no reconnect loop): when it is down, the sender's
    # fallback (common.tasks) takes over at once instead of after seconds of retries.
    "max_retries": 0,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=0.5),
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=0.5)
# After the broker refused a task, senders skip it for this long (the fallback runs at once).
CELERY_BROKER_RETRY_SECONDS = env.float("CELERY_BROKER_RETRY_SECONDS", default=2.0)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "UTC"
# Beat: any number of beat processes may run; only the holder of a lease in Redis sends
# periodic tasks (aicommunity/beat.py), renewing it every BEAT_LEASE_SECONDS / 3; a standby
# takes over within BEAT_LEASE_SECONDS of the holder's death. The schedule's state lives in
# BEAT_SCHEDULE_FILE (a folder of the host's that persists, e.g. /var/lib/aicommunity/).
CELERY_BEAT_SCHEDULER = "aicommunity.beat.SingleBeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "BEAT_SCHEDULE_FILE", default=str(BASE_DIR / ".celerybeat-schedule")
)
BEAT_LEASE_SECONDS = env.float("BEAT_LEASE_SECONDS", default=30.0)
CELERY_TASK_DEFAULT_QUEUE = Queue.DEFAULT.value
CELERY_QUEUES_ALL = [queue.value for queue in Queue]
CELERY_BEAT_SCHEDULE = {
    "retry-stale-media": {
        "task": "artworks.tasks.retry_stale_media",
        "schedule": env.float("MEDIA_RETRY_CHECK_SECONDS", default=300.0),
    },
    "requeue-stuck-generations": {
        "task": "artworks.tasks.requeue_stuck_generations",
        "schedule": env.float("GENERATION_STUCK_CHECK_SECONDS", default=60.0),
    },
    "sweep-orphan-media": {"task": "artworks.tasks.sweep_orphan_media", "schedule": 3600.0},
    "purge-abandoned-drafts": {
        "task": "artworks.tasks.purge_abandoned_drafts",
        "schedule": 86400.0,
    },
    # Repairs any drift between the database and the Redis feed index.
    "reconcile-redis": {
        "task": "feed.tasks.reconcile_redis",
        "schedule": env.int("REDIS_RECONCILE_SECONDS", default=900),
    },
    # Exports past their expiry leave storage; deletions whose task was lost run again.
    "purge-expired-exports": {"task": "memberdata.tasks.purge_expired_exports", "schedule": 3600.0},
    "finish-account-deletions": {
        "task": "memberdata.tasks.finish_account_deletions",
        "schedule": 900.0,
    },
    # Sessions past their expiry (Django leaves them in the database for ever).
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 86400.0,
    },
}
# Periodic maintenance.
MEDIA_RETRY_AFTER_MINUTES = env.float("MEDIA_RETRY_AFTER_MINUTES", default=5)
# A generation queued or running untouched for this long is queued again (longer than a run
# may take: CELERY_TASK_TIME_LIMIT); one whose draft is older than GENERATION_GIVE_UP_MINUTES
# fails instead ("took too long"), so that a generation that kills its worker stops.
GENERATION_STUCK_SECONDS = env.float(
    "GENERATION_STUCK_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60
)
GENERATION_GIVE_UP_MINUTES = env.float("GENERATION_GIVE_UP_MINUTES", default=60)
MEDIA_MAX_ATTEMPTS = env.int("MEDIA_MAX_ATTEMPTS", default=5)
MEDIA_ORPHAN_GRACE_HOURS = env.int("MEDIA_ORPHAN_GRACE_HOURS", default=24)
ABANDONED_DRAFT_DAYS = env.int("ABANDONED_DRAFT_DAYS", default=7)
CELERY_TASK_ROUTES = {
    "artworks.tasks.generate_*": {"queue": Queue.GENERATION.value},
    "artworks.tasks.make_*": {"queue": Queue.MEDIA.value},
    "feed.tasks.*": {"queue": Queue.FEED.value},
    # Small, many, and wanted soon: beside the other short tasks.
    "notifications.tasks.*": {"queue": Queue.DEFAULT.value},
    # Long and rare (a member's whole archive): beside media processing, not the short tasks.
    "memberdata.tasks.build_export": {"queue": Queue.MEDIA.value},
}
