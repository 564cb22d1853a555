"""Cloudflare Workers AI text-to-image over its REST API.

POST {base}/accounts/{account_id}/ai/run/{model} with a JSON body. Stable Diffusion models
answer the image bytes themselves (Content-Type image/png); FLUX models answer JSON
{"success": true, "result": {"image": "<base64>"}}. Errors come as
{"success": false, "errors": [{"code": ..., "message": ...}]}.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.utils.translation import gettext_noop

from . import reasons
from .base import GeneratedImage, GenerationRequest, ProviderError
from .http import generated_image, post_once

SERVICE = gettext_noop("Cloudflare Workers AI")  # translated when a reason is shown
MIN_SIDE, MAX_SIDE = 256, 2048


class WorkersAIProvider:
    name = "workers_ai"

    def __init__(self) -> None:
        self.base_url = settings.WORKERS_AI_BASE_URL.rstrip("/")
        self.account_id = settings.WORKERS_AI_ACCOUNT_ID
        self.token = settings.WORKERS_AI_API_TOKEN
        self.model = settings.WORKERS_AI_MODEL

    def _body(self, request: GenerationRequest) -> dict:
        body: dict = {"prompt": request.prompt}
        if request.seed is not None:
            body["seed"] = request.seed
        if "flux" in self.model:
            return body  # FLUX takes a prompt, steps and a seed only
        body["width"] = max(MIN_SIDE, min(MAX_SIDE, request.width))
        body["height"] = max(MIN_SIDE, min(MAX_SIDE, request.height))
        if request.negative_prompt.strip():
            body["negative_prompt"] = request.negative_prompt.strip()
        if request.reference_image:
            body["image_b64"] = base64.b64encode(request.reference_image).decode()
        return body

    def generate(self, request: GenerationRequest) -> GeneratedImage:
        if not (self.account_id and self.token):
            raise ProviderError(reasons.reason(reasons.NOT_CONFIGURED, service=SERVICE))
        response = post_once(
            f"{self.base_url}/accounts/{self.account_id}/ai/run/{self.model}",
            service=SERVICE,
            headers={"Authorization": f"Bearer {self.token}"},
            json=self._body(request),
        )
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type.startswith("image/"):
            data = response.content
        else:
            try:
                body = response.json()
            except ValueError:
                raise ProviderError(
                    reasons.reason(reasons.ANSWER_UNREADABLE, service=SERVICE)
                ) from None
            if not isinstance(body, dict) or body.get("success") is False:
                errors = body.get("errors") if isinstance(body, dict) else None
                message = ""
                if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                    message = str(errors[0].get("message", ""))[:300]
                raise ProviderError(
                    reasons.reason(reasons.COULD_NOT_MAKE, service=SERVICE, detail=message)
                )
            try:
                data = base64.b64decode(body["result"]["image"], validate=True)
            except (KeyError, TypeError, binascii.Error):
                no_image = reasons.reason(reasons.NO_IMAGE_DATA, service=SERVICE)
                raise ProviderError(no_image) from None
        return generated_image(data, service=SERVICE, seed=request.seed, model=self.model)
