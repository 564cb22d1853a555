"""/metrics: who may read it (the allowed networks as the trusted proxies report the client,
or the token), and that its numbers move with requests, tasks, generations and queues."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from artworks import services
from artworks.models import Artwork
from artworks.services.generation_run import mark_generation_failed
from tests.factories import ArtworkFactory

pytestmark = pytest.mark.django_db

OUTSIDER = "203.0.113.7"
TOKEN = "t0ken-for-the-scraper-0123456789"


@shared_task(name="tests.observability.works")
def works() -> None:
    pass


@shared_task(name="tests.observability.fails")
def fails() -> None:
    raise RuntimeError("the task failed on purpose")


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may read it ----------------------------------------------------------------------


def test_this_machine_may_read_the_metrics_and_no_one_else(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDER).status_code == 404


def test_the_allowed_networks_are_a_setting(client, settings):
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = (ipaddress.ip_network("10.1.0.0/16"),)
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_the_token_opens_it_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_TOKEN = TOKEN
    ok = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "):
        refused = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=wrong)
        assert refused.status_code == 404, wrong


def test_without_a_token_configured_no_bearer_opens_it(client, settings):
    settings.METRICS_TOKEN = ""
    refused = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer ")
    assert refused.status_code == 404


def test_a_forwarded_header_from_an_untrusted_client_proves_nothing(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    spoofed = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert spoofed.status_code == 404


def test_behind_nginx_the_client_is_who_nginx_says_not_nginx_itself(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx on this machine connects from loopback: its clients are not "this machine".
    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDER)
    assert outside.status_code == 404
    # A client writing loopback into the header before nginx appends the real address.
    forged = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"127.0.0.1, {OUTSIDER}"
    )
    assert forged.status_code == 404
    local = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert local.status_code == 200


def test_only_reads(client):
    assert client.post("/metrics").status_code == 405


# --- what it says -------------------------------------------------------------------------


def test_requests_move_the_latency_by_view_and_the_counts_by_status(client):
    before = scrape(client)
    client.get(reverse("healthz"))
    client.get(reverse("healthz"))
    client.get("/no-such-page-at-all")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("aic_http_request_duration_seconds_count", view="healthz") == 2
    assert delta("aic_http_request_duration_seconds_sum", view="healthz") > 0
    assert delta("aic_http_request_duration_seconds_bucket", view="healthz", le="+Inf") == 2
    # The 404 and the first scrape, by status.
    assert delta("aic_http_responses_total", method="GET", status="404") == 1
    assert delta("aic_http_responses_total", method="GET", status="200") >= 3


def test_pages_from_the_early_page_cache_are_timed_under_their_own_name(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    landing = reverse("feed:landing")
    client.get(landing)  # renders and keeps the copy
    before = scrape(client)
    client.get(landing)
    client.get(landing)
    after = scrape(client)

    def delta(view: str) -> float:
        name = "aic_http_request_duration_seconds_count"
        return value(after, name, view=view) - value(before, name, view=view)

    assert delta("(page cache)") == 2
    assert delta("feed:landing") == 0


def test_a_made_up_method_is_counted_as_other(client):
    before = scrape(client)
    client.generic("BREW", reverse("healthz"))
    after = scrape(client)
    key = {"method": "other", "status": "405"}
    assert (
        value(after, "aic_http_responses_total", **key)
        - value(before, "aic_http_responses_total", **key)
        == 1
    )


def test_tasks_move_their_durations_and_failures(client):
    before = scrape(client)
    works.delay()
    works.delay()
    fails.delay()
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    count = "aic_celery_task_duration_seconds_count"
    assert delta(count, task="tests.observability.works", state="SUCCESS") == 2
    assert delta(count, task="tests.observability.fails", state="FAILURE") == 1
    assert delta("aic_celery_task_failures_total", task="tests.observability.fails") == 1
    assert delta("aic_celery_task_failures_total", task="tests.observability.works") == 0


def test_generation_outcomes_are_counted_by_provider(client, django_capture_on_commit_callbacks):
    before = scrape(client)
    queued = {"with_file": False, "generation_status": Artwork.GenerationStatus.QUEUED}
    done = ArtworkFactory(**queued, provider="offline")
    failed = ArtworkFactory(**queued, provider="openai")
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_run_generation(artwork_id=done.pk)
    with django_capture_on_commit_callbacks(execute=True):
        mark_generation_failed(artwork_id=failed.pk, reason="Provider down")
        # A draft already finished is left alone, and not counted again.
        mark_generation_failed(artwork_id=done.pk, reason="late")
    after = scrape(client)
    done.refresh_from_db()
    assert done.generation_status == Artwork.GenerationStatus.DONE

    def delta(**labels: str) -> float:
        return value(after, "aic_generations_total", **labels) - value(
            before, "aic_generations_total", **labels
        )

    assert delta(provider="offline", outcome="done") == 1
    assert delta(provider="openai", outcome="failed") == 1
    assert delta(provider="offline", outcome="failed") == 0


def test_without_a_broker_there_are_no_queues_to_report(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    names = {name for name, _labels in scrape(client)}
    assert "aic_celery_queue_length" not in names


@pytest.mark.redis
def test_queue_depths_are_read_from_the_broker_at_scrape_time(client, real_broker):
    works.apply_async(queue="feed")
    works.apply_async(queue="feed")
    works.apply_async(queue="media")
    samples = scrape(client)
    assert value(samples, "aic_celery_broker_up") == 1
    assert value(samples, "aic_celery_queue_length", queue="feed") == 2
    assert value(samples, "aic_celery_queue_length", queue="media") == 1
    assert value(samples, "aic_celery_queue_length", queue="generation") == 0


def test_a_broker_that_does_not_answer_is_reported_down(client, settings):
    from tests.celery_harness import use_broker

    settings.CELERY_TASK_ALWAYS_EAGER = False
    use_broker("redis://127.0.0.1:1/0")
    try:
        samples = scrape(client)
    finally:
        use_broker(None)
    assert value(samples, "aic_celery_broker_up") == 0
    assert not any(name == "aic_celery_queue_length" for name, _labels in samples)
