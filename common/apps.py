from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the site's system checks
        from .observability import tasks

        tasks.connect()
