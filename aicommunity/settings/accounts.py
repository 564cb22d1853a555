"""Sign-in and sign-up (allauth), Google, avatars and API tokens.

API tokens are signed with `JWT_PRIVATE_KEY`; development generates one into a gitignored
file, production refuses to start without a real one."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import BASE_DIR, PRODUCTION, env

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
    # Adding an address mails it a confirmation link: allauth's ten a minute would let one
    # member have the site mail 600 addresses of their choosing an hour.
    "manage_email": "10/h/user",
    # The change form checks the current password: no more guesses than signing in allows
    # (allauth's default is five a minute).
    "change_password": "5/5m/user",
    # So does /accounts/reauthenticate/ (allauth's default: ten a minute).
    "reauthenticate": "5/5m/user",
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
    from aicommunity.jwt_keys import is_rsa_private_key

    if not is_rsa_private_key(HEADLESS_JWT_PRIVATE_KEY):
        raise ImproperlyConfigured(
            "Production needs JWT_PRIVATE_KEY: an RSA private key in PEM format "
            "(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048)."
        )
else:
    from aicommunity.jwt_keys import development_private_key

    # Development: a key generated once into a gitignored file, shared by every process.
    HEADLESS_JWT_PRIVATE_KEY = env.str(
        "JWT_PRIVATE_KEY", default="", multiline=True
    ) or development_private_key(BASE_DIR / ".jwt-dev-key.pem")

# A member's data export: its download link works for this many days, then the file is
# deleted (beat); an export that has not finished after this many minutes counts as failed.
DATA_EXPORT_EXPIRE_DAYS = env.int("DATA_EXPORT_EXPIRE_DAYS", default=7)
DATA_EXPORT_STALE_MINUTES = env.int("DATA_EXPORT_STALE_MINUTES", default=120)
# An account deletion still pending after this many minutes is run again (its task was lost).
ACCOUNT_DELETION_RETRY_MINUTES = env.int("ACCOUNT_DELETION_RETRY_MINUTES", default=15)
