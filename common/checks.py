"""System checks of the site's own. Production refuses to start (`manage.py` commands, the
WSGI application, Celery workers and beat) when one of them reports an error: see
`refuse_to_start_unless_ready`.

- `common.E001`: an enabled language (settings.LANGUAGES other than LANGUAGE_CODE) has no
  compiled catalog (`<LOCALE_PATHS>/<locale>/LC_MESSAGES/django.mo`). The `.mo` files are
  built, not committed (`make messages`, `scripts/compile_messages.py`): without them the
  Chinese pages come out in English while marked `lang="zh-hans"`.
- `common.W002` (`check --deploy`, production): SITE_URL names a host that ALLOWED_HOSTS does
  not serve, so canonical links, the sitemap, Open Graph and the mails point elsewhere: a
  SITE_URL left at the environment file's example or development's default."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host
from django.utils.translation import to_locale

# The tag of the checks run when a production process starts.
STARTUP_TAG = "startup"


def missing_catalogs() -> list[str]:
    """The enabled languages (codes) that have no compiled catalog in LOCALE_PATHS."""
    folders = [Path(folder) for folder in settings.LOCALE_PATHS]
    return [
        code
        for code, _name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
        and not any(
            (folder / to_locale(code) / "LC_MESSAGES" / "django.mo").is_file() for folder in folders
        )
    ]


@checks.register(checks.Tags.translation, STARTUP_TAG)
def compiled_catalogs(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Production only: development compiles the catalogs itself (`make run`, the tests)."""
    if not settings.PRODUCTION:
        return []
    return [
        checks.Error(
            f"The language {code!r} is enabled but has no compiled catalog (django.mo) in "
            "LOCALE_PATHS: its pages would come out in English.",
            hint="Compile the catalogs: `make messages` "
            "(or `python scripts/compile_messages.py`) before starting the site.",
            id="common.E001",
        )
        for code in missing_catalogs()
    ]


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_served(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    host = urlparse(settings.SITE_URL).hostname or ""
    if host and validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        checks.Warning(
            f"SITE_URL ({settings.SITE_URL}) names a host that is not among ALLOWED_HOSTS "
            f"({', '.join(settings.ALLOWED_HOSTS)}): canonical links, the sitemap, Open Graph "
            "tags and the mails would point to it.",
            hint="Set SITE_URL to the site's public address, e.g. https://<one of ALLOWED_HOSTS>.",
            id="common.W002",
        )
    ]


def refuse_to_start_unless_ready() -> None:
    """Run the startup checks (the WSGI application and Celery run no system checks of their
    own); raise ImproperlyConfigured with every error."""
    errors = [m for m in checks.run_checks(tags=[STARTUP_TAG]) if m.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{m.id}: {m.msg} {m.hint or ''}" for m in errors))
