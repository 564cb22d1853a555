"""System checks of the artworks settings: `manage.py check` (and `deploy/release.sh`, which
runs it) refuses a release whose AI provider does not exist, instead of every generation
failing with a 500 once the site is live."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def ai_provider_is_known(app_configs: list[AppConfig] | None = None, **kwargs: object) -> list:
    from .providers import provider_names

    if settings.AI_PROVIDER in provider_names():
        return []
    return [
        checks.Error(
            f"Unknown AI_PROVIDER {settings.AI_PROVIDER!r}.",
            hint=f"Choose one of: {', '.join(provider_names())}.",
            id="artworks.E001",
        )
    ]
