"""System checks of the accounts settings, run by `manage.py check --deploy` (every release,
`deploy/release.sh`).

- `accounts.W001`: production has no SMTP server (`EMAIL_HOST`), so the site's mails are
  written to the log: a new member never gets the link that confirms their address (without
  which, under `ACCOUNT_EMAIL_VERIFICATION=mandatory`, they cannot sign in), and nobody gets
  a password reset. A warning, not a refusal: a site may choose it (Google sign-in alone,
  members confirmed by an operator)."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def production_sends_mail(app_configs: list[AppConfig] | None = None, **kwargs: object) -> list:
    if not settings.PRODUCTION or settings.EMAIL_HOST:
        return []
    unconfirmed = (
        "new members never get the link that confirms their address, without which they "
        "cannot sign in (ACCOUNT_EMAIL_VERIFICATION=mandatory),"
        if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
        else "new members never get the link that confirms their address"
    )
    return [
        checks.Warning(
            "EMAIL_HOST is not set: the site's mails are written to the log instead of being "
            f"sent, so {unconfirmed} and nobody gets a password reset.",
            hint="Set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and "
            "DEFAULT_FROM_EMAIL to an SMTP server (docs/deploy.md, step 4).",
            id="accounts.W001",
        )
    ]
