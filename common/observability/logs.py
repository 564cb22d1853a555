"""How log lines are written: every record, from `logging` or `structlog` alike, goes through
structlog's `ProcessorFormatter`, which adds the time, level, logger and the context bound
for the request or task (its `request_id`), then renders one JSON object per line (`json`) or
a line for people (`console`).

structlog's own loggers (`get_logger`) skip `logging` and write their line directly, with the
same fields. The context lives in structlog's contextvars: `common.observability.requests` binds the
request id for a request, `common.observability.tasks` for a task."""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor, WrappedLogger

# Keys a log call might carry that must never reach a log line.
_SECRET_KEYS = frozenset(
    {"password", "token", "authorization", "cookie", "cookies", "session", "sessionid", "csrf"}
)


def _request_id_always(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    """Every line names its request (null outside one), so a search by key finds them all."""
    event.setdefault("request_id", None)
    return event


def _drop_secrets(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    for key in _SECRET_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _request_id_always,
        _drop_secrets,
    ]


def formatter(fmt: str) -> structlog.stdlib.ProcessorFormatter:
    """The logging formatter for `fmt` ("json" or "console")."""
    renderer: Processor
    if fmt == "json":
        # Each frame's file, line and function, never its local variables: they hold what the
        # code was working on (the database's connection parameters with its password, a
        # form's password), which must not reach a log line.
        tail: list[Processor] = [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        ]
        renderer = structlog.processors.JSONRenderer(default=str)
    else:
        tail = []
        # Plain tracebacks: rich's (structlog's default when rich is installed) print every
        # frame's local variables, secrets included, and take a long time to draw.
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, renderer],
    )


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """settings.LOGGING: one console handler, formatted by `formatter(fmt)`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": {"()": formatter, "fmt": fmt}},
        "filters": {"paused_redis": {"()": "common.redis_breaker.SkipPausedRedis"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # The cache's swallowed errors, less those of calls skipped while Redis is paused.
            "django_redis.cache": {"filters": ["paused_redis"]},
        },
    }


def configure_structlog(*, fmt: str, level: str, stream: IO[str] | None = None) -> None:
    """structlog's own loggers (the request line) render and write their line themselves,
    without a trip through `logging`: 12 µs a line instead of 32 (bench/
    observability_overhead.py). Same fields, same stream (stderr) as the formatter's."""
    renderer: Processor = (
        structlog.processors.JSONRenderer(default=str)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _request_id_always,
            _drop_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.WriteLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A structlog logger of the current configuration, its lines naming `name` as their
    logger. Take it when the user starts (a middleware's __init__), not per call."""
    return structlog.get_logger().bind(logger=name)
