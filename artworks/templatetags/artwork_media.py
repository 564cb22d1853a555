"""Artwork images and videos in pages: a <picture> with one typed <source> per thumbnail format
(AVIF, then WebP) over an <img> fallback, a blurred placeholder behind it, and
<video preload="none"> with a poster.

Every format gets its own typed <source>: a browser chooses a source by type first and only then
by width, so one that cannot decode AVIF never picks an AVIF file (listing both formats in one
srcset is invalid and makes the choice by width alone).

The placeholder is a tiny <img> with a data: URI under the real image, not an inline style: the
Content-Security-Policy allows no style attributes (style-src 'self'), and img-src allows data:.

Before the thumbnail task has run, the original file is used instead, so a fresh artwork is
never shown broken."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from artworks.images import (
    MIME_TYPES,
    Thumbnail,
    color_data_uri,
    fallback_thumbnails,
    storage_url,
    thumbnails_by_format,
)
from artworks.models import Artwork

register = template.Library()

# Slot widths per layout, from static/css/app.css. Container: at most 1440px with a gutter of
# clamp(1rem, 3vw, 2rem) each side; grid gaps of up to 1.25rem.
# .grid (profile, "more from"): 2 columns on phones, 3 from 600px, 4 from 900px, 5 from 1200px.
GRID_SIZES = (
    "(min-width: 1440px) 260px, (min-width: 1200px) calc((100vw - 144px) / 5), "
    "(min-width: 900px) calc((100vw - 124px) / 4), (min-width: 600px) calc((100vw - 80px) / 3), "
    "calc(50vw - 24px)"
)
# The feed's grid sits beside a 232px sidebar (+ 2rem gap) from 1024px: 3 columns up to
# 1199px, 4 up to 1499px, then 5 in the 1440px container.
FEED_SIZES = (
    "(min-width: 1500px) 220px, (min-width: 1200px) calc((100vw - 388px) / 4), "
    "(min-width: 1024px) calc((100vw - 368px) / 3), (min-width: 600px) calc((100vw - 80px) / 3), "
    "calc(50vw - 24px)"
)
# The artwork page's stage: the container's width, less the 380px panel from 1100px.
DETAIL_SIZES = (
    "(min-width: 1440px) 960px, (min-width: 1100px) calc(100vw - 480px), calc(100vw - 32px)"
)
# A strip's columns: minmax(150px, 45vw) on phones, 240px from 900px.
STRIP_SIZES = "(min-width: 900px) 240px, max(150px, 45vw)"
SIZES = {"grid": GRID_SIZES, "feed": FEED_SIZES, "detail": DETAIL_SIZES, "strip": STRIP_SIZES}


@register.simple_tag
def artwork_alt(artwork: Artwork) -> str:
    return artwork.alt_text or artwork.title


def _placeholder_src(artwork: Artwork) -> str:
    """The blurred preview as a data: URI, else the dominant colour as a one-pixel SVG."""
    if artwork.placeholder_data and artwork.placeholder_data.startswith("data:image/"):
        # Made by the media task from Pillow output: base64, no quotes.
        return artwork.placeholder_data
    return color_data_uri(artwork.placeholder_color or "")


def _placeholder(artwork: Artwork) -> SafeString:
    src = _placeholder_src(artwork)
    if not src:
        return SafeString("")
    # Decorative (alt=""), never lazy: it must be there before the real image.
    return format_html('<img class="media-placeholder" src="{}" alt="">', src)


def _srcset(thumbs: list[Thumbnail]) -> str:
    return ", ".join(f"{storage_url(t['name'])} {int(t['width'])}w" for t in thumbs)


def _fallback(groups: dict[str, list[Thumbnail]]) -> Thumbnail:
    """The <img src>: a middle width (not the smallest: it is upscaled on wide screens) of the
    most widely decodable format."""
    thumbs = fallback_thumbnails(groups)
    return thumbs[min(1, len(thumbs) - 1)]


def _frame(css_class: str, inner: SafeString, placeholder: SafeString) -> SafeString:
    classes = f"media-frame {css_class}".strip()
    return format_html('<span class="{}">{}{}</span>', classes, placeholder, inner)


@register.simple_tag
def artwork_img(
    artwork: Artwork,
    sizes: str = "grid",
    eager: bool = False,
    css_class: str = "",
    priority: bool = False,
    animate: bool = False,
) -> SafeString:
    """The artwork's still image. `sizes` names a layout (grid, feed, detail, strip) or is a
    sizes value; `eager` for the first row (above the fold), lazy below; `priority` adds
    fetchpriority=high for a page's main image; `animate`: an animated upload is shown as
    its original, which moves (its thumbnails are stills)."""
    sizes_value = SIZES.get(sizes, sizes)
    groups = {} if animate and artwork.animated else thumbnails_by_format(artwork)
    sources: list[tuple[str, str]] = []
    if groups:
        all_thumbs = [t for thumbs in groups.values() for t in thumbs]
        largest = max(all_thumbs, key=lambda t: int(t["width"]))
        src = storage_url(_fallback(groups)["name"])
        width, height = int(largest["width"]), int(largest.get("height") or 0) or None
        sources = [(MIME_TYPES[fmt], _srcset(thumbs)) for fmt, thumbs in groups.items()]
    elif artwork.kind == Artwork.Kind.VIDEO:
        src, width, height = storage_url(artwork.poster), artwork.width, artwork.height
    else:
        src, width, height = artwork.url, artwork.width, artwork.height

    placeholder = _placeholder(artwork)
    if not src:
        # Nothing to show yet (a video without poster): a sized box over the placeholder.
        pending = format_html(
            '<span class="media-pending" role="img" aria-label="{}"></span>', artwork_alt(artwork)
        )
        return _frame(css_class, pending, placeholder)

    attrs: list[tuple[str, object]] = [("src", src), ("alt", artwork_alt(artwork))]
    if width and height:
        attrs += [("width", width), ("height", height)]
    attrs += [("loading", "eager" if eager else "lazy"), ("decoding", "auto" if eager else "async")]
    if priority:
        attrs.append(("fetchpriority", "high"))
    img = format_html("<img{}>", format_html_join("", ' {}="{}"', attrs))
    if not sources:
        return _frame(css_class, img, placeholder)
    source_tags = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((mime, srcset, sizes_value) for mime, srcset in sources),
    )
    return _frame(css_class, format_html("<picture>{}{}</picture>", source_tags, img), placeholder)


@register.simple_tag
def artwork_video(artwork: Artwork, css_class: str = "") -> SafeString:
    """A video that downloads nothing until played, with its poster frame."""
    poster = storage_url(artwork.poster)
    if not poster:
        groups = thumbnails_by_format(artwork)
        if groups:
            poster = storage_url(fallback_thumbnails(groups)[-1]["name"])
    attrs: list[tuple[str, object]] = [("preload", "none")]
    if poster:
        attrs.append(("poster", poster))
    if artwork.width and artwork.height:
        attrs += [("width", artwork.width), ("height", artwork.height)]
    attrs.append(("aria-label", artwork_alt(artwork)))
    video = format_html(
        '<video controls playsinline{}><source src="{}"{}><a href="{}">{}</a></video>',
        format_html_join("", ' {}="{}"', attrs),
        artwork.url,
        format_html(' type="{}"', artwork.content_type) if artwork.content_type else "",
        artwork.url,
        artwork_alt(artwork),
    )
    return _frame(css_class, video, _placeholder(artwork))
