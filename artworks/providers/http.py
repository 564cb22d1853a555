"""What the HTTP providers share: POST with timeouts, retries with exponential backoff on 429
and 5xx (honouring Retry-After), and turning every failure into a ProviderError whose reason
the author can read."""

from __future__ import annotations

import email.utils
import io
import logging
import random
import time
from datetime import UTC, datetime

import requests
from django.conf import settings
from PIL import Image

from .base import GeneratedImage, ProviderError

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 10.0
RETRYABLE_STATUSES = {429, 500, 502, 503, 504, 520, 521, 522, 523, 524}

# Indirection so that tests can observe the waits without sleeping through them.
_sleep = time.sleep


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
    base = settings.AI_PROVIDER_BACKOFF_SECONDS
    return min(MAX_BACKOFF_SECONDS, base * (2**attempt)) * random.uniform(0.8, 1.2)


def post_with_retries(
    url: str,
    *,
    service: str,
    headers: dict[str, str] | None = None,
    json: dict | None = None,
    data: dict | None = None,
    files: dict | None = None,
) -> requests.Response:
    """POST and return a 2xx response, retrying transient failures; raises ProviderError."""
    retries = max(0, settings.AI_PROVIDER_MAX_RETRIES)
    timeout = (
        min(CONNECT_TIMEOUT_SECONDS, settings.AI_PROVIDER_TIMEOUT),
        settings.AI_PROVIDER_TIMEOUT,
    )
    for attempt in range(retries + 1):
        last_attempt = attempt == retries
        try:
            response = requests.post(
                url, headers=headers, json=json, data=data, files=files, timeout=timeout
            )
        except requests.RequestException as exc:
            if last_attempt:
                timed_out = isinstance(exc, requests.Timeout)
                what = "did not answer in time" if timed_out else "could not be reached"
                raise ProviderError(f"{service} {what}. Try again later.", retryable=True) from (
                    None if timed_out else exc
                )
            _sleep(backoff_seconds(attempt))
            continue
        if response.status_code in RETRYABLE_STATUSES:
            if last_attempt:
                raise ProviderError(_transient_reason(service, response), retryable=True)
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            wait = backoff_seconds(attempt) if wait is None else min(wait, MAX_BACKOFF_SECONDS)
            logger.info("%s answered %s; retrying in %.1fs", service, response.status_code, wait)
            _sleep(wait)
            continue
        if response.status_code >= 400:
            raise ProviderError(_client_error_reason(service, response), retryable=False)
        return response
    raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises


def _transient_reason(service: str, response: requests.Response) -> str:
    if response.status_code == 429:
        return f"{service} is busy (too many requests). Try again in a few minutes."
    return f"{service} had an error (HTTP {response.status_code}). Try again later."


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


def _client_error_reason(service: str, response: requests.Response) -> str:
    detail = error_message_from(response)[:300]
    if response.status_code in (401, 403):
        reason = f"{service} refused the credentials (HTTP {response.status_code})."
    elif response.status_code == 404:
        reason = f"{service} does not know this model (HTTP 404)."
    else:
        reason = f"{service} rejected the request (HTTP {response.status_code})."
    return f"{reason} {detail}".strip()


def generated_image(data: bytes, *, service: str, seed: int | None, model: str) -> GeneratedImage:
    """Check that the bytes are an image and describe them."""
    try:
        image = Image.open(io.BytesIO(data))
        fmt = (image.format or "").upper()
        width, height = image.size
    except Exception:
        raise ProviderError(f"{service} returned something that is not an image.") from None
    types = {
        "PNG": ("png", "image/png"),
        "JPEG": ("jpg", "image/jpeg"),
        "WEBP": ("webp", "image/webp"),
    }
    if fmt not in types:
        raise ProviderError(f"{service} returned an image in an unsupported format ({fmt}).")
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
