"""The tabs of a member's settings that other apps add (see accounts.registry)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from ..registry import settings_pages

register = template.Library()


@register.simple_tag
def more_settings_tabs() -> list[dict[str, object]]:
    """[{"url", "label", "name"}] for each registered settings page."""
    return [
        {"url": reverse(url_name), "label": label, "name": url_name.rsplit(":", 1)[-1]}
        for url_name, label in settings_pages()
    ]
