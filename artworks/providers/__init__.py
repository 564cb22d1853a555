"""Generation providers, chosen by settings.AI_PROVIDER."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import GeneratedImage, GenerationRequest, ImageProvider, ProviderError
from .offline import OfflineProvider
from .openai import OpenAIProvider
from .workers_ai import WorkersAIProvider

_REGISTRY: dict[str, Callable[[], ImageProvider]] = {
    "offline": OfflineProvider,
    "openai": OpenAIProvider,
    "workers_ai": WorkersAIProvider,
}


def register_provider(name: str, factory: Callable[[], ImageProvider]) -> None:
    _REGISTRY[name] = factory


def provider_names() -> list[str]:
    return sorted(_REGISTRY)


def get_provider(name: str | None = None) -> ImageProvider:
    name = name or settings.AI_PROVIDER
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown AI_PROVIDER {name!r}; choose one of: {', '.join(provider_names())}."
        ) from None
    return factory()


__all__ = [
    "GeneratedImage",
    "GenerationRequest",
    "ImageProvider",
    "ProviderError",
    "get_provider",
    "provider_names",
    "register_provider",
]
