"""An OpenAI-compatible Images API client (OpenAI, or any server speaking the same API).

Text to image: POST {base}/images/generations (JSON) → {"data": [{"b64_json": ...}]}.
With a reference image: POST {base}/images/edits (multipart, field "image").
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.utils.translation import gettext_noop

from . import reasons
from .base import GeneratedImage, GenerationRequest, ProviderError
from .http import generated_image, post_once

SERVICE = gettext_noop("The OpenAI-compatible image service")  # translated when a reason is shown

# Models that accept only a few sizes: the requested aspect ratio picks the nearest one.
FIXED_SIZES = {
    "gpt-image": ((1024, 1024), (1536, 1024), (1024, 1536)),
    "dall-e-3": ((1024, 1024), (1792, 1024), (1024, 1792)),
    "dall-e-2": ((256, 256), (512, 512), (1024, 1024)),
}


def api_size(model: str, width: int, height: int) -> str:
    for prefix, sizes in FIXED_SIZES.items():
        if model.startswith(prefix):
            if prefix == "dall-e-2":
                side = min(sizes, key=lambda s: abs(s[0] - max(width, height)))[0]
                return f"{side}x{side}"
            ratio = width / height
            best = min(sizes, key=lambda s: abs(s[0] / s[1] - ratio))
            return f"{best[0]}x{best[1]}"
    return f"{width}x{height}"


class OpenAIProvider:
    name = "openai"

    def __init__(self) -> None:
        self.base_url = settings.OPENAI_BASE_URL.rstrip("/")
        self.api_key = settings.OPENAI_API_KEY
        self.model = settings.OPENAI_IMAGE_MODEL

    def _headers(self) -> dict[str, str]:
        # Local compatible servers often need no key; OpenAI itself answers 401 without one.
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _prompt(self, request: GenerationRequest) -> str:
        # The Images API has no negative prompt; say it in words instead.
        if request.negative_prompt.strip():
            return f"{request.prompt}\n\nAvoid: {request.negative_prompt.strip()}"
        return request.prompt

    def generate(self, request: GenerationRequest) -> GeneratedImage:
        fields: dict = {
            "model": self.model,
            "prompt": self._prompt(request),
            "n": 1,
            "size": api_size(self.model, request.width, request.height),
        }
        # gpt-image models always answer base64 and reject the parameter; others need it.
        if not self.model.startswith("gpt-image"):
            fields["response_format"] = "b64_json"
        if request.reference_image:
            response = post_once(
                f"{self.base_url}/images/edits",
                service=SERVICE,
                headers=self._headers(),
                data={k: str(v) for k, v in fields.items()},
                files={"image": ("reference.png", request.reference_image, "image/png")},
            )
        else:
            response = post_once(
                f"{self.base_url}/images/generations",
                service=SERVICE,
                headers=self._headers(),
                json=fields,
            )
        try:
            encoded = response.json()["data"][0]["b64_json"]
            data = base64.b64decode(encoded, validate=True)
        except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
            raise ProviderError(reasons.reason(reasons.NO_IMAGE_DATA, service=SERVICE)) from None
        # The API takes no seed: nothing to record.
        return generated_image(data, service=SERVICE, seed=None, model=self.model)
