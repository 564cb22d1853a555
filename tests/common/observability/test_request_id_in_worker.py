"""The request id crosses the broker: a like through the site queues the feed's task on a
real Redis broker, and the worker's JSON lines for that task carry the request's id."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.celery_harness import celery_worker, wait_for
from tests.factories import PublishedArtworkFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_workers_lines_for_a_queued_task_carry_the_request_id(
    real_broker, media_root, client, monkeypatch, settings
):
    settings.NOTIFICATION_REACTION_WINDOW_SECONDS = 0
    monkeypatch.setenv("LOG_FORMAT", "json")
    artwork = PublishedArtworkFactory()
    client.force_login(UserFactory())
    log_path = media_root.parent / "celery-request-id.log"
    with celery_worker(media_root=media_root, name="request-id"):
        response = client.post(reverse("artworks:like", args=[artwork.pk]))
        assert response.status_code in (200, 302)
        request_id = response["X-Request-ID"]

        def task_logged() -> bool:
            return any(
                line.get("request_id") == request_id and line.get("task")
                for line in _json_lines(log_path.read_text())
            )

        assert wait_for(task_logged, timeout=30), log_path.read_text()[-3000:]
    tasks = {
        line["task"]
        for line in _json_lines(log_path.read_text())
        if line.get("request_id") == request_id and line.get("task")
    }
    # The like tells its author (after the reaction window) through a task of the worker's.
    assert "notifications.tasks.notify_reactions" in tasks, tasks
    # Lines of the worker outside any request say so.
    assert any(line["request_id"] is None for line in _json_lines(log_path.read_text()))
