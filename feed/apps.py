from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _profile_path(username: str) -> str:
    return reverse("feed:profile", args=[username])


def _collection_feed_path(username: str, slug: str) -> str:
    return reverse("feed:collection_atom", args=[username, slug])


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = _("Feed")

    def ready(self) -> None:
        from accounts.registry import register_profile_url
        from social.registry import register_collection_feed_url

        # Connects the artwork_changed and user_moderated receivers.
        from . import receivers  # noqa: F401

        # Members' pages are feed's (/user/<username>): User.get_absolute_url asks here.
        register_profile_url(_profile_path)
        # A public collection's Atom feed is feed's too: its page (social's) links to it.
        register_collection_feed_url(_collection_feed_path)
