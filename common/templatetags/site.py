"""Tags shared by every page: the SEO <head>, JSON-LD, avatars and compact numbers."""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import translation
from django.utils.safestring import SafeString

from common.seo import LANG_PARAM, PageMeta, jsonld_script

register = template.Library()


@register.inclusion_tag("components/seo.html", takes_context=True)
def seo_head(context: template.Context, meta: PageMeta | None) -> dict:
    return {
        "meta": meta,
        "canonical": meta and _canonical(meta, context.get("request")),
        "SITE_NAME": context.get("SITE_NAME", ""),
        "LANGUAGE_CODE": translation.get_language(),
    }


def _canonical(meta: PageMeta, request: HttpRequest | None) -> str:
    """A page asked for at one language's address (?lang=, which its hreflang link names) is
    that address's own page: search engines drop an alternate whose canonical is another."""
    query = request.META.get("QUERY_STRING", "") if request is not None else ""
    code = request.GET.get(LANG_PARAM, "").lower() if query else ""
    return dict(meta.alternates()).get(code, meta.canonical) if code else meta.canonical


@register.filter
def jsonld(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    return jsonld_script(data)


@register.filter
def initials(name: str) -> str:
    """One or two letters for an avatar without a picture (one CJK character)."""
    words = [w for w in (name or "").replace("_", " ").replace("-", " ").split() if w]
    if not words:
        return "?"
    first = words[0][0]
    if ord(first) > 0x2E80:  # CJK: one character reads as a name
        return first
    return (first + (words[1][0] if len(words) > 1 else "")).upper()


@register.filter
def avatar_hue(key: str) -> int:
    """A stable hue class (0–23, the `avatar-hue-N` classes of app.css, 15° apart) per user, so
    a letter avatar keeps its colour everywhere. Classes, not a style attribute: the CSP allows
    no inline styles."""
    return zlib.crc32((key or "").encode()) % 24


# Chinese counts in 万 (10⁴) and 亿 (10⁸), as Chinese readers count; English in thousands.
COMPACT_UNITS = {
    "en": ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")),
    "zh": ((100_000_000, "亿"), (10_000, "万")),
}


@register.filter
def compact(value: int | None) -> str:
    """1234 → 1.2k, 2500000 → 2.5M (in Chinese 12345 → 1.2万): counts on cards stay short."""
    n = int(value or 0)
    units = COMPACT_UNITS["zh" if (translation.get_language() or "").startswith("zh") else "en"]
    for size, suffix in units:
        if n >= size:
            text = f"{n / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return str(n)


@register.filter
def without_lang(full_path: str) -> str:
    """The current path without `?lang=`: where the language switcher returns to, so that the
    chosen language is not overridden by the URL."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from common.seo import LANG_PARAM

    parts = urlsplit(full_path or "/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LANG_PARAM]
    return urlunsplit(("", "", parts.path or "/", urlencode(query), ""))


@register.filter
def at_most(counter: int, limit: int) -> bool:
    """`forloop.counter|at_most:5`: true for the first five items (e.g. the eager first row)."""
    return int(counter) <= int(limit)
