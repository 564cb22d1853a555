"""System checks of the artworks settings: `manage.py check` (and `deploy/release.sh`, which
runs it) refuses a release whose AI provider does not exist, instead of every generation
failing with a 500 once the site is live; `check --deploy` (release.sh's) one whose provider
lacks the credentials it cannot work without, instead of every draft failing."""

from __future__ import annotations

from urllib.parse import urlparse

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


# What each built-in provider cannot work without (OpenAI's own API needs a key; a compatible
# server elsewhere, such as one's own, may not).
def _missing_credentials() -> list[str]:
    if settings.AI_PROVIDER == "workers_ai":
        names = ("WORKERS_AI_ACCOUNT_ID", "WORKERS_AI_API_TOKEN")
        return [name for name in names if not getattr(settings, name)]
    if settings.AI_PROVIDER == "openai":
        if not settings.OPENAI_BASE_URL:
            return ["OPENAI_BASE_URL"]
        official = urlparse(settings.OPENAI_BASE_URL).hostname == "api.openai.com"
        return ["OPENAI_API_KEY"] if official and not settings.OPENAI_API_KEY else []
    return []


@checks.register(checks.Tags.compatibility, deploy=True)
def ai_provider_has_credentials(
    app_configs: list[AppConfig] | None = None, **kwargs: object
) -> list:
    missing = _missing_credentials()
    if not missing:
        return []
    return [
        checks.Error(
            f"AI_PROVIDER={settings.AI_PROVIDER} needs {' and '.join(missing)}: without it "
            "every generation fails.",
            hint="Set it in the environment file, or choose another AI_PROVIDER.",
            id="artworks.E002",
        )
    ]
