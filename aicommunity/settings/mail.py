"""Outgoing email: printed to the console by default, sent by SMTP when `EMAIL_HOST` is set."""

from __future__ import annotations

from .base import env

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
# Seconds a connection to the SMTP server may wait: the mails of sign-up and password reset are
# sent while the member waits, and a server that never answers (a firewall dropping port 587)
# would otherwise hold the request until gunicorn kills its worker.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AI Community <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
