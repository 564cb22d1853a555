"""Logs, error reports and metrics.

Logs: one line per record on the console at `LOG_LEVEL`, for the process manager to collect:
`LOG_FORMAT=json` (production's default) writes each as one JSON object with the request id
that follows a request into its tasks (common/observability/logs.py); `console` (the
development default) writes them for people. Errors go to Sentry when `SENTRY_DSN` is set
(common/observability/errors.py). `/metrics` speaks Prometheus to the allowed networks and to
whoever presents `METRICS_TOKEN` (common/observability/metrics.py)."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from common.observability.errors import init_sentry
from common.observability.logs import configure_structlog, logging_config

from .base import DJANGO_ENV, PRODUCTION, env

_log_level = env.str("LOG_LEVEL", default="INFO")
LOG_LEVEL = _log_level.upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {_log_level!r}."
    )
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
if LOG_FORMAT not in {"json", "console"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'console'.")
# One `request_finished` line per request (method, path, status, duration, user id): on in
# production; off in development, where runserver prints every request itself (and the
# benchmark, like the minimal app it is compared with, logs nothing per request).
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=PRODUCTION)
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
configure_structlog(fmt=LOG_FORMAT, level=LOG_LEVEL)

# --- Error reports ------------------------------------------------------------------------

SENTRY_DSN = env.str("SENTRY_DSN", default="")
# The share of requests and tasks traced for Sentry's performance pages (0: errors only).
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV)
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE or None,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# --- Metrics ------------------------------------------------------------------------------

# Who may read /metrics without a token: client addresses (common/client_address.py, behind
# TRUSTED_PROXY_COUNT proxies) in these networks. Default: this machine only.
try:
    METRICS_ALLOWED_NETWORKS = tuple(
        ipaddress.ip_network(cidr.strip(), strict=False)
        for cidr in env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
        if cidr.strip()
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from exc
# Anyone else presents it as `Authorization: Bearer <token>` (empty: no token opens it).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 24 characters (or empty).")
