from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from common.observability.logs import configure_structlog, formatter


class JsonLines:
    """What the production formatter wrote to a stream added to the root logger."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def raw(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def json_logs(settings) -> Iterator[JsonLines]:
    settings.LOG_REQUESTS = True  # production's default (development's is off)
    captured = JsonLines()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    configure_structlog(fmt="json", level="INFO", stream=captured.stream)
    try:
        yield captured
    finally:
        configure_structlog(fmt=settings.LOG_FORMAT, level=settings.LOG_LEVEL)
        root.removeHandler(handler)
        root.setLevel(previous_level)
