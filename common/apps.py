from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the site's system checks
        from .observability import tasks

        tasks.connect()
        _replies_read_after_each_request()
        _site_record_follows_the_settings()


def _replies_read_after_each_request() -> None:
    """While a request is served, replies to writes sent without waiting
    (common.rediscache.send_later) are read later, at the latest once its response has gone."""
    from django.core.signals import request_finished, request_started

    from . import rediscache

    def serving(**kwargs: object) -> None:
        rediscache.replies_later(True)

    def served(**kwargs: object) -> None:
        rediscache.replies_later(False)

    request_started.connect(serving, dispatch_uid="common.replies_later", weak=False)
    request_finished.connect(served, dispatch_uid="common.replies_read", weak=False)


def _site_record_follows_the_settings() -> None:
    """Every `migrate` (each release runs it) names the site in the sites framework's record
    as its settings do (common.sites): after django.contrib.sites' own receiver, which makes
    the record (this app has no models, so migrate sends it no post_migrate of its own)."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from .sites import site_record_update

    post_migrate.connect(
        site_record_update, sender=apps.get_app_config("sites"), dispatch_uid="common.sites"
    )
