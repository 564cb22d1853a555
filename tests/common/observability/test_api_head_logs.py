"""A HEAD on the API is answered as a GET (common.middleware.ApiHeadMiddleware), but the
request's line in the log names the method the client sent."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_log_line_of_a_head_on_the_api_says_head(client, json_logs):
    assert client.head("/api/feed").status_code == 200
    finished = [line for line in json_logs.lines() if line["event"] == "request_finished"]
    assert [(line["method"], line["status"]) for line in finished] == [("HEAD", 200)]
