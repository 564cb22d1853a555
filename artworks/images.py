"""Which stored picture of an artwork is shown where. Every choice of a thumbnail is made here:
the formats a page offers (best first), the <img> fallback, the one image of a link preview or
an image sitemap, the admin's small preview; and the URL of any stored file.

Thumbnails are the `{"width", "height", "format", "name"}` entries the media task stores in
`Artwork.thumbnails`; before it has run there are none, and the original (or a video's poster)
stands in."""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.core.files.storage import FileSystemStorage, default_storage

from common.seo import absolute_url
from common.setting_memos import cleared_on_change
from common.storage import is_private_bucket

from .models import Artwork

Thumbnail = dict[str, object]

# Best first: a browser takes the first <source> whose type it can decode.
FORMAT_ORDER = ("avif", "webp", "jpeg", "jpg", "png")
MIME_TYPES = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
}
# The <img> fallback: the most widely decodable format available.
FALLBACK_ORDER = ("jpeg", "jpg", "png", "webp", "avif")


def storage_url(name: str) -> str:
    """The URL of a stored file ("" for no file). A list page or API page builds a hundred of
    them; where the storage's URLs depend on the name alone (local files, our private bucket
    behind the media view) they are remembered per process."""
    if not name:
        return ""
    if isinstance(default_storage, FileSystemStorage) or is_private_bucket(default_storage):
        return _stable_url(name)
    return default_storage.url(name)


@cleared_on_change("MEDIA_URL", "STORAGES", "MEDIA_ROOT")
@functools.lru_cache(maxsize=8192)
def _stable_url(name: str) -> str:
    return default_storage.url(name)


def _thumbnails(artwork: Artwork) -> list[Thumbnail]:
    thumbs = [t for t in (artwork.thumbnails or []) if t.get("name") and t.get("width")]
    return sorted(thumbs, key=lambda t: int(t["width"]))


def thumbnails_by_format(artwork: Artwork) -> dict[str, list[Thumbnail]]:
    """{format: thumbnails sorted by width}, best format first; entries without a known
    format count as WebP (the only format before AVIF was added)."""
    groups: dict[str, list[Thumbnail]] = {}
    for thumb in _thumbnails(artwork):
        fmt = str(thumb.get("format") or "webp").lower()
        if fmt in MIME_TYPES:
            groups.setdefault(fmt, []).append(thumb)
    return {fmt: groups[fmt] for fmt in FORMAT_ORDER if fmt in groups}


def fallback_thumbnails(groups: dict[str, list[Thumbnail]]) -> list[Thumbnail]:
    """The thumbnails (by width) of the most widely decodable format among `groups` (which
    must not be empty): what an <img> without <source>s shows."""
    return groups[next(f for f in FALLBACK_ORDER if f in groups)]


def artwork_image_url(
    artwork: Artwork, *, min_width: int = 1200
) -> tuple[str, int | None, int | None]:
    """(absolute URL, width, height) of the best still image for link previews: the smallest
    thumbnail at least `min_width` wide, else the largest one, else the poster or original.
    Link previews and image sitemaps get one URL, so it is in the most widely decodable format
    (WebP before AVIF)."""
    groups = thumbnails_by_format(artwork)
    if groups:
        thumbs = fallback_thumbnails(groups)
        chosen = next((t for t in thumbs if int(t["width"]) >= min_width), thumbs[-1])
        return (
            absolute_url(storage_url(chosen["name"])),
            int(chosen["width"]),
            int(chosen["height"]),
        )
    if artwork.kind == Artwork.Kind.VIDEO:
        return absolute_url(storage_url(artwork.poster)), artwork.width, artwork.height
    return absolute_url(artwork.url), artwork.width, artwork.height


def artwork_smallest_image_url(artwork: Artwork) -> str:
    """The smallest thumbnail in the fallback format (else the video's poster, else ""): a
    preview in a list of many, such as the admin's."""
    groups = thumbnails_by_format(artwork)
    if groups:
        return storage_url(fallback_thumbnails(groups)[0]["name"])
    return storage_url(artwork.poster)


def color_data_uri(color: str) -> str:
    """A "#rgb"/"#rrggbb" colour as a one-pixel SVG data: URI ("" for anything else): a coloured
    box without a style attribute."""
    if len(color) not in (4, 7) or not color.startswith("#") or not color[1:].isalnum():
        return ""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'>"
        f"<rect width='1' height='1' fill='{color}'/></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe="/:=' ")
