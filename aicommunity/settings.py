"""Settings for AI Community.

Every value comes from the environment (django-environ) with an embedded default, so that a
bare `make run` works: SQLite, local-disk media, a file cache shared by every process and
in-process tasks.
Setting `DJANGO_ENV=production` turns on the production checks: the site refuses to start
without a secret key and allowed hosts, and passes `manage.py check --deploy`.
See `.env.example` for every variable.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

# --- Core ---------------------------------------------------------------------------------

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "Production needs SECRET_KEY: at least 50 characters with at least 5 distinct ones."
        )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
    DEBUG = False
else:
    # Development key: never used in production (see the check above).
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-insecure-0c8f6b1e9a7d4c2b8e5f3a1d7c9b2e4f6a8c0d2e4f6a8b0c"
    )
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
    DEBUG = env.bool("DEBUG", default=True)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="AI Community")
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
    "feed",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache: every response, cached or not, gets the header and a fresh nonce.
    "common.csp.BuiltOnceCSPMiddleware",
    "common.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing above reads the body (CSRF reads it later, in process_view); the language and
    # the member are known, so the refusal page speaks the member's language.
    "common.body_limit.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "common.pagecache.AnonymousPageCacheMiddleware",
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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work at once; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not memory, so a real Celery worker process can share the database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
else:
    # Persistent connections with health checks; put PgBouncer in front for many web hosts.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache, Redis, tasks ------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    from common.redis_breaker import redis_cache_settings

    # Errors are swallowed (a cache miss); after a failed connect Redis is skipped for
    # CACHE_REDIS_RETRY_SECONDS (common/redis_breaker.py).
    CACHES = {
        "default": redis_cache_settings(
            REDIS_URL,
            key_prefix=env.str("CACHE_KEY_PREFIX", default="aic"),
            connect_timeout=env.float("CACHE_REDIS_CONNECT_TIMEOUT", default=0.25),
            socket_timeout=env.float("CACHE_REDIS_SOCKET_TIMEOUT", default=0.5),
        )
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # One cache for every process (each gunicorn worker, manage.py command and task runner):
    # files in a folder, so an invalidation in one process reaches all of them. Files rather
    # than the database cache because SQLite has a single writer: every cache write (a page
    # rendered, a rate-limit counter) would wait for and hold up the site's real writes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(BASE_DIR / ".cache" / "django")),
            "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", default=5000)},
        }
    }

# How long the cache skips a Redis it could not connect to (common/redis_breaker.py).
CACHE_REDIS_RETRY_SECONDS = env.float("CACHE_REDIS_RETRY_SECONDS", default=2.0)

# The feed index (hot_rank, feed_queue, user lists, like counts) lives in REDIS_URL; see
# feed/redis_index.py. Its keys carry the blueprint's names, optionally behind a prefix.
REDIS_INDEX_URL = REDIS_URL  # its own name only so that tests can point it elsewhere
REDIS_INDEX_KEY_PREFIX = env.str("REDIS_INDEX_KEY_PREFIX", default="")
# Short timeouts: a slow Redis must degrade to the database, never stall a page.
REDIS_INDEX_SOCKET_TIMEOUT = env.float("REDIS_INDEX_SOCKET_TIMEOUT", default=0.25)
# After a connection failure, skip Redis for this long instead of timing out on every call.
REDIS_INDEX_RETRY_SECONDS = env.float("REDIS_INDEX_RETRY_SECONDS", default=5.0)
# Lengths of the capped id lists: feed_queue and each user:{id}:artworks. Pages beyond them
# are read from the database.
FEED_QUEUE_LENGTH = env.int("FEED_QUEUE_LENGTH", default=1000)
USER_ARTWORKS_LIST_LENGTH = env.int("USER_ARTWORKS_LIST_LENGTH", default=1000)
# The cached artwork (artwork page, GET /api/artworks/{id}): invalidated on every change;
# the timeout only bounds what no announcement covers (e.g. an author renaming themselves).
ARTWORK_CACHE_SECONDS = env.int("ARTWORK_CACHE_SECONDS", default=300)

from common.tasks import Queue  # noqa: E402  (the queue names, defined once)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, tasks run in-process (they are enqueued after commit by the services).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
# Without a broker, a generation runs in a background thread of the web process, so that the
# request returns at once with the draft (the page then follows its progress).
GENERATION_IN_BACKGROUND_THREAD = env.bool(
    "GENERATION_IN_BACKGROUND_THREAD", default=CELERY_TASK_ALWAYS_EAGER
)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Unacknowledged tasks (a worker died mid-task) are redelivered after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such tasks (one cheap sorted-set range query).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
    # Sending a task tries the broker once (no reconnect loop): when it is down, the sender's
    # fallback (common.tasks) takes over at once instead of after seconds of retries.
    "max_retries": 0,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=0.5),
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=0.5)
# After the broker refused a task, senders skip it for this long (the fallback runs at once).
CELERY_BROKER_RETRY_SECONDS = env.float("CELERY_BROKER_RETRY_SECONDS", default=2.0)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = Queue.DEFAULT.value
CELERY_QUEUES_ALL = [queue.value for queue in Queue]
CELERY_BEAT_SCHEDULE = {
    "retry-stale-media": {"task": "artworks.tasks.retry_stale_media", "schedule": 300.0},
    "sweep-orphan-media": {"task": "artworks.tasks.sweep_orphan_media", "schedule": 3600.0},
    "purge-abandoned-drafts": {
        "task": "artworks.tasks.purge_abandoned_drafts",
        "schedule": 86400.0,
    },
    # Repairs any drift between the database and the Redis feed index.
    "reconcile-redis": {
        "task": "feed.tasks.reconcile_redis",
        "schedule": env.int("REDIS_RECONCILE_SECONDS", default=900),
    },
}
# Periodic maintenance.
MEDIA_RETRY_AFTER_MINUTES = env.int("MEDIA_RETRY_AFTER_MINUTES", default=5)
MEDIA_MAX_ATTEMPTS = env.int("MEDIA_MAX_ATTEMPTS", default=5)
MEDIA_ORPHAN_GRACE_HOURS = env.int("MEDIA_ORPHAN_GRACE_HOURS", default=24)
ABANDONED_DRAFT_DAYS = env.int("ABANDONED_DRAFT_DAYS", default=7)
CELERY_TASK_ROUTES = {
    "artworks.tasks.generate_*": {"queue": Queue.GENERATION.value},
    "artworks.tasks.make_*": {"queue": Queue.MEDIA.value},
    "feed.tasks.*": {"queue": Queue.FEED.value},
}

# Whole pages for anonymous visitors (common/pagecache.py): needs a cache shared by every
# process, which both Redis and the embedded file cache are (tests/common/
# test_multiprocess_cache.py runs it on two workers), so it is on by default everywhere; 0
# turns it off. Invalidated exactly on every change; the lifetime only bounds memory.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_VIEWS = {
    "feed:landing",
    "feed:features",
    "feed:feed",
    "feed:profile",
    "artworks:detail",
}

# --- Storage ------------------------------------------------------------------------------

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# Where collectstatic writes; nginx serves /static/ from here (deploy/nginx/).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

S3_BUCKET = env.str("S3_BUCKET", default="")
# Media are private wherever they are stored: every media URL is the site's own view at
# MEDIA_URL (artworks.media_views), which asks the visibility rule on each request, so a
# takedown reaches every URL a page ever showed (README "Media and takedowns").
# Public media may be cached this long by browsers and shared caches (a CDN in front):
MEDIA_PUBLIC_MAX_AGE = env.int("MEDIA_PUBLIC_MAX_AGE", default=300)
# Behind nginx (deploy/nginx): the view answers X-Accel-Redirect: <prefix><key> and nginx sends
# the file from its `internal` location aliasing MEDIA_ROOT. Empty: Django streams the file.
MEDIA_X_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_X_ACCEL_REDIRECT_PREFIX", default="")
# How long a presigned bucket URL handed out by the media view stays valid.
S3_SIGNED_URL_EXPIRE = env.int("S3_SIGNED_URL_EXPIRE", default=300)
if env.str("S3_PUBLIC_DOMAIN", default=""):
    raise ImproperlyConfigured(
        "S3_PUBLIC_DOMAIN is no longer supported: objects behind a public domain stay online "
        "after a takedown. Put the CDN in front of the site's MEDIA_URL instead (README, "
        "'Media and takedowns')."
    )
if S3_BUCKET:
    from common.storage import s3_storage_options

    # Any S3-compatible store, e.g. Cloudflare R2:
    # S3_ENDPOINT_URL=https://<account>.r2.cloudflarestorage.com, S3_REGION=auto.
    _media_storage = s3_storage_options(
        bucket=S3_BUCKET,
        endpoint_url=env.str("S3_ENDPOINT_URL", default="") or None,
        region=env.str("S3_REGION", default="auto"),
        access_key=env.str("S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
        addressing_style=env.str("S3_ADDRESSING_STYLE", default="path"),
        signed_url_expire=S3_SIGNED_URL_EXPIRE,
    )
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (tests), fall back to unhashed names instead of failing.
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Uploaded files above 2.5 MB stream to a temporary file instead of memory; request bodies
# (other than files) are capped at 2.5 MB. Larger bodies are refused with 413 before they are
# read (common.body_limit), except on the upload endpoints in UPLOAD_BODY_LIMITS.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "common.body_limit.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_IMAGE_BYTES = env.int("UPLOAD_MAX_IMAGE_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_VIDEO_BYTES = env.int("UPLOAD_MAX_VIDEO_BYTES", default=100 * 1024 * 1024)
# One decoded frame: 8K UHD. Pillow holds 4 bytes a pixel (133 MB here), and a worker must
# stay within 300 MB while it cleans an upload and renders its thumbnails.
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=7680 * 4320)
# WebP and AVIF cost far more memory a pixel: through Pillow, libwebp and libavif an upload's
# clean-up and thumbnails take about 35 bytes a pixel (measured with bench/upload_memory.py),
# against 4-8 for JPEG, PNG and GIF. Their frames are limited to 2048 × 2048, the largest
# size the generators make, so that any accepted upload stays within the same memory.
UPLOAD_MAX_PIXELS_BY_FORMAT = {
    "WEBP": env.int("UPLOAD_MAX_WEBP_PIXELS", default=2048 * 2048),
    "AVIF": env.int("UPLOAD_MAX_AVIF_PIXELS", default=2048 * 2048),
}
# A video frame: 4K UHD. Decoding holds several frames at once, so its size bounds memory.
UPLOAD_MAX_VIDEO_PIXELS = env.int("UPLOAD_MAX_VIDEO_PIXELS", default=3840 * 2160)
# Frames × width × height of an animated image (GIF, APNG, animated WebP): its decoded size.
UPLOAD_MAX_ANIMATION_PIXELS = env.int("UPLOAD_MAX_ANIMATION_PIXELS", default=50_000_000)
# The largest file each upload endpoint takes (URL name → the settings that bound it); the
# request body may be that plus a small margin for the other form fields.
UPLOAD_BODY_LIMITS = {
    "artworks:create": ("UPLOAD_MAX_VIDEO_BYTES", "UPLOAD_MAX_IMAGE_BYTES"),
    "api:upload": ("UPLOAD_MAX_VIDEO_BYTES", "UPLOAD_MAX_IMAGE_BYTES"),
    "api:generate": ("UPLOAD_MAX_IMAGE_BYTES",),
    "accounts:settings": ("AVATAR_MAX_BYTES",),
    "admin:accounts_user_change": ("AVATAR_MAX_BYTES",),
}
UPLOAD_MAX_VIDEO_SECONDS = env.int("UPLOAD_MAX_VIDEO_SECONDS", default=60)
THUMBNAIL_WIDTHS = [320, 640, 1280]

# --- AI generation ------------------------------------------------------------------------

AI_PROVIDER = env.str("AI_PROVIDER", default="offline")  # offline | openai | workers_ai
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_IMAGE_MODEL = env.str("OPENAI_IMAGE_MODEL", default="gpt-image-1")
WORKERS_AI_ACCOUNT_ID = env.str("WORKERS_AI_ACCOUNT_ID", default="")
WORKERS_AI_API_TOKEN = env.str("WORKERS_AI_API_TOKEN", default="")
WORKERS_AI_MODEL = env.str(
    "WORKERS_AI_MODEL", default="@cf/stabilityai/stable-diffusion-xl-base-1.0"
)
# Overridable so that a proxy (or a local test server) can stand in for Cloudflare's API.
WORKERS_AI_BASE_URL = env.str("WORKERS_AI_BASE_URL", default="https://api.cloudflare.com/client/v4")
AI_PROVIDER_TIMEOUT = env.float("AI_PROVIDER_TIMEOUT", default=60.0)
AI_PROVIDER_MAX_RETRIES = env.int("AI_PROVIDER_MAX_RETRIES", default=3)
# First wait before retrying a 429/5xx/timeout; doubles on every attempt (capped at 60 s).
AI_PROVIDER_BACKOFF_SECONDS = env.float("AI_PROVIDER_BACKOFF_SECONDS", default=1.0)

# --- Ranking ------------------------------------------------------------------------------

# Reddit-style time-invariant hot score: log10(weighted reactions) + published_at / HALF_LIFE.
HOT_LIKE_WEIGHT = env.float("HOT_LIKE_WEIGHT", default=1.0)
HOT_FAVORITE_WEIGHT = env.float("HOT_FAVORITE_WEIGHT", default=2.0)
HOT_TIME_DIVISOR_SECONDS = env.float("HOT_TIME_DIVISOR_SECONDS", default=45000.0)

# --- Client address ---------------------------------------------------------------------

# How many reverse proxies in front of Django are ours (common/client_address.py). 0: the
# peer (REMOTE_ADDR) is the client and X-Forwarded-For is ignored. 1: nginx from
# deploy/nginx/ in front; the client is the last X-Forwarded-For entry. Every rate limit and
# the sign-in lockout key on that address, so a wrong count either lets clients forge it
# (too high) or makes every client share the proxy's address (too low).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Rate limits on writes: scope → (max attempts, window in seconds) -------------------

RATE_LIMITS = {
    "artwork_create": (env.int("RATE_LIMIT_ARTWORK_CREATE_PER_HOUR", default=30), 3600),
    "reaction": (env.int("RATE_LIMIT_REACTIONS_PER_MINUTE", default=120), 60),
    "report": (10, 3600),
    "api_login": (20, 300),
}
# Scopes that refuse (503) rather than allow when the cache cannot count (Redis down): where
# unlimited attempts cost money or accounts. Likes, favorites and reports fail open. allauth's
# own limits (sign-in failures, sign-up, password reset) fail closed too: without its cache
# lock it answers 429 (see README, "Rate limits").
RATE_LIMITS_FAIL_CLOSED = {"artwork_create", "api_login"}

# --- Accounts -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/feed"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# "mandatory" is what lets sign-up keep quiet about which addresses are registered: allauth
# then answers a taken address with the same "check your email" page as a new one and mails
# the owner instead (with "optional" it has to say "already registered").
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
# Confirming the address in the browser that signed up signs that browser in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "5/h/ip,3/h/key",
}

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USERNAME_MIN_LENGTH = 3
# Names that would read as the site's own pages or staff in /user/<username>.
ACCOUNT_USERNAME_BLACKLIST = [
    "admin",
    "administrator",
    "api",
    "accounts",
    "login",
    "logout",
    "settings",
    "feed",
    "features",
    "create",
    "artwork",
    "user",
    "users",
    "staff",
    "support",
    "root",
    "system",
    "healthz",
    "static",
    "media",
    "null",
    "none",
    "undefined",
    "me",
    "moderator",
]
# Google's picture is copied into our storage on first sign-in; never wait longer than this.
AVATAR_FETCH_TIMEOUT = 5.0
AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 256

GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "EMAIL_AUTHENTICATION": True,
        "VERIFIED_EMAIL": True,
        **(
            {"APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}]}
            if GOOGLE_CLIENT_ID
            else {}
        ),
    }
}

# Google's ID-token signing certificates (POST /api/auth/login verifies against them).
GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
GOOGLE_ID_TOKEN_ISSUERS = ("accounts.google.com", "https://accounts.google.com")

# API tokens: allauth headless' JWT strategy (RS256). Refresh tokens are rotated on use and
# anchored to a server-side session, so signing out or deleting the session revokes them.
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.JWTTokenStrategy"  # noqa: S105
HEADLESS_JWT_ALGORITHM = "RS256"
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env.int("JWT_ACCESS_TOKEN_LIFETIME", default=900)
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env.int(
    "JWT_REFRESH_TOKEN_LIFETIME", default=30 * 24 * 3600
)
if PRODUCTION:
    HEADLESS_JWT_PRIVATE_KEY = env.str("JWT_PRIVATE_KEY", default="", multiline=True)
    from .jwt_keys import is_rsa_private_key

    if not is_rsa_private_key(HEADLESS_JWT_PRIVATE_KEY):
        raise ImproperlyConfigured(
            "Production needs JWT_PRIVATE_KEY: an RSA private key in PEM format "
            "(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048)."
        )
else:
    from .jwt_keys import development_private_key

    # Development: a key generated once into a gitignored file, shared by every process.
    HEADLESS_JWT_PRIVATE_KEY = env.str(
        "JWT_PRIVATE_KEY", default="", multiline=True
    ) or development_private_key(BASE_DIR / ".jwt-dev-key.pem")

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env.str("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AI Community <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18n ---------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security -----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _media_origins() -> list[str]:
    """Where media URLs point when they are not on this site: an absolute MEDIA_URL, or the
    bucket's endpoint, where /media/ redirects with a signed URL."""
    origins = [_origin(MEDIA_URL)]
    if S3_BUCKET:
        options = STORAGES["default"]["OPTIONS"]
        if options.get("endpoint_url"):
            endpoint = _origin(options["endpoint_url"])
            if options.get("addressing_style") == "virtual":
                scheme, host = endpoint.split("://", 1)
                endpoint = f"{scheme}://{S3_BUCKET}.{host}"
            origins.append(endpoint)
        else:
            origins.append(f"https://{S3_BUCKET}.s3.amazonaws.com")
    origins += env.list("CSP_EXTRA_MEDIA_ORIGINS", default=[])
    return [o for o in dict.fromkeys(origins) if o]


# Content-Security-Policy (django-csp). No inline script but the theme script, which carries the
# per-response nonce; no inline styles at all (placeholders are data: images, avatar hues and
# spacing are classes); htmx's own indicator <style> is switched off in base.html.
CSP_MEDIA_ORIGINS = _media_origins()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_MEDIA_ORIGINS],
        "media-src": ["'self'", *CSP_MEDIA_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Chromium applies form-action to the redirect after a POST too: "Continue with Google"
        # posts here and is redirected to Google's consent page.
        "form-action": ["'self'", *(["https://accounts.google.com"] if GOOGLE_CLIENT_ID else [])],
        "frame-ancestors": ["'none'"],
    },
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
