"""The Celery app. Broker from CELERY_BROKER_URL (default: REDIS_URL); without one, tasks run
in-process (CELERY_TASK_ALWAYS_EAGER), still enqueued after commit by the services."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")

app = Celery("aicommunity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_as_django_does(**kwargs: object) -> None:
    """Workers and beat write their lines like the web processes (settings.LOGGING: JSON in
    production, with the task's request id) instead of Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
