"""JSON log lines with a request id: one line per request, the id from a trusted proxy or
new, returned in X-Request-ID, and carried into the tasks the request queues."""

from __future__ import annotations

import logging

import pytest
from celery import shared_task
from django.http import HttpRequest, HttpResponse
from django.urls import path

from common.observability.requests import loggable_path
from common.tasks import enqueue
from tests.factories import UserFactory

task_logger = logging.getLogger("tests.observability.task")


@shared_task(name="tests.observability.log_in_a_task")
def log_in_a_task(word: str) -> None:
    task_logger.info("the task says %s", word)


def queue_a_task(request: HttpRequest) -> HttpResponse:
    logging.getLogger("tests.observability.view").info("queueing")
    enqueue(log_in_a_task, "hello", after_commit=False)
    return HttpResponse("queued")


def touch_the_member(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.user.is_authenticated))


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def fail_holding_a_secret(request: HttpRequest) -> HttpResponse:
    conn_params = {"user": "site", "password": "db-pass-in-a-frame"}
    raise RuntimeError(f"could not connect as {conn_params['user']}")


urlpatterns = [
    path("queue", queue_a_task),
    path("member", touch_the_member),
    path("fail", fail),
    path("fail-holding-a-secret", fail_holding_a_secret),
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

REQUIRED = {"timestamp", "level", "logger", "event", "request_id"}


def _finished(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["event"] == "request_finished"]


def test_a_request_and_the_task_it_queues_log_json_lines_with_one_request_id(client, json_logs):
    response = client.get("/queue?token=secret-in-query", HTTP_COOKIE="sessionid=cookie-value")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    lines = json_logs.lines()
    assert all(line.keys() >= REQUIRED for line in lines)
    by_event = {line["event"]: line for line in lines}
    assert by_event["queueing"]["request_id"] == request_id
    task_line = by_event["the task says hello"]
    assert task_line["request_id"] == request_id
    assert task_line["task"] == "tests.observability.log_in_a_task"
    assert task_line["logger"] == "tests.observability.task"
    [finished] = _finished(lines)
    assert finished["request_id"] == request_id
    assert finished["method"] == "GET"
    assert finished["path"] == "/queue"
    assert finished["status"] == 200
    assert finished["level"] == "info"
    assert isinstance(finished["duration_ms"], float)
    # Never the query string, never a cookie.
    assert "secret-in-query" not in json_logs.raw()
    assert "cookie-value" not in json_logs.raw()


def test_the_task_leaves_the_request_context_as_it_was(client, json_logs):
    client.get("/queue")
    [finished] = _finished(json_logs.lines())
    assert "task" not in finished
    assert "task_id" not in finished


def test_each_request_gets_its_own_id(client, json_logs):
    first = client.get("/queue")["X-Request-ID"]
    second = client.get("/queue")["X-Request-ID"]
    assert first != second
    assert [line["request_id"] for line in _finished(json_logs.lines())] == [first, second]


def test_a_proxy_id_is_kept_only_behind_trusted_proxies(client, settings, json_logs):
    sent = "nginx-0123456789abcdef"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client.get("/queue", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] != sent
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/queue", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent
    # Even a proxy's header must look like an id: no spaces, quotes, newlines or floods.
    for bad in ("a b c d e f g h", 'x"}\n{"level":"error"', "x" * 500, "short"):
        assert client.get("/queue", HTTP_X_REQUEST_ID=bad)["X-Request-ID"] != bad
    assert sent in {line["request_id"] for line in json_logs.lines()}


def test_the_member_id_is_logged_when_the_request_looked_the_member_up(client, json_logs):
    member = UserFactory()
    client.force_login(member)
    client.get("/member")
    [finished] = _finished(json_logs.lines())
    assert finished["user_id"] == member.pk


def test_logging_a_request_never_looks_the_member_up_itself(client, settings, json_logs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts import member_cache

    client.force_login(UserFactory())

    def queries() -> list[str]:
        member_cache.forget_all_in_this_process()  # the member is looked up by each
        with CaptureQueriesContext(connection) as captured:
            client.get("/queue")
        return [query["sql"] for query in captured.captured_queries]

    with_log = queries()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RequestLogMiddleware")]
    assert queries() == with_log


def test_a_500_is_logged_with_its_request_id_and_traceback(client, json_logs):
    client.raise_request_exception = False
    response = client.get("/fail")
    assert response.status_code == 500
    lines = json_logs.lines()
    [finished] = _finished(lines)
    assert finished["status"] == 500
    assert finished["level"] == "error"
    errors = [line for line in lines if line["logger"] == "django.request"]
    assert errors and errors[0]["request_id"] == response["X-Request-ID"]
    assert errors[0]["exception"][0]["exc_value"] == "boom"


def test_a_traceback_names_its_frames_but_never_their_local_variables(client, json_logs):
    """A frame's locals hold what was being worked on: the database's connection parameters
    (its password) when PostgreSQL is down, a form's password when a sign-in fails."""
    client.raise_request_exception = False
    assert client.get("/fail-holding-a-secret").status_code == 500
    [error] = [line for line in json_logs.lines() if line["logger"] == "django.request"]
    [exception] = error["exception"]
    assert exception["exc_value"] == "could not connect as site"
    assert "fail_holding_a_secret" in [frame["name"] for frame in exception["frames"]]
    assert "db-pass-in-a-frame" not in json_logs.raw()
    assert not any("locals" in frame for frame in exception["frames"])


def test_one_time_keys_in_paths_are_blanked():
    assert loggable_path("/accounts/password/reset/key/3-abc-def/") == (
        "/accounts/password/reset/key/[redacted]/"
    )
    assert loggable_path("/accounts/confirm-email/MTI:1t:xyz/") == (
        "/accounts/confirm-email/[redacted]/"
    )
    assert loggable_path("/feed") == "/feed"


def test_secret_keys_passed_to_a_log_call_are_blanked(json_logs):
    import structlog

    from common.observability.logs import get_logger

    get_logger("tests.observability").info("signed in", password="hunter2", user_id=3)
    logging.getLogger("tests.observability").info("again", extra={"token": "t0k3n"})
    structlog.stdlib.get_logger("tests.observability").info("third", cookie="c00kie")
    lines = json_logs.lines()
    assert [line["event"] for line in lines] == ["signed in", "again", "third"]
    assert lines[0]["password"] == "[redacted]"
    assert lines[0]["logger"] == "tests.observability"
    for secret in ("hunter2", "c00kie", "t0k3n"):
        assert secret not in json_logs.raw()
