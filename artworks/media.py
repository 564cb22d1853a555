"""Image derivatives: responsive thumbnails and a tiny placeholder, from an original's bytes."""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from PIL import Image, ImageFilter, features

from common.images import in_srgb, open_image, reduce_in_strips, upright_transposition

from .provenance import xmp_save_options


@dataclass(frozen=True)
class Thumbnail:
    width: int
    height: int
    format: str
    data: bytes


@dataclass(frozen=True)
class Derivatives:
    width: int
    height: int
    dominant_color: str
    placeholder_data_uri: str
    thumbnails: list[Thumbnail] = field(default_factory=list)


def thumbnail_formats() -> list[tuple[str, dict]]:
    """WebP always; AVIF too when this Pillow build can encode it (smaller at equal quality)."""
    formats = [("webp", {"quality": 82, "method": 4})]
    if features.check("avif"):
        formats.append(("avif", {"quality": 60, "speed": 8}))
    return formats


def _open_rgb(source: bytes | IO[bytes]) -> tuple[Image.Image, tuple[int, int]]:
    """The picture upright, in RGB, no larger than needed for the widest thumbnail, and the
    upright size of the full picture.

    Memory stays near one decoded copy of the original: a JPEG is decoded at a reduced scale
    (DCT scaling), other formats are reduced and flattened in strips right after decoding,
    and turning upright happens on the reduced picture."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    image = open_image(source, max_pixels=settings.UPLOAD_MAX_PIXELS)
    transposition = upright_transposition(image)
    swaps = transposition in _SWAPS_SIDES
    stored_width, stored_height = image.size
    width, height = (stored_height, stored_width) if swaps else (stored_width, stored_height)
    # Decoded (JPEG) or reduced (box filter) no smaller than the widest thumbnail: LANCZOS
    # then resizes from there.
    widest = max(settings.THUMBNAIL_WIDTHS)
    if image.format == "JPEG" and width > widest:
        scale = widest / width
        image.draft(
            "RGB",
            (max(1, math.ceil(stored_width * scale)), max(1, math.ceil(stored_height * scale))),
        )
    image.load()
    icc_profile = image.info.get("icc_profile")
    factor = max(1, (image.height if swaps else image.width) // widest)
    image = in_srgb(reduce_in_strips(image, factor, flatten=True), icc_profile)
    if transposition is not None:
        image = image.transpose(transposition)
    return image, (width, height)


_SWAPS_SIDES = {
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
}


def dominant_color(image: Image.Image) -> str:
    r, g, b = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))[:3]
    return f"#{r:02x}{g:02x}{b:02x}"


def placeholder_data_uri(image: Image.Image) -> str:
    """A ~16 px wide blurred WebP as a data URI (a few hundred bytes), shown while the real
    thumbnail loads."""
    small = image.copy()
    small.thumbnail((16, 16), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    small.save(buf, "WEBP", quality=40)
    return "data:image/webp;base64," + base64.b64encode(buf.getvalue()).decode()


def render_image_derivatives(source: bytes | IO[bytes], *, xmp: bytes | None = None) -> Derivatives:
    """Thumbnails (without EXIF; with `xmp` alone when given: artworks.provenance) and the
    placeholder of a picture."""
    image, (width, height) = _open_rgb(source)
    thumbs: list[Thumbnail] = []
    widths = sorted({min(w, width) for w in settings.THUMBNAIL_WIDTHS})
    sizes = dict.fromkeys(_thumbnail_size(w, width=width, height=height) for w in widths)
    for size in sizes:
        resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        for fmt, options in thumbnail_formats():
            buf = io.BytesIO()
            # No exif= argument: EXIF is dropped.
            resized.save(buf, fmt.upper(), **options, **xmp_save_options(fmt, xmp))
            thumbs.append(Thumbnail(resized.width, resized.height, fmt, buf.getvalue()))
    return Derivatives(
        width=width,
        height=height,
        dominant_color=dominant_color(image),
        placeholder_data_uri=placeholder_data_uri(image),
        thumbnails=thumbs,
    )


# WebP holds at most this many pixels a side.
WEBP_MAX_SIDE = 16383


def _thumbnail_size(target: int, *, width: int, height: int) -> tuple[int, int]:
    """`target` wide at the picture's aspect ratio; a very tall picture's thumbnail is made
    narrower, so that WebP can hold it."""
    tall = max(1, round(height * target / width))
    if tall <= WEBP_MAX_SIDE:
        return target, tall
    return max(1, round(width * WEBP_MAX_SIDE / height)), WEBP_MAX_SIDE


# A poster is shown at most this wide (the player's width on a large screen).
POSTER_MAX_WIDTH = 1920


def video_poster_jpeg(
    source: bytes | IO[bytes], *, at_seconds: float = 1.0, xmp: bytes | None = None
) -> bytes:
    """A poster frame for a video: the frame near `at_seconds` (or the first one, for clips
    shorter than that), as a JPEG (carrying `xmp` alone when given)."""
    import av

    if isinstance(source, bytes):
        source = io.BytesIO(source)
    with av.open(source) as container:
        stream = container.streams.video[0]
        # One decoding thread: frame threading keeps a full frame per thread in memory.
        stream.thread_type = "SLICE"
        stream.codec_context.thread_count = 1
        poster = None
        for frame in container.decode(stream):
            poster = frame
            if frame.time is None or frame.time >= at_seconds:
                break
        if poster is None:
            raise ValueError("the video has no decodable frame")
        # Scaled while converting: a full 4K RGB frame would cost a 100 MB peak for a poster
        # no page shows wider than the largest thumbnail.
        width, height = poster.width, poster.height
        if width > POSTER_MAX_WIDTH:
            width, height = POSTER_MAX_WIDTH, max(1, round(height * POSTER_MAX_WIDTH / width))
        image = poster.to_image(width=width, height=height)
        if poster.rotation:  # turned as players turn it (a phone's portrait recording)
            image = image.rotate(poster.rotation, expand=True)
    buf = io.BytesIO()
    image.convert("RGB").save(
        buf, "JPEG", quality=85, optimize=True, progressive=True, **xmp_save_options("JPEG", xmp)
    )
    return buf.getvalue()
