"""The site's icons: each is a <symbol> in static/icons/sprite.svg, drawn inline by
`components/icon.html` (a page makes no extra request for them, and the page's CSS styles
them, which an external `<use href>` would not allow)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString

SPRITE = "icons/sprite.svg"
_SYMBOL = re.compile(r'<symbol id="([\w-]+)"[^>]*>(.*?)</symbol>', re.DOTALL)
_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACE = re.compile(r"\s+")

register = template.Library()


def _fold(markup: str) -> str:
    """The symbol's readable source as one line: no space between its elements, and path
    data wrapped over lines (at spaces) put back together."""
    return _SPACE.sub(" ", _BETWEEN_TAGS.sub("><", markup.strip()))


@cache
def icon_shapes_by_name() -> dict[str, SafeString]:
    """{icon name: the SVG elements inside its symbol}, read from the sprite once per process
    (the sprite is part of the code: a changed icon needs a restart, like a changed module)."""
    path = finders.find(SPRITE)
    if not isinstance(path, str):
        raise template.TemplateSyntaxError(f"the icon sprite static/{SPRITE} is missing")
    text = Path(path).read_text(encoding="utf-8")
    return {name: SafeString(_fold(body)) for name, body in _SYMBOL.findall(text)}


@register.simple_tag
def icon_shapes(name: str) -> SafeString:
    """The shapes of icon `name`; nothing for an unknown name (an empty icon, not an error)."""
    return icon_shapes_by_name().get(name, SafeString(""))
