from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from artworks.models import Artwork
from artworks.providers.reasons import reason_shown
from artworks.selectors import artwork_prompt_visible_to
from artworks.services import generation_can_retry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

register = template.Library()


@register.filter
def prompt_visible_to(artwork: Artwork, user: User | AnonymousUser | None) -> bool:
    """{% if artwork|prompt_visible_to:user %}: the same rule as the API and the feed."""
    return artwork_prompt_visible_to(artwork=artwork, viewer=user)


@register.filter
def can_retry_generation(artwork: Artwork) -> bool:
    return generation_can_retry(artwork=artwork)


@register.filter
def failure_reason(stored: str) -> str:
    """{{ artwork.generation_error|failure_reason }}: the stored (English) reason, in the
    reader's language."""
    return reason_shown(stored)


@register.filter
def is_author(artwork: Artwork, user: User | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated and artwork.user_id == user.pk)
