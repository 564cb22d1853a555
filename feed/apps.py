from django.apps import AppConfig
from django.urls import reverse


def _profile_path(username: str) -> str:
    return reverse("feed:profile", args=[username])


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        from accounts.registry import register_profile_url

        # Connects the artwork_changed and user_moderated receivers.
        from . import receivers  # noqa: F401

        # Members' pages are feed's (/user/<username>): User.get_absolute_url asks here.
        register_profile_url(_profile_path)
