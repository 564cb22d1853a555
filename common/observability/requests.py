"""The request id and the one log line per request.

`RequestLogMiddleware` goes first in MIDDLEWARE (after the switch to the bearer API lane,
common/lanes.py, which logs nothing; first in that lane too): every line logged while it is
served (and by the tasks it queues: common/observability/tasks.py) carries its `request_id`,
and the response returns it in `X-Request-ID`. The id is the one our proxy sent (nginx from
deploy/nginx sets `X-Request-ID` to its own `$request_id`) when Django runs behind trusted
proxies (TRUSTED_PROXY_COUNT > 0) and it looks like an id; otherwise a new one. A client's
own header is never trusted: without a proxy of ours in front, anyone could write it.

The line at the end (`request_finished`) has the method, the path without its query string
(where tokens travel) and with allauth's one-time keys blanked, the status, the duration and
the member's id when the request looked the member up (it never loads a session just to log
it: cached pages stay free of that work)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from .logs import get_logger

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# allauth's password-reset and email-confirmation links carry their key in the path.
_KEY_IN_PATH = re.compile(r"(/(?:key|confirm-email)/)[^/]+")


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id for this request when it is trusted and well formed, else a new one."""
    if settings.TRUSTED_PROXY_COUNT > 0:
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        if _ACCEPTED_ID.fullmatch(sent):
            return sent
    return os.urandom(16).hex()  # as random as a uuid4's hex, without building the UUID


def loggable_path(path: str) -> str:
    if "/key/" in path or "/confirm-email/" in path:
        return _KEY_IN_PATH.sub(r"\1[redacted]", path)
    return path


def _known_user_id(request: HttpRequest) -> int | None:
    """The member's id if this request already looked the member up; never a lookup of its own."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_requests = settings.LOG_REQUESTS
        self.logger = get_logger("aicommunity.requests")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_for(request)
        request.request_id = request_id
        # Bound for this request and put back as it was after it (clearing every variable
        # instead walks the whole context, twice a request): nothing else binds any.
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if self.log_requests:
                status = response.status_code
                log = self.logger.error if status >= 500 else self.logger.info
                log(
                    "request_finished",
                    method=request.method,
                    path=loggable_path(request.path),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    user_id=_known_user_id(request),
                )
            return response
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
