"""The site's Prometheus metrics and the middleware that times every request.

Web workers (gunicorn) and Celery workers are separate processes: with
`PROMETHEUS_MULTIPROC_DIR` set in their environment, prometheus_client keeps each process's
values in a file of that folder and `/metrics` adds them all up (common/observability/
exposition.py; the gunicorn hooks in aicommunity/gunicorn_conf.py clear dead processes'
files at start). Without it, each process counts for itself (development, tests).

The middleware is on every request's path, so it does the least it can: one clock read
before and after, and two updates of children looked up once per label and kept in a dict
(prometheus_client's `labels()` takes a lock and builds a key each time)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

# Pages answer in milliseconds; generations and uploads take seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300)

REQUEST_LATENCY = Histogram(
    "aic_http_request_duration_seconds",
    "Time from the first middleware to the response, by view (URL name).",
    ["view"],
    buckets=_LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "aic_http_responses_total", "Responses by method and status code.", ["method", "status"]
)
TASK_DURATION = Histogram(
    "aic_celery_task_duration_seconds",
    "Time a task ran, by task name and final state (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
    buckets=_TASK_BUCKETS,
)
TASK_FAILURES = Counter(
    "aic_celery_task_failures_total", "Tasks that raised, by task name.", ["task"]
)
GENERATIONS = Counter(
    "aic_generations_total",
    "Finished generations by provider and outcome (done, failed).",
    ["provider", "outcome"],
)

# Any other method a client makes up is counted as "other": labels stay few.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A response the early page cache served never reached the URL resolver.
EARLY_CACHE_VIEW = "(page cache)"
UNRESOLVED_VIEW = "(unresolved)"


def observe_task(task: str, state: str, seconds: float) -> None:
    TASK_DURATION.labels(task, state).observe(seconds)


def count_task_failure(task: str) -> None:
    TASK_FAILURES.labels(task).inc()


def count_generation(*, provider: str, outcome: str) -> None:
    GENERATIONS.labels(provider or "unknown", outcome).inc()


def _view_of(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is not None:
        return match.view_name
    return EARLY_CACHE_VIEW if getattr(request, "early_page_cache_hit", False) else UNRESOLVED_VIEW


class MetricsMiddleware:
    """Times the request (by view) and counts the response (by method and status). Goes
    right after RequestLogMiddleware, before everything it measures."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.latency: dict[str, Histogram] = {}
        self.responses: dict[tuple[str, int], Counter] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = _view_of(request)
        latency = self.latency.get(view)
        if latency is None:
            latency = self.latency[view] = REQUEST_LATENCY.labels(view)
        latency.observe(elapsed)
        method = request.method if request.method in _METHODS else "other"
        key = (method, response.status_code)
        counter = self.responses.get(key)
        if counter is None:
            counter = self.responses[key] = RESPONSES.labels(key[0], str(key[1]))
        counter.inc()
        return response
