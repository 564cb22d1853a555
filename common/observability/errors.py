"""Error reports to Sentry (sentry-sdk), when settings.SENTRY_DSN is set: unhandled
exceptions of views and tasks (Django and Celery integrations) and lines logged at ERROR.

Nothing personal or secret leaves: no cookies, no user, no client address
(`data_collection`, which replaces `send_default_pii=False`), never a request body, and
`scrub_event` goes over every event before it is sent: it drops cookies and credential
headers, and blanks any value whose key names a secret (password, token, session, CSRF,
authorization, API key…) and any token in a query string, wherever they are (request,
local variables of the stack frames, breadcrumbs)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured

FILTERED = "[Filtered]"
_SECRET_KEY = re.compile(
    r"pass(word|wd)?|secret|token|authori[sz]ation|cookie|session|csrf|api[-_]?key|^key$|jwt"
    r"|signature|credential|private",
    re.IGNORECASE,
)
_DROPPED_HEADERS = frozenset(
    {"cookie", "set-cookie", "authorization", "proxy-authorization", "x-csrftoken", "x-api-key"}
)
# `?token=…`, `&key=…` in any text: a URL, a request's repr in a frame's variables.
_TOKEN_IN_QUERY = re.compile(
    r"(?i)((?:^|[?&;])(?:[\w.-]*(?:token|secret|password|signature|api_?key)[\w.-]*"
    r"|key|code|state|sig|sessionid)=)"
    r"[^&;#\s'\"]*"
)


def _scrub_text(text: str) -> str:
    return _TOKEN_IN_QUERY.sub(rf"\1{FILTERED}", text) if "=" in text else text


def _scrub(value: object) -> object:
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and _SECRET_KEY.search(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return _scrub_text(value)
    return value


def _scrub_request(request: dict[str, Any]) -> None:
    request.pop("cookies", None)
    request.pop("data", None)
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() not in _DROPPED_HEADERS
        }


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event without cookies, credentials or secrets (Sentry's `before_send`)."""
    request = event.get("request")
    if isinstance(request, dict):
        _scrub_request(request)
    return _scrub(event)  # type: ignore[return-value]


def scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    return _scrub(crumb)  # type: ignore[return-value]


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)
    except BadDsn as exc:
        raise ImproperlyConfigured(
            f"SENTRY_DSN must be a DSN of the form https://<key>@<host>/<project>, not "
            f"{dsn!r} ({exc})."
        ) from exc
    # Its `request_finished` line of a 500 is the same error again.
    ignore_logger("aicommunity.requests")
    # A request for a host name not in ALLOWED_HOSTS (scanners asking for the server's address
    # all day) is refused with a 400 and logged: not an error of the site's to report, and
    # one event per probe would spend the project's quota.
    ignore_logger("django.security.DisallowedHost")
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # What `send_default_pii=False` meant, in the form sentry-sdk 2.75 asks for (the old
        # option still works but warns at every start): no user, no cookies, no bodies.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "denylist"},
        },
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
