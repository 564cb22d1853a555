"""Opening untrusted images with an explicit pixel limit.

Pillow's own guard (`Image.MAX_IMAGE_PIXELS`) is process-wide: switching it off for one caller
switches it off for every library in the process. It stays at Pillow's default as a backstop;
each caller states its own, smaller limit here, checked from the header before any pixel is
decoded.
"""

from __future__ import annotations

import io
from typing import IO

from django.conf import settings
from PIL import Image, ImageCms

ORIENTATION_TAG = 0x0112
# EXIF orientation → the transposition that shows the picture upright (as ImageOps does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class TooManyPixels(ValueError):
    def __init__(self, *, width: int, height: int, max_pixels: int) -> None:
        super().__init__(f"{width} × {height} is more than {max_pixels} pixels")
        self.width, self.height, self.max_pixels = width, height, max_pixels


def megapixels(pixels: int) -> str:
    """A pixel limit as people read it: 7680 × 4320 is "33.2" megapixels, not "33.1776"."""
    return f"{pixels / 1_000_000:.3g}"


def max_pixels_for(image_format: str | None, *, max_pixels: int) -> int:
    """`max_pixels`, or the stricter limit of a format that costs more memory a pixel to
    decode and encode (settings.UPLOAD_MAX_PIXELS_BY_FORMAT)."""
    stricter = settings.UPLOAD_MAX_PIXELS_BY_FORMAT.get(image_format or "", max_pixels)
    return min(max_pixels, stricter)


def open_image(source: IO[bytes], *, max_pixels: int) -> Image.Image:
    """`Image.open` (lazy: only the header is read) refusing more than `max_pixels` per frame
    (or its format's stricter limit). Raises TooManyPixels, or whatever Pillow raises for a
    file it cannot identify."""
    try:
        image = Image.open(source)
    except Image.DecompressionBombError:
        # Beyond even Pillow's backstop: the exact size is not known here.
        raise TooManyPixels(width=0, height=0, max_pixels=max_pixels) from None
    width, height = image.size
    max_pixels = max_pixels_for(image.format, max_pixels=max_pixels)
    if width <= 0 or height <= 0 or width * height > max_pixels:
        image.close()
        raise TooManyPixels(width=width, height=height, max_pixels=max_pixels)
    return image


def photo_format(image: Image.Image) -> str | None:
    """The format `image` is taken as. A JPEG that carries more pictures after the photo (MPO:
    a phone's HDR gain map or depth map, a stereo pair) is a JPEG whose first picture is the
    photo; its later pictures are not frames of an animation."""
    return "JPEG" if image.format == "MPO" else image.format


def upright_transposition(image: Image.Image) -> Image.Transpose | None:
    """The transposition the image's EXIF orientation asks for (None when upright). Read
    before decoding, so that a large picture can be reduced first and turned afterwards."""
    try:
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # unreadable EXIF is treated as absent, as browsers do
        return None
    return _UPRIGHT.get(orientation)


def in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """An RGB(A) picture whose pixels are in the colour profile `icc_profile`, converted to
    sRGB: what browsers assume for an image that carries no profile. A wide-gamut picture
    (Display P3, Adobe RGB) shown untagged would otherwise look dull or shifted. A profile
    that is not an RGB one, or cannot be read, leaves the picture as it is."""
    if not icc_profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if profile.profile.xcolor_space.strip() != "RGB":
            return image
        return ImageCms.profileToProfile(image, profile, _SRGB, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


_SRGB = ImageCms.createProfile("sRGB")


# Strips of about this many bytes: small next to a large picture, large enough to be quick.
STRIP_BYTES = 8 * 1024 * 1024


# The modes of a 16-bit greyscale PNG. Pillow converts them to 8 bits by clipping at 255, so
# every tone above black became white; they are scaled down instead.
WIDE_GREY_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}


def _as_rgb_or_rgba(image: Image.Image, *, flatten: bool) -> Image.Image:
    if image.mode in WIDE_GREY_MODES:
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if flatten and image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    return image


def reduce_in_strips(image: Image.Image, factor: int, *, flatten: bool) -> Image.Image:
    """The picture shrunk `factor` times (box filter) as RGB (flattened onto white when
    `flatten`) or RGBA, worked through in strips: `Image.reduce` on a picture with alpha, or a
    mode conversion, would first make a second full-size copy of it."""
    width, height = image.size
    has_alpha = "A" in image.mode or "transparency" in image.info
    out_mode = "RGBA" if has_alpha and not flatten else "RGB"
    if factor <= 1 and image.mode == out_mode:
        return image
    out = Image.new(out_mode, (-(-width // factor), -(-height // factor)))
    rows = max(factor, STRIP_BYTES // (width * 4) // factor * factor)
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        strip = _as_rgb_or_rgba(strip, flatten=flatten)
        if factor > 1:
            strip = strip.reduce(factor)
        out.paste(strip, (0, top // factor))
    return out
