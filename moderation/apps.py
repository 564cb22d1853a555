from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Community reports and the moderators' queue. Sits at the top beside `feed`: it uses
    `artworks` and `accounts` services; nothing below imports it."""

    name = "moderation"
    verbose_name = _("Moderation")
