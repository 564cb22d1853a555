from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        # Connects the artwork_changed and user_moderated receivers.
        from . import receivers  # noqa: F401
