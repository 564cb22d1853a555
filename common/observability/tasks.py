"""Tasks under observation: the request id rides along in the task message, and each task's
duration and outcome feed the metrics.

- `before_task_publish`: the sender's `request_id` (bound by
  common.observability.requests, or by the task that queues another) goes into the message's
  headers;
- `task_prerun`: the worker binds it (and the task's id and name) for every line the task
  logs; a task run in-process (no broker) keeps the request's own context and adds to it;
- `task_postrun` / `task_failure`: the duration by task and state, failures by task.

Connected once, from CommonConfig.ready(), in web processes and workers alike."""

from __future__ import annotations

import time
from typing import Any

import structlog
from celery import Task
from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun

from . import metrics

HEADER = "aic_request_id"
_TOKENS = "_aic_context_tokens"
_STARTED = "_aic_started"


def _publish_request_id(headers: dict[str, Any] | None = None, **_kwargs: object) -> None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id and headers is not None:
        headers[HEADER] = request_id


def _bind_task_context(task_id: str = "", task: Task | None = None, **_kwargs: object) -> None:
    if task is None:
        return
    context = task.request
    if not context.is_eager:
        # A worker runs one task after another in the same thread: nothing carries over.
        structlog.contextvars.clear_contextvars()
    bound: dict[str, Any] = {"task_id": task_id, "task": task.name}
    request_id = getattr(context, HEADER, None)
    if request_id:
        bound["request_id"] = request_id
    tokens = structlog.contextvars.bind_contextvars(**bound)
    if context.is_eager:
        setattr(context, _TOKENS, tokens)
    setattr(context, _STARTED, time.perf_counter())


def _record_task(task: Task | None = None, state: str | None = None, **_kwargs: object) -> None:
    if task is None:
        return
    context = task.request
    started = getattr(context, _STARTED, None)
    if started is not None:
        metrics.observe_task(task.name, state or "UNKNOWN", time.perf_counter() - started)
    tokens = getattr(context, _TOKENS, None)
    if tokens is not None:
        # In-process: the request's context is as it was before the task. (A worker keeps
        # it until the next task: its own "succeeded" or "retry" lines still name the task.)
        structlog.contextvars.reset_contextvars(**tokens)


def _count_failure(sender: Task | None = None, **_kwargs: object) -> None:
    if sender is not None:
        metrics.count_task_failure(sender.name)


def connect() -> None:
    before_task_publish.connect(_publish_request_id, weak=False, dispatch_uid="aic_request_id")
    task_prerun.connect(_bind_task_context, weak=False, dispatch_uid="aic_task_context")
    task_postrun.connect(_record_task, weak=False, dispatch_uid="aic_task_record")
    task_failure.connect(_count_failure, weak=False, dispatch_uid="aic_task_failure")
