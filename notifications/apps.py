from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts.registry import register_settings_page

        from . import receivers  # noqa: F401 (connects the receivers)

        register_settings_page("notifications:preferences", _("Notifications"))
