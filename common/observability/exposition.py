"""`/metrics`: who may read it, and what it says.

Readers are the clients whose address (common.client_address: the client as our trusted
proxies saw it, never a header the client wrote) is in settings.METRICS_ALLOWED_NETWORKS, and
whoever presents settings.METRICS_TOKEN as `Authorization: Bearer <token>` (compared in
constant time). Everyone else gets a 404: the page does not exist for them.

Queue depths are read at scrape time from the broker, through kombu's passive queue
declaration (as /healthz does, common.health.check_broker): the queues are Celery's, and no
Redis key name of ours is involved."""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ..client_address import client_ip
from ..health import check_broker


def may_read_metrics(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _sep, presented = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), token.encode()
        ):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


class QueueDepthCollector(Collector):
    """The number of messages waiting in each Celery queue, asked of the broker per scrape."""

    def collect(self) -> Iterator[Metric]:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return  # no broker: tasks run in-process and never wait in a queue
        broker = check_broker()
        up = GaugeMetricFamily("aic_celery_broker_up", "1 when the broker answered this scrape.")
        up.add_metric([], 1.0 if broker["ok"] else 0.0)
        yield up
        if broker["ok"]:
            depth = GaugeMetricFamily(
                "aic_celery_queue_length", "Messages waiting in the queue.", labels=["queue"]
            )
            for queue, count in broker["queues"].items():
                depth.add_metric([queue], float(count))
            yield depth


_queues = CollectorRegistry(auto_describe=False)
_queues.register(QueueDepthCollector())


def metrics_text() -> bytes:
    """Every metric in Prometheus' text format: this process's (or, in multiprocess mode,
    every process's in PROMETHEUS_MULTIPROC_DIR), then the queue depths."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_queues)


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
