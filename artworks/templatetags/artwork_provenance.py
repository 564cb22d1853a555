"""Where an artwork comes from, on its page: the content credentials of an upload."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Artwork
from ..provenance import credentials_display

register = template.Library()


@register.simple_tag
def content_credentials(artwork: Artwork) -> dict[str, Any] | None:
    """`{% content_credentials artwork as credentials %}`: what the page shows of them, or
    None when the upload carried none."""
    return credentials_display(artwork.content_credentials or {})
