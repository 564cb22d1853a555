"""The HTTP providers against a local server speaking their documented wire formats:
success, 429, 500, timeout, malformed body. A provider makes one request per attempt and
never sleeps: a transient failure is `retryable` (with the provider's Retry-After), and the
task retries it later (tests/artworks/test_generation_retries.py)."""

from __future__ import annotations

import base64
import io
import time
from dataclasses import replace

import pytest
from PIL import Image

from artworks.providers import ProviderError, get_provider
from artworks.providers import http as provider_http
from artworks.providers.base import GenerationRequest
from tests.artworks.fake_http import FakeServer, Reply
from tests.artworks.samples import image_bytes

PNG = image_bytes("PNG", size=(64, 32))


@pytest.fixture
def server():
    srv = FakeServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def waits(monkeypatch):
    """Sleeps of the test's own thread (the provider's), recorded: there must be none, the
    retries are the task's, later. (The fake server's threads still sleep for real.)"""
    import threading
    import time

    recorded: list[float] = []
    real_sleep, caller = time.sleep, threading.current_thread()

    def sleep(seconds):
        if threading.current_thread() is caller:
            recorded.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    yield recorded
    assert recorded == [], "a provider slept instead of leaving the retry to the task"


@pytest.fixture
def openai(settings, server):
    settings.AI_PROVIDER = "openai"
    settings.OPENAI_BASE_URL = server.url + "/v1"
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_IMAGE_MODEL = "dall-e-3"
    settings.AI_PROVIDER_MAX_RETRIES = 2
    settings.AI_PROVIDER_TIMEOUT = 5
    return get_provider()


@pytest.fixture
def workers_ai(settings, server):
    settings.AI_PROVIDER = "workers_ai"
    settings.WORKERS_AI_BASE_URL = server.url + "/client/v4"
    settings.WORKERS_AI_ACCOUNT_ID = "acc123"
    settings.WORKERS_AI_API_TOKEN = "cf-token"
    settings.WORKERS_AI_MODEL = "@cf/stabilityai/stable-diffusion-xl-base-1.0"
    settings.AI_PROVIDER_MAX_RETRIES = 2
    settings.AI_PROVIDER_TIMEOUT = 5
    return get_provider()


def openai_ok() -> Reply:
    return Reply(200, {"created": 1, "data": [{"b64_json": base64.b64encode(PNG).decode()}]})


REQUEST = GenerationRequest(prompt="a lighthouse", negative_prompt="people", width=1344, height=768)


# --- OpenAI-compatible Images API -----------------------------------------------------------


def test_openai_success_sends_the_documented_request(openai, server, waits):
    server.replies = [openai_ok()]
    image = openai.generate(REQUEST)
    assert (image.ext, image.content_type, image.width, image.height) == (
        "png",
        "image/png",
        64,
        32,
    )
    assert image.model == "dall-e-3"
    assert Image.open(io.BytesIO(image.data)).size == (64, 32)
    seen = server.requests[0]
    assert seen.path == "/v1/images/generations"
    assert seen.headers["authorization"] == "Bearer sk-test"
    body = seen.json()
    assert body["model"] == "dall-e-3"
    assert body["n"] == 1
    assert body["size"] == "1792x1024"  # nearest size dall-e-3 accepts for 16:9
    assert body["response_format"] == "b64_json"
    assert body["prompt"].startswith("a lighthouse") and "people" in body["prompt"]
    assert waits == []


def test_openai_gpt_image_models_get_no_response_format(openai, server, settings):
    settings.OPENAI_IMAGE_MODEL = "gpt-image-1"
    server.replies = [openai_ok()]
    get_provider().generate(REQUEST)
    body = server.requests[0].json()
    assert "response_format" not in body
    assert body["size"] == "1536x1024"


def test_openai_reference_image_goes_to_the_edits_endpoint(openai, server):
    server.replies = [openai_ok()]
    openai.generate(GenerationRequest(prompt="make it blue", reference_image=PNG))
    seen = server.requests[0]
    assert seen.path == "/v1/images/edits"
    assert seen.headers["content-type"].startswith("multipart/form-data")
    assert b'name="image"' in seen.body and PNG in seen.body


def test_openai_429_is_retryable_and_carries_retry_after(openai, server, waits):
    server.replies = [
        Reply(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "7"}),
        openai_ok(),
    ]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert len(server.requests) == 1  # one request per attempt, no sleeping
    assert info.value.retryable is True
    assert info.value.retry_after == 7.0
    assert "too many requests" in info.value.reason
    assert 7.0 <= provider_http.retry_delay(info.value, attempt=0) <= 8.0
    assert openai.generate(REQUEST).width == 64  # the next attempt succeeds


def test_openai_500_is_retryable_with_exponential_backoff(openai, server, waits, settings):
    settings.AI_PROVIDER_BACKOFF_SECONDS = 1.0
    server.replies = [Reply(500, {"error": {"message": "boom"}})]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert len(server.requests) == 1
    assert info.value.retryable is True
    assert info.value.retry_after is None
    assert "HTTP 500" in info.value.reason
    delays = [provider_http.retry_delay(info.value, attempt=n) for n in range(3)]
    assert 0.8 <= delays[0] <= 1.2 and 1.6 <= delays[1] <= 2.4 and 3.2 <= delays[2] <= 4.8
    # Capped at a minute, whatever the attempt or the Retry-After.
    assert provider_http.retry_delay(info.value, attempt=30) <= 72
    assert provider_http.retry_delay(ProviderError("x", retry_after=3600), attempt=0) <= 61


def test_openai_timeout_fails_with_a_clear_reason(openai, server, waits, settings):
    settings.AI_PROVIDER_TIMEOUT = 0.3
    server.replies = [Reply(200, {}, delay=1.5)]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert "did not answer in time" in info.value.reason
    assert info.value.retryable is True
    assert len(server.requests) == 1


@pytest.mark.parametrize("trickle", [0.05, 1.0], ids=["each byte in time", "a byte too late"])
def test_openai_answer_trickling_past_the_timeout_fails_in_time(
    openai, server, waits, settings, trickle
):
    """The timeout bounds the whole answer, not only each wait for its next bytes: a provider
    that sends one byte at a time, each within the timeout, must not hold the generation (and
    its worker) for ever; one that stops in the middle of its answer timed out too."""
    settings.AI_PROVIDER_TIMEOUT = 0.5
    server.replies = [replace(openai_ok(), trickle=trickle)]  # some 170 bytes: over 8 s
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert time.monotonic() - started < 2
    assert "did not answer in time" in info.value.reason
    assert info.value.retryable is True


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"<html>Bad gateway</html>", {"Content-Type": "text/html"}),
        Reply(200, {"data": []}),
        Reply(200, {"data": [{"b64_json": "***not base64***"}]}),
        Reply(200, {"data": [{"b64_json": base64.b64encode(b"not an image").decode()}]}),
    ],
    ids=["html", "no data", "bad base64", "not an image"],
)
def test_openai_malformed_body_fails_with_a_clear_reason(openai, server, reply):
    server.replies = [reply]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert info.value.retryable is False
    assert "image" in info.value.reason


@pytest.mark.parametrize("pillow_backstop", [False, True], ids=["over the limit", "a bomb"])
def test_openai_image_over_the_pixel_limit_says_it_is_too_large(
    openai, server, settings, monkeypatch, pillow_backstop
):
    """A picture larger than the site accepts (UPLOAD_MAX_PIXELS) is refused as too large,
    with its size and the limit, even beyond Pillow's own backstop: not as 'not an image' or
    'could not be read', which sends the self-hoster looking for a broken provider."""
    settings.UPLOAD_MAX_PIXELS = 1000  # the answer is 64 × 32
    if pillow_backstop:
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)
    server.replies = [openai_ok()]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert "larger than this site accepts (at most 0.001 megapixels)" in info.value.reason
    assert ("64 × 32" in info.value.reason) is not pillow_backstop
    assert info.value.retryable is False


def test_openai_answer_larger_than_any_image_the_site_accepts_is_refused(openai, server, settings):
    """An answer is read only up to the base64 of the largest image the site accepts
    (UPLOAD_MAX_IMAGE_BYTES) and a little JSON around it: a provider or proxy that sends
    hundreds of megabytes must not take the worker's memory with it."""
    settings.UPLOAD_MAX_IMAGE_BYTES = 1000
    server.replies = [Reply(200, {"data": [{"b64_json": "A" * 200_000}]})]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert info.value.reason == (
        "The OpenAI-compatible image service sent an answer larger than this site accepts."
    )
    assert info.value.retryable is False


@pytest.mark.parametrize(
    ("provider_name", "body"),
    [
        (
            "openai",
            {"error": {"code": "insufficient_quota", "message": "You exceeded your quota."}},
        ),
        (
            "workers_ai",
            {"success": False, "errors": [{"code": 3036, "message": "You exceeded your quota."}]},
        ),
    ],
    ids=["openai insufficient_quota", "workers ai account limited"],
)
def test_a_429_for_a_used_up_quota_is_not_retried_and_says_why(
    request, server, waits, provider_name, body
):
    """Both services answer a used-up quota (OpenAI's billing, Workers AI's daily allocation)
    with 429, which no retry within minutes helps: it fails at once, with their explanation,
    rather than three times as 'busy, try again in a few minutes'."""
    provider = request.getfixturevalue(provider_name)
    server.replies = [Reply(429, body)]
    with pytest.raises(ProviderError) as info:
        provider.generate(REQUEST)
    assert info.value.retryable is False
    assert info.value.reason.endswith("quota is used up (HTTP 429). You exceeded your quota.")


def test_openai_client_errors_are_not_retried_and_explain_themselves(openai, server, waits):
    server.replies = [
        Reply(400, {"error": {"message": "Your prompt was rejected by the safety system."}})
    ]
    with pytest.raises(ProviderError) as info:
        openai.generate(REQUEST)
    assert len(server.requests) == 1
    assert "safety system" in info.value.reason
    assert "HTTP 400" in info.value.reason


def test_openai_bad_key_says_so(openai, server):
    server.replies = [Reply(401, {"error": {"message": "Incorrect API key provided"}})]
    with pytest.raises(ProviderError, match="refused the credentials"):
        openai.generate(REQUEST)


# --- Cloudflare Workers AI --------------------------------------------------------------------


def test_workers_ai_success_with_binary_png(workers_ai, server, waits):
    server.replies = [Reply(200, PNG, {"Content-Type": "image/png"})]
    image = workers_ai.generate(
        GenerationRequest(prompt="a fox", negative_prompt="blur", width=1024, height=768, seed=42)
    )
    assert (image.ext, image.width, image.height, image.seed) == ("png", 64, 32, 42)
    assert image.model == "@cf/stabilityai/stable-diffusion-xl-base-1.0"
    seen = server.requests[0]
    assert (
        seen.path
        == "/client/v4/accounts/acc123/ai/run/@cf/stabilityai/stable-diffusion-xl-base-1.0"
    )
    assert seen.headers["authorization"] == "Bearer cf-token"
    assert seen.json() == {
        "prompt": "a fox",
        "negative_prompt": "blur",
        "width": 1024,
        "height": 768,
        "seed": 42,
    }


def test_workers_ai_success_with_json_base64_flux(workers_ai, server, settings):
    settings.WORKERS_AI_MODEL = "@cf/black-forest-labs/flux-1-schnell"
    jpeg = image_bytes("JPEG", size=(48, 48))
    server.replies = [
        Reply(
            200,
            {
                "result": {"image": base64.b64encode(jpeg).decode()},
                "success": True,
                "errors": [],
                "messages": [],
            },
        )
    ]
    image = get_provider().generate(GenerationRequest(prompt="a fox", width=1024, height=1024))
    assert (image.ext, image.content_type, image.width) == ("jpg", "image/jpeg", 48)
    assert server.requests[0].json() == {"prompt": "a fox"}  # FLUX takes no size


def test_workers_ai_429_is_retryable(workers_ai, server, waits):
    server.replies = [
        Reply(429, {"success": False, "errors": [{"code": 3040, "message": "Capacity"}]}),
        Reply(200, PNG, {"Content-Type": "image/png"}),
    ]
    with pytest.raises(ProviderError) as info:
        workers_ai.generate(REQUEST)
    assert info.value.retryable is True
    assert workers_ai.generate(REQUEST).width == 64
    assert len(server.requests) == 2


def test_workers_ai_500_is_retryable(workers_ai, server, waits):
    server.replies = [Reply(500, {"success": False, "errors": []})]
    with pytest.raises(ProviderError, match="HTTP 500") as info:
        workers_ai.generate(REQUEST)
    assert info.value.retryable is True
    assert len(server.requests) == 1


@pytest.mark.parametrize("code", [3007, 3008], ids=["timeout", "aborted"])
def test_workers_ai_408_is_a_timeout_and_retryable(workers_ai, server, waits, code):
    """Workers AI answers its own timeouts and aborted requests with 408 (its error table):
    transient, to be tried again, not a refusal of the request."""
    server.replies = [Reply(408, {"success": False, "errors": [{"code": code, "message": "x"}]})]
    with pytest.raises(ProviderError) as info:
        workers_ai.generate(REQUEST)
    assert info.value.retryable is True
    assert info.value.reason == "Cloudflare Workers AI did not answer in time. Try again later."


def test_workers_ai_timeout(workers_ai, server, waits, settings):
    settings.AI_PROVIDER_TIMEOUT = 0.3
    settings.AI_PROVIDER_MAX_RETRIES = 0
    server.replies = [Reply(200, PNG, {"Content-Type": "image/png"}, delay=1.5)]
    with pytest.raises(ProviderError, match="did not answer in time"):
        workers_ai.generate(REQUEST)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"{not json", {"Content-Type": "application/json"}),
        Reply(200, {"success": True, "result": {}}),
        Reply(200, b"garbage", {"Content-Type": "image/png"}),
    ],
    ids=["not json", "no image", "not an image"],
)
def test_workers_ai_malformed_body(workers_ai, server, reply):
    server.replies = [reply]
    with pytest.raises(ProviderError) as info:
        workers_ai.generate(REQUEST)
    assert "Workers AI" in info.value.reason


def test_workers_ai_reports_its_error_message(workers_ai, server):
    server.replies = [
        Reply(200, {"success": False, "errors": [{"code": 5006, "message": "Input is NSFW"}]})
    ]
    with pytest.raises(ProviderError, match="Input is NSFW"):
        workers_ai.generate(REQUEST)


def test_workers_ai_without_credentials_says_what_to_set(settings):
    settings.AI_PROVIDER = "workers_ai"
    settings.WORKERS_AI_ACCOUNT_ID = ""
    with pytest.raises(ProviderError, match="WORKERS_AI_ACCOUNT_ID"):
        get_provider().generate(REQUEST)


def test_retry_after_accepts_an_http_date():
    assert provider_http.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert provider_http.retry_after_seconds("12") == 12.0
    assert provider_http.retry_after_seconds("soon") is None
