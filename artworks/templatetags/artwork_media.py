"""Artwork images and videos in pages: responsive <img> over the stored thumbnails, a
dominant-colour / blurred placeholder behind them, and <video preload="none"> with a poster.

Before the thumbnail task has run, the original file is used instead, so a fresh artwork is
never shown broken."""

from __future__ import annotations

from django import template
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from artworks.models import Artwork
from common.seo import absolute_url

register = template.Library()

# The grid's column widths (see static/css/app.css .grid): 2 columns on phones, up to 5.
GRID_SIZES = (
    "(min-width: 1440px) 272px, (min-width: 1200px) 20vw, (min-width: 900px) 25vw, "
    "(min-width: 600px) 33vw, 50vw"
)
DETAIL_SIZES = "(min-width: 1100px) 60vw, 100vw"
STRIP_SIZES = "(min-width: 900px) 240px, 45vw"


def _thumbnails(artwork: Artwork) -> list[dict]:
    thumbs = [t for t in (artwork.thumbnails or []) if t.get("name") and t.get("width")]
    return sorted(thumbs, key=lambda t: int(t["width"]))


def _storage_url(name: str) -> str:
    return default_storage.url(name) if name else ""


@register.simple_tag
def artwork_alt(artwork: Artwork) -> str:
    return artwork.alt_text or artwork.title


def _placeholder_style(artwork: Artwork) -> str:
    parts = []
    if artwork.placeholder_color:
        parts.append(f"background-color:{artwork.placeholder_color}")
    if artwork.placeholder_data and artwork.placeholder_data.startswith("data:image/"):
        # The data URI is made by the media task from Pillow output: base64, no quotes.
        parts.append(f"background-image:url({artwork.placeholder_data})")
    return ";".join(parts)


def _image_source(artwork: Artwork) -> tuple[str, str, int | None, int | None]:
    """(src, srcset, width, height) for the still image of an artwork: the thumbnails when
    ready, else a video's poster, else the original image."""
    thumbs = _thumbnails(artwork)
    if thumbs:
        largest = thumbs[-1]
        srcset = ", ".join(f"{_storage_url(t['name'])} {int(t['width'])}w" for t in thumbs)
        middle = thumbs[min(1, len(thumbs) - 1)]
        return (
            _storage_url(middle["name"]),
            srcset,
            int(largest["width"]),
            int(largest["height"]),
        )
    if artwork.kind == Artwork.Kind.VIDEO:
        return _storage_url(artwork.poster), "", artwork.width, artwork.height
    return artwork.url, "", artwork.width, artwork.height


@register.simple_tag
def artwork_img(
    artwork: Artwork,
    sizes: str = "grid",
    eager: bool = False,
    css_class: str = "",
    priority: bool = False,
) -> SafeString:
    """The artwork's still image. `eager` for the first row (above the fold), lazy below;
    `priority` adds fetchpriority=high for a page's main image."""
    src, srcset, width, height = _image_source(artwork)
    sizes_value = {"grid": GRID_SIZES, "detail": DETAIL_SIZES, "strip": STRIP_SIZES}.get(
        sizes, sizes
    )
    attrs: list[tuple[str, object]] = [("src", src)]
    if srcset:
        attrs += [("srcset", srcset), ("sizes", sizes_value)]
    attrs.append(("alt", artwork_alt(artwork)))
    if width and height:
        attrs += [("width", width), ("height", height)]
    attrs += [("loading", "eager" if eager else "lazy"), ("decoding", "auto" if eager else "async")]
    if priority:
        attrs.append(("fetchpriority", "high"))
    if css_class:
        attrs.append(("class", css_class))
    style = _placeholder_style(artwork)
    if style:
        attrs.append(("style", style))
    if not src:
        # Nothing to show yet (a video without poster): a sized, coloured box keeps the layout.
        return format_html(
            '<span class="media-pending {}" role="img" aria-label="{}"{}></span>',
            css_class,
            artwork_alt(artwork),
            format_html(' style="{}"', style) if style else "",
        )
    return format_html("<img{}>", format_html_join("", ' {}="{}"', attrs))


@register.simple_tag
def artwork_video(artwork: Artwork, css_class: str = "") -> SafeString:
    """A video that downloads nothing until played, with its poster frame."""
    poster = _storage_url(artwork.poster)
    if not poster:
        thumbs = _thumbnails(artwork)
        poster = _storage_url(thumbs[-1]["name"]) if thumbs else ""
    attrs: list[tuple[str, object]] = [("preload", "none")]
    if poster:
        attrs.append(("poster", poster))
    if artwork.width and artwork.height:
        attrs += [("width", artwork.width), ("height", artwork.height)]
    if css_class:
        attrs.append(("class", css_class))
    style = _placeholder_style(artwork)
    if style:
        attrs.append(("style", style))
    attrs.append(("aria-label", artwork_alt(artwork)))
    return format_html(
        '<video controls playsinline{}><source src="{}"{}><a href="{}">{}</a></video>',
        format_html_join("", ' {}="{}"', attrs),
        artwork.url,
        format_html(' type="{}"', artwork.content_type) if artwork.content_type else "",
        artwork.url,
        artwork_alt(artwork),
    )


def artwork_image_url(
    artwork: Artwork, *, min_width: int = 1200
) -> tuple[str, int | None, int | None]:
    """(absolute URL, width, height) of the best still image for link previews: the smallest
    thumbnail at least `min_width` wide, else the largest one, else the poster or original."""
    thumbs = _thumbnails(artwork)
    if thumbs:
        chosen = next((t for t in thumbs if int(t["width"]) >= min_width), thumbs[-1])
        return (
            absolute_url(_storage_url(chosen["name"])),
            int(chosen["width"]),
            int(chosen["height"]),
        )
    if artwork.kind == Artwork.Kind.VIDEO:
        return absolute_url(_storage_url(artwork.poster)), artwork.width, artwork.height
    return absolute_url(artwork.url), artwork.width, artwork.height


@register.simple_tag
def artwork_image_absolute_url(artwork: Artwork) -> str:
    return artwork_image_url(artwork)[0]
