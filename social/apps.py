from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "social"
    verbose_name = _("Community")

    def ready(self) -> None:
        from accounts.registry import register_settings_page

        from . import receivers  # noqa: F401 (connects the receivers)

        register_settings_page("social:settings_blocked", _("Blocked members"))
        register_settings_page("social:settings_muted", _("Muted members"))
