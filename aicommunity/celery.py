"""The Celery app. Broker from CELERY_BROKER_URL (default: REDIS_URL); without one, tasks run
in-process (CELERY_TASK_ALWAYS_EAGER), still enqueued after commit by the services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")

app = Celery("aicommunity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
