"""The Celery app. Broker from CELERY_BROKER_URL (default: REDIS_URL); without one, tasks run
in-process (CELERY_TASK_ALWAYS_EAGER), still enqueued after commit by the services.

In production a worker or beat refuses to start when the site's startup checks fail (the
compiled catalogs: common.checks), as the web processes do."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")

app = Celery("aicommunity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def check_before_start(**_kwargs: object) -> None:
    import django
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:
        django.setup()
    if settings.PRODUCTION:
        from common.checks import refuse_to_start_unless_ready

        refuse_to_start_unless_ready()


@signals.setup_logging.connect
def _log_as_django_does(**kwargs: object) -> None:
    """Workers and beat write their lines like the web processes (settings.LOGGING: JSON in
    production, with the task's request id) instead of Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
