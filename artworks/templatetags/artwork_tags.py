from django import template

from artworks.selectors import artwork_prompt_visible_to
from artworks.services import generation_can_retry

register = template.Library()


@register.filter
def prompt_visible_to(artwork, user) -> bool:
    """{% if artwork|prompt_visible_to:user %}: the same rule as the API and the feed."""
    return artwork_prompt_visible_to(artwork=artwork, viewer=user)


@register.filter
def can_retry_generation(artwork) -> bool:
    return generation_can_retry(artwork=artwork)


@register.filter
def is_author(artwork, user) -> bool:
    return bool(user and user.is_authenticated and artwork.user_id == user.pk)
