from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemberDataConfig(AppConfig):
    """A member's own data as a whole: exporting it, and deleting the account with it. It sits
    on top (beside moderation): it reads and removes what every app below keeps of a member."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "memberdata"
    verbose_name = _("Your data")

    def ready(self) -> None:
        from accounts.registry import register_restore_refusal, register_settings_page

        from .selectors import account_restore_refusal

        register_settings_page("memberdata:export", _("Export your data"))
        register_settings_page("memberdata:delete", _("Delete account"))
        register_restore_refusal(account_restore_refusal)
