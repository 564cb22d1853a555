"""What is the same everywhere: the environment reader, the site, apps, middleware, templates,
languages, the hot score's constants and the rate limits."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


class _Env(environ.Env):
    """django-environ's reader, whose refusal of a malformed value names the variable and what
    it takes (its own says only "invalid literal for int() with base 10: 'one'"), and whose
    lists take the spaces people put after commas."""

    _KINDS = {int: "a whole number", float: "a number", bool: "true or false"}

    def get_value(self, var: str, cast: object = None, **kwargs: object) -> object:
        try:
            return super().get_value(var, cast=cast, **kwargs)
        except (ValueError, TypeError) as exc:
            kind = self._KINDS.get(cast) or getattr(cast, "__name__", str(cast))
            raise ImproperlyConfigured(
                f"{var} must be {kind}, not {self.ENVIRON.get(var)!r} ({exc})."
            ) from exc

    # What a switch takes (django-environ's words for on, and their opposites): any other
    # value is refused, where django-environ read every word it did not know ("yes2", "ture",
    # "enabled") as off, and so a typo turned SECURE_SSL_REDIRECT off without a word.
    _OFF_STRINGS = ("false", "off", "no", "n", "0", "")

    @classmethod
    def parse_value(cls, value: str, cast: object) -> object:
        """A comma-separated list as people write it: "a.example, b.example" is two clean
        names (django-environ kept " b.example", which matches no request). A switch is one of
        the words for on or off (ValueError otherwise: `get_value` names the variable)."""
        if cast is bool and not isinstance(value, bool):
            word = str(value).strip().lower()
            if word not in cls.BOOLEAN_TRUE_STRINGS and word not in cls._OFF_STRINGS:
                raise ValueError("use true or false")
        if cast is list or isinstance(cast, list):
            value = ",".join(item.strip() for item in value.split(",") if item.strip())
        return super().parse_value(value, cast)


env = _Env()
# A local .env file is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

# --- Site ---------------------------------------------------------------------------------

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="AI Community")
# robots.txt turns away the crawlers that gather pictures and text to train AI models
# (feed.views.AI_CRAWLERS); search engines' own crawlers are not among them.
ROBOTS_BLOCK_AI_CRAWLERS = env.bool("ROBOTS_BLOCK_AI_CRAWLERS", default=True)
# Each web worker compiles every template and loads the URL patterns and catalogues when it
# starts (common/warmup.py), not on the first requests it serves.
WARM_UP_ON_START = env.bool("WARM_UP_ON_START", default=True)
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django_htmx",
    "csp",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.headless",
    "common",
    "accounts",
    "artworks",
    "social",
    "notifications",
    "feed",
    "moderation",
    "memberdata",
]

MIDDLEWARE = [
    # A call to the JSON API with a bearer token goes down a chain of its own: the rest of this
    # list less BEARER_API_SKIPPED_MIDDLEWARE (common/lanes.py).
    "common.lanes.BearerApiLaneMiddleware",
    # Then (in both chains): the request id is bound before anything logs, the timings cover all
    # below (common/observability).
    "common.observability.requests.RequestLogMiddleware",
    "common.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache: every response, cached or not, gets the header and a fresh nonce.
    "common.csp.BuiltOnceCSPMiddleware",
    "common.middleware.ApiJsonErrorsMiddleware",
    "common.middleware.ApiHeadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous visitors' cached pages, before the session and the member are looked up.
    "common.pagecache_early.EarlyPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, without the path's language lookups (no URL carries one).
    "common.middleware.LocaleMiddleware",
    "common.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "common.middleware.NoNulInPathMiddleware",
    "common.middleware.MethodNotAllowedPageMiddleware",
    # Nothing above reads the body (CSRF reads it later, in process_view); the language and
    # the member are known, so the refusal page speaks the member's language.
    "common.body_limit.RequestBodyLimitMiddleware",
    # Django's, with the storage built only when a message is read or added.
    "common.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "common.pagecache.PageCacheMiddleware",
]
# What a call to the JSON API with a bearer token does without (common/lanes.py): it is judged
# by its token alone, and is never a static file, an anonymous visitor's cached page, nor part
# of a browser's session, CSRF, flash messages or allauth's browser flows.
BEARER_API_SKIPPED_MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.pagecache_early.EarlyPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "common.middleware.LazyMessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "aicommunity.urls"
WSGI_APPLICATION = "aicommunity.wsgi.application"
ASGI_APPLICATION = "aicommunity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.site",
                "csp.context_processors.nonce",
                "common.context_processors.page_cache_csrf",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- I18n ---------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Ranking ------------------------------------------------------------------------------

# Reddit-style time-invariant hot score: log10(weighted reactions) + published_at / HALF_LIFE.
HOT_LIKE_WEIGHT = env.float("HOT_LIKE_WEIGHT", default=1.0)
HOT_FAVORITE_WEIGHT = env.float("HOT_FAVORITE_WEIGHT", default=2.0)
HOT_TIME_DIVISOR_SECONDS = env.float("HOT_TIME_DIVISOR_SECONDS", default=45000.0)

# --- Rate limits on writes: scope → (max attempts, window in seconds) -------------------

RATE_LIMITS = {
    # Artworks made (generated, uploaded, generations retried): a refused attempt is not one.
    "artwork_create": (env.int("RATE_LIMIT_ARTWORK_CREATE_PER_HOUR", default=30), 3600),
    # Every attempt at one, refused or not: each may decode an upload or a reference image.
    "artwork_create_attempt": (
        env.int("RATE_LIMIT_ARTWORK_CREATE_ATTEMPTS_PER_HOUR", default=120),
        3600,
    ),
    "reaction": (env.int("RATE_LIMIT_REACTIONS_PER_MINUTE", default=120), 60),
    "report": (10, 3600),
    "follow": (env.int("RATE_LIMIT_FOLLOWS_PER_HOUR", default=200), 3600),
    "comment": (env.int("RATE_LIMIT_COMMENTS_PER_HOUR", default=60), 3600),
    "collection": (env.int("RATE_LIMIT_COLLECTION_WRITES_PER_HOUR", default=300), 3600),
    # New profile pictures sent, per member, refused ones too: each is decoded in full.
    "avatar": (env.int("RATE_LIMIT_AVATAR_UPLOADS_PER_HOUR", default=20), 3600),
    "api_login": (20, 300),
    # Confirmations of an account's deletion, per member: each one checks the password, so
    # as many as the sign-in lockout allows guesses (five in five minutes).
    "account_delete": (5, 300),
    # Data exports asked for, per member: each one zips every original of theirs.
    "data_export": (env.int("RATE_LIMIT_DATA_EXPORTS_PER_DAY", default=3), 24 * 3600),
    # Reads, but each a full-text query: /search and GET /api/search together, per client.
    "search": (env.int("RATE_LIMIT_SEARCHES_PER_MINUTE", default=60), 60),
}
# Scopes that refuse (503) rather than allow when the cache cannot count (Redis down): where
# unlimited attempts cost money or accounts. Likes, favorites and reports fail open. allauth's
# own limits (sign-in failures, sign-up, password reset) fail closed too: without its cache
# lock it answers 429 (see README, "Rate limits").
RATE_LIMITS_FAIL_CLOSED = {"artwork_create", "artwork_create_attempt", "api_login"}


def _tag_url(tag: object) -> str:
    from django.urls import reverse

    return reverse("feed:tag", args=[tag.name])


# A tag is an artwork's attribute (`artworks`), its page is the read side's (`feed`): the
# project, which knows both, joins them.
ABSOLUTE_URL_OVERRIDES = {"artworks.tag": _tag_url}
