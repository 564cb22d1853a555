"""Image derivatives: responsive thumbnails and a tiny placeholder, from an original's bytes."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

from django.conf import settings
from PIL import Image, ImageFilter, ImageOps, features

Image.MAX_IMAGE_PIXELS = None  # limits are enforced by upload validation, with a clear error


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


def _open_rgb(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image)  # apply orientation, then forget EXIF
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.split()[3])
        image = background
    return image


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


def render_image_derivatives(data: bytes) -> Derivatives:
    image = _open_rgb(data)
    width, height = image.size
    thumbs: list[Thumbnail] = []
    widths = sorted({min(w, width) for w in settings.THUMBNAIL_WIDTHS})
    for target in widths:
        resized = (
            image
            if target == width
            else image.resize(
                (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS
            )
        )
        for fmt, options in thumbnail_formats():
            buf = io.BytesIO()
            resized.save(buf, fmt.upper(), **options)  # no exif= argument: EXIF is dropped
            thumbs.append(Thumbnail(resized.width, resized.height, fmt, buf.getvalue()))
    return Derivatives(
        width=width,
        height=height,
        dominant_color=dominant_color(image),
        placeholder_data_uri=placeholder_data_uri(image),
        thumbnails=thumbs,
    )


def video_poster_jpeg(data: bytes, *, at_seconds: float = 1.0) -> bytes:
    """A poster frame for a video: the frame near `at_seconds` (or the first one, for clips
    shorter than that), as a JPEG."""
    import av

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        poster = None
        for frame in container.decode(stream):
            poster = frame
            if frame.time is None or frame.time >= at_seconds:
                break
        if poster is None:
            raise ValueError("the video has no decodable frame")
        image = poster.to_image()
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=85, optimize=True, progressive=True)
    return buf.getvalue()
