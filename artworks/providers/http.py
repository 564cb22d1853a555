"""What the HTTP providers share: one POST with timeouts, and turning every failure into a
ProviderError whose reason the author can read. A transient failure (429, 5xx, a timeout, a
refused connection) is `retryable`, with the provider's Retry-After when it sent one: the
caller retries later (a Celery retry with a countdown, `retry_delay`), never by sleeping
here."""

from __future__ import annotations

import email.utils
import io
import logging
import random
import time
from datetime import UTC, datetime

import requests
import urllib3
from django.conf import settings

from common.images import TooManyPixels, megapixels, open_image

from . import reasons
from .base import GeneratedImage, ProviderError

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 10.0
# What an answer may carry besides its image: the JSON around it, an error's explanation.
ANSWER_ENVELOPE_BYTES = 64 * 1024
# 408: the provider's own timeout (Workers AI's "Timeout" and "Aborted" errors).
# A 429 that no retry within minutes helps: the account's quota is used up (OpenAI's
# billing, Workers AI's daily allocation, 3036 "Account limited").
QUOTA_ERROR_CODES = {"insufficient_quota", 3036}
RETRYABLE_STATUSES = {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def backoff_seconds(attempt: int) -> float:
    """AI_PROVIDER_BACKOFF_SECONDS doubled on every attempt (capped), with ±20 % jitter."""
    base = settings.AI_PROVIDER_BACKOFF_SECONDS
    return min(MAX_BACKOFF_SECONDS, base * (2**attempt)) * random.uniform(0.8, 1.2)


def retry_delay(error: ProviderError, *, attempt: int) -> float:
    """How long to wait before trying again after the `attempt`-th (0-based) retryable
    failure: the provider's Retry-After (capped, with a little jitter so that the drafts it
    refused do not all come back at once), else exponential backoff with jitter."""
    if error.retry_after is None:
        return backoff_seconds(attempt)
    return min(error.retry_after, MAX_BACKOFF_SECONDS) + random.uniform(0.0, 1.0)


def post_once(
    url: str,
    *,
    service: str,
    headers: dict[str, str] | None = None,
    json: dict | None = None,
    data: dict | None = None,
    files: dict | None = None,
) -> requests.Response:
    """POST once and return a 2xx response; raises ProviderError (retryable for a transient
    failure)."""
    timeout = (
        min(CONNECT_TIMEOUT_SECONDS, settings.AI_PROVIDER_TIMEOUT),
        settings.AI_PROVIDER_TIMEOUT,
    )
    deadline = time.monotonic() + settings.AI_PROVIDER_TIMEOUT
    try:
        response = requests.post(
            url, headers=headers, json=json, data=data, files=files, timeout=timeout, stream=True
        )
        _read_body(response, deadline=deadline, service=service)
    except requests.RequestException as exc:
        timed_out = isinstance(exc, requests.Timeout)
        fmt = reasons.TIMED_OUT if timed_out else reasons.UNREACHABLE
        raise ProviderError(reasons.reason(fmt, service=service), retryable=True) from (
            None if timed_out else exc
        )
    if response.status_code in RETRYABLE_STATUSES and not _quota_used_up(response):
        logger.info("%s answered %s", service, response.status_code)
        raise ProviderError(
            _transient_reason(service, response),
            retryable=True,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if response.status_code >= 400:
        raise ProviderError(_client_error_reason(service, response), retryable=False)
    return response


def max_answer_bytes() -> int:
    """The largest answer worth reading: the base64 of the largest image an upload may weigh
    (UPLOAD_MAX_IMAGE_BYTES), and the JSON around it."""
    return settings.UPLOAD_MAX_IMAGE_BYTES * 4 // 3 + ANSWER_ENVELOPE_BYTES


def _read_body(response: requests.Response, *, deadline: float, service: str) -> None:
    """Read the answer's body (then `response.content`, `.json()` work as usual), giving up
    at `deadline` (time.monotonic()): the read timeout bounds each wait for more bytes, not
    the whole answer, which a provider trickling a byte at a time could make last for ever.
    An answer larger than `max_answer_bytes()` is refused before it fills the memory."""
    chunks, size, limit = [], 0, max_answer_bytes()
    with response:
        # read1: what one read of the socket brings (read() would wait for the whole chunk).
        # Its errors are urllib3's, which requests wraps only in its own readers.
        try:
            while chunk := response.raw.read1(64 * 1024, decode_content=True):
                if time.monotonic() > deadline:
                    raise requests.Timeout("the answer took longer than AI_PROVIDER_TIMEOUT")
                size += len(chunk)
                if size > limit:
                    raise ProviderError(reasons.reason(reasons.ANSWER_TOO_LARGE, service=service))
                chunks.append(chunk)
        except urllib3.exceptions.TimeoutError as exc:
            raise requests.Timeout(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
    response._content = b"".join(chunks)  # where requests keeps a body it has read


def _transient_reason(service: str, response: requests.Response) -> str:
    if response.status_code == 429:
        return reasons.reason(reasons.BUSY, service=service)
    if response.status_code == 408:
        return reasons.reason(reasons.TIMED_OUT, service=service)
    return reasons.reason(reasons.SERVER_ERROR, service=service, status=response.status_code)


def error_message_from(response: requests.Response) -> str:
    """The provider's own explanation, from the common JSON error shapes."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(error, str):
            return error
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", ""))
    return ""


def _quota_used_up(response: requests.Response) -> bool:
    if response.status_code != 429:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    error, errors = body.get("error"), body.get("errors")
    if isinstance(error, dict):
        code = error.get("code")
    elif isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
    else:
        return False
    return isinstance(code, str | int) and code in QUOTA_ERROR_CODES


def _client_error_reason(service: str, response: requests.Response) -> str:
    detail = error_message_from(response)[:300]
    if response.status_code == 429:
        fmt = reasons.QUOTA_USED_UP
    elif response.status_code in (401, 403):
        fmt = reasons.BAD_CREDENTIALS
    elif response.status_code == 404:
        fmt = reasons.UNKNOWN_MODEL
    else:
        fmt = reasons.REJECTED
    return reasons.reason(fmt, service=service, status=response.status_code, detail=detail)


def generated_image(data: bytes, *, service: str, seed: int | None, model: str) -> GeneratedImage:
    """Check that the bytes are an image the site accepts (UPLOAD_MAX_PIXELS, from the header)
    and describe them."""
    try:
        image = open_image(io.BytesIO(data), max_pixels=settings.UPLOAD_MAX_PIXELS)
        fmt = (image.format or "").upper()
        width, height = image.size
    except TooManyPixels as exc:
        fmt = reasons.PICTURE_TOO_LARGE if exc.width else reasons.PICTURE_TOO_LARGE_UNSIZED
        raise ProviderError(
            reasons.reason(
                fmt,
                service=service,
                width=exc.width,
                height=exc.height,
                max=megapixels(exc.max_pixels),
            )
        ) from None
    except Exception:
        raise ProviderError(reasons.reason(reasons.NOT_AN_IMAGE, service=service)) from None
    types = {
        "PNG": ("png", "image/png"),
        "JPEG": ("jpg", "image/jpeg"),
        "WEBP": ("webp", "image/webp"),
    }
    if fmt not in types:
        raise ProviderError(reasons.reason(reasons.UNSUPPORTED_FORMAT, service=service, format=fmt))
    ext, content_type = types[fmt]
    return GeneratedImage(
        data=data,
        content_type=content_type,
        ext=ext,
        width=width,
        height=height,
        seed=seed,
        model=model,
    )
