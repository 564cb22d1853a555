"""The site's settings with one periodic task, `tests.tick`, every BEAT_TEST_PERIOD seconds
(nothing needs to run it: the test counts the messages beat sends)."""

import os

from aicommunity.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "tests.tick", "schedule": float(os.environ["BEAT_TEST_PERIOD"])}
}
