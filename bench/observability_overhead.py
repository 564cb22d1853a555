"""CPU time per request of the observability middlewares (common/observability), measured
through Django's handler on a view that does nothing, so that only the middlewares differ.

    .venv/bin/python -m bench.observability_overhead            # JSON lines to /dev/null
    PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) .venv/bin/python -m bench.observability_overhead

Prints, per variant, the fastest of three runs of 10,000 requests (time.process_time), both
alone (only the middlewares named) and inside the site's whole middleware stack. For
comparison it also measures django-prometheus's pair of middlewares and django-structlog's
request middleware, the libraries these were measured against."""

from __future__ import annotations

import logging
import os
import sys
import time
import types

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")
os.environ.setdefault("LOG_FORMAT", "json")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.base import BaseHandler  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import path  # noqa: E402

from common.observability.logs import configure_structlog  # noqa: E402

REQUESTS = 10_000
LOG = "common.observability.requests.RequestLogMiddleware"
METRICS = "common.observability.metrics.MetricsMiddleware"
DJANGO_PROMETHEUS = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
DJANGO_STRUCTLOG = "django_structlog.middlewares.RequestMiddleware"


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("pong")


def _setup() -> None:
    urls = types.ModuleType("bench_observability_urls")
    urls.urlpatterns = [path("ping", ping, name="ping")]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    settings.ALLOWED_HOSTS = ["*"]
    # The cost of building and writing each line stays in; the terminal's does not.
    devnull = open(os.devnull, "w")  # noqa: SIM115
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    configure_structlog(fmt=settings.LOG_FORMAT, level=settings.LOG_LEVEL, stream=devnull)


def _per_request(middleware: list[str]) -> float:
    settings.MIDDLEWARE = middleware
    handler = BaseHandler()
    handler.load_middleware()
    factory = RequestFactory()
    for _ in range(500):
        handler.get_response(factory.get("/ping"))
    started = time.process_time()
    for _ in range(REQUESTS):
        handler.get_response(factory.get("/ping"))
    return (time.process_time() - started) / REQUESTS * 1e6


def main() -> None:
    _setup()
    stack = [m for m in settings.MIDDLEWARE if m not in (LOG, METRICS)]
    variants = {
        "nothing": [],
        "metrics": [METRICS],
        "request log": [LOG],
        "both": [LOG, METRICS],
        "django-prometheus": DJANGO_PROMETHEUS,
        "django-structlog": [DJANGO_STRUCTLOG],
    }
    print(f"µs of CPU per request, fastest of 3 x {REQUESTS} (LOG_FORMAT={settings.LOG_FORMAT})")
    for label, around in (("alone", []), ("in the site's stack", stack)):
        times: dict[str, list[float]] = {}
        for _round in range(3):
            for name, middleware in variants.items():
                extra = middleware if name != "django-prometheus" else [middleware[0]]
                tail = [middleware[1]] if name == "django-prometheus" else []
                times.setdefault(name, []).append(_per_request([*extra, *around, *tail]))
        base = min(times["nothing"])
        print(f"-- {label}")
        for name, values in times.items():
            median = min(values)
            print(f"   {name:18s} {median:7.1f}   (+{median - base:5.1f})")


if __name__ == "__main__":
    main()
