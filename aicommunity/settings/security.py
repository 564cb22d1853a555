"""The secret key, hosts, DEBUG, the proxies in front, cookies and HTTPS.

Development runs on a development key, local host names and DEBUG from the environment;
`DJANGO_ENV=production` requires a strong key and the host names, turns DEBUG off and
makes cookies, redirects and HSTS HTTPS-only."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import PRODUCTION, SITE_URL, env

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "Production needs SECRET_KEY: at least 50 characters with at least 5 distinct ones "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')."
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

# --- Client address ---------------------------------------------------------------------

# How many reverse proxies in front of Django are ours (common/client_address.py). 0: the
# peer (REMOTE_ADDR) is the client and X-Forwarded-For is ignored. 1: nginx from
# deploy/nginx/ in front; the client is the last X-Forwarded-For entry. Every rate limit and
# the sign-in lockout key on that address, so a wrong count either lets clients forge it
# (too high) or makes every client share the proxy's address (too low).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Cookies and headers ------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# Sessions read through the cache (Redis, or the embedded file cache) and written to both: a
# signed-in page served from the page cache no longer waits on a database query for them.
# Nothing deletes sessions behind the engine's back (a suspension or a password change is
# checked on the member, not the session), so the cached copy is never stale.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    # Both on by default (what `check --deploy` asks for). A site on a domain whose other
    # hosts are not all on HTTPS turns includeSubDomains off; `preload` says the domain may be
    # put on the browsers' built-in HTTPS-only list, which takes months to leave.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
