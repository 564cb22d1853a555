"""The interface every image generation provider implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    negative_prompt: str = ""
    width: int = 1024
    height: int = 1024
    seed: int | None = None
    reference_image: bytes | None = None


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    content_type: str
    ext: str
    width: int
    height: int
    seed: int | None
    model: str


class ProviderError(Exception):
    """A generation that failed; `reason` is safe to show to the artwork's author.
    `retryable`: a transient failure worth trying again, after `retry_after` seconds when the
    provider said so (Retry-After)."""

    def __init__(
        self, reason: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class ImageProvider(Protocol):
    name: str
    model: str

    def generate(self, request: GenerationRequest) -> GeneratedImage: ...
