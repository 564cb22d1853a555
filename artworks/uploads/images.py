"""Stills and animations: decoded with Pillow within pixel limits, turned upright and
re-encoded without metadata (animations one frame at a time)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    pass
from PIL import Image, features

from common.images import (
    TooManyPixels,
    max_pixels_for,
    megapixels,
    open_image,
    photo_format,
    upright_transposition,
)

from ..provenance import xmp_save_options
from .base import (
    IMAGE_FORMATS,
    MAX_ANIMATION_FRAMES,
    PROGRESSIVE_JPEG_MAX_PIXELS,
    CleanFile,
    _refuse,
)


def _decode_error() -> ValidationError:
    return _refuse(_("The image is damaged or incomplete and could not be read."))


def clean_image(
    source: bytes | IO[bytes], *, expected: str | None = None, xmp: bytes | None = None
) -> CleanFile:
    """Fully decode the image, apply its orientation and re-encode it without metadata; with
    `xmp`, that packet alone is written into the new file (artworks.provenance: the IPTC
    digital source type of work made with AI).

    Limits are checked from the header before any pixel is decoded: the pixels of one frame
    (UPLOAD_MAX_PIXELS) and, for an animation, of all its frames together
    (UPLOAD_MAX_ANIMATION_PIXELS): a small file can describe hundreds of large frames."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    max_pixels = settings.UPLOAD_MAX_PIXELS
    try:
        image = open_image(source, max_pixels=max_pixels)
    except TooManyPixels as exc:
        raise _too_many_pixels(exc.max_pixels, exc.width, exc.height) from None
    except Exception:
        raise _decode_error() from None
    image_format = photo_format(image)
    if image_format not in IMAGE_FORMATS or (
        expected is not None and IMAGE_FORMATS[image_format][0] != _EXT_OF.get(expected)
    ):
        raise _refuse(_("The file's content does not match a supported image format."))
    width, height = image.size
    try:
        frames = 1 if image_format == "JPEG" else getattr(image, "n_frames", 1) or 1
    except Exception:
        raise _decode_error() from None
    if frames > 1:
        _check_animation(frames=frames, width=width, height=height)
    try:
        if frames > 1 and image.format in ("GIF", "WEBP"):
            return _reencode_animation(image, frames=frames, xmp=xmp)
        if frames > 1:
            # An animated PNG or AVIF: re-encoded as an animated WebP, whose encoder takes one
            # frame at a time (Pillow's APNG encoder holds every frame), within WebP's limit.
            _check_webp_frame(width=width, height=height)
            return _reencode_animation(image, frames=frames, xmp=xmp, out_format="WEBP")
        image.load()
        return _reencode_still(image, xmp=xmp, source_format=image_format)
    except ValidationError:
        raise
    except Exception:
        raise _decode_error() from None


def _check_animation(*, frames: int, width: int, height: int) -> None:
    max_total = settings.UPLOAD_MAX_ANIMATION_PIXELS
    if frames > MAX_ANIMATION_FRAMES or frames * width * height > max_total:
        raise _refuse(
            _(
                "The animation is too large: %(frames)s frames of %(width)s × %(height)s "
                "pixels. At most %(max)s megapixels across all frames are accepted."
            )
            % {
                "frames": frames,
                "width": width,
                "height": height,
                "max": megapixels(max_total),
            }
        )


def _check_webp_frame(*, width: int, height: int) -> None:
    max_pixels = max_pixels_for("WEBP", max_pixels=settings.UPLOAD_MAX_PIXELS)
    if width * height > max_pixels:
        raise _refuse(
            _(
                "The animation is too large: frames of %(width)s × %(height)s pixels. At most "
                "%(max)s megapixels a frame are accepted."
            )
            % {"width": width, "height": height, "max": megapixels(max_pixels)}
        )


def _too_many_pixels(max_pixels: int, width: int = 0, height: int = 0) -> ValidationError:
    size = f" ({width} × {height})" if width and height else ""
    return _refuse(
        _("The image is too large%(size)s: at most %(max)s megapixels are accepted.")
        % {"size": size, "max": megapixels(max_pixels)}
    )


_EXT_OF = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "avif": "avif"}


def _strip(image: Image.Image) -> Image.Image:
    """Keep pixels, palette transparency and colour profile; drop EXIF, XMP, text chunks."""
    keep = {k: image.info[k] for k in ("transparency", "icc_profile") if k in image.info}
    image.info = keep
    return image


def _reencode_still(
    image: Image.Image, *, xmp: bytes | None = None, source_format: str | None = None
) -> CleanFile:
    source_format = source_format or image.format
    lossless = bool(image.info.get("lossless", False))
    transposition = upright_transposition(image)
    if transposition is not None:
        image = _turned(image, transposition)
    upright = _strip(image)
    out_format = source_format
    if out_format == "AVIF" and not features.check("avif"):
        out_format = "WEBP"
    buf = io.BytesIO()
    icc = upright.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    extra.update(xmp_save_options(out_format, xmp))
    if out_format == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        # A progressive or optimised JPEG is encoded from a buffer of the whole picture's
        # coefficients (about 3 bytes a pixel): worth it for a picture shown whole, not for a
        # 40-megapixel original whose thumbnails are what pages show.
        compact = upright.width * upright.height <= PROGRESSIVE_JPEG_MAX_PIXELS
        upright.save(buf, "JPEG", quality=92, optimize=compact, progressive=compact, **extra)
    elif out_format == "PNG":
        upright.save(buf, "PNG", optimize=True, **extra)
    elif out_format == "GIF":
        upright.save(buf, "GIF", optimize=True)
    elif out_format == "WEBP":
        upright.save(
            buf, "WEBP", quality=90, lossless=lossless and source_format == "WEBP", **extra
        )
    else:  # AVIF
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
        upright.save(buf, "AVIF", quality=85, **extra)
    ext, content_type = IMAGE_FORMATS[out_format]
    return _clean_image_file(buf, ext=ext, content_type=content_type, size=upright.size)


# Strips of at most this many bytes carry a picture through a temporary file while it turns.
STRIP_BYTES = 8 * 1024 * 1024


def _turned(image: Image.Image, transposition: Image.Transpose) -> Image.Image:
    """The picture turned upright, holding one decoded copy at a time: `transpose()` would
    hold the original and the turned copy together (twice 160 MB for 40 megapixels). The rows
    go to a temporary file in strips, the original is closed, and the turned picture is
    assembled from the strips. Closes `image`."""
    mode, (width, height) = image.mode, image.size
    if mode not in TURNABLE_MODES:  # palette images: one byte a pixel, turned directly
        turned = image.transpose(transposition)
        turned.info = dict(image.info)
        return turned
    info = dict(image.info)
    rows = max(1, STRIP_BYTES // (width * 4))
    strips: list[tuple[int, int, int]] = []  # (top, rows, bytes)
    with tempfile.TemporaryFile() as spill:
        for top in range(0, height, rows):
            count = min(rows, height - top)
            raw = image.crop((0, top, width, top + count)).tobytes()
            spill.write(raw)
            strips.append((top, count, len(raw)))
        image.close()  # releases the decoded pixels before the turned copy exists
        swaps = transposition in SWAPPING_TRANSPOSITIONS
        turned = Image.new(mode, (height, width) if swaps else (width, height))
        spill.seek(0)
        for top, count, size in strips:
            strip = Image.frombytes(mode, (width, count), spill.read(size))
            turned.paste(
                strip.transpose(transposition),
                _strip_position(transposition, top=top, count=count, height=height),
            )
    turned.info = info
    return turned


TURNABLE_MODES = {"RGB", "RGBA", "L", "LA", "CMYK", "I", "F", "I;16"}
SWAPPING_TRANSPOSITIONS = {
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
}


def _strip_position(
    transposition: Image.Transpose, *, top: int, count: int, height: int
) -> tuple[int, int]:
    """Where rows [top, top + count) of a picture `height` rows high land once turned."""
    from_bottom = height - top - count
    return {
        Image.Transpose.FLIP_LEFT_RIGHT: (0, top),
        Image.Transpose.FLIP_TOP_BOTTOM: (0, from_bottom),
        Image.Transpose.ROTATE_180: (0, from_bottom),
        Image.Transpose.ROTATE_90: (top, 0),
        Image.Transpose.TRANSPOSE: (top, 0),
        Image.Transpose.ROTATE_270: (from_bottom, 0),
        Image.Transpose.TRANSVERSE: (from_bottom, 0),
    }[transposition]


def _clean_image_file(
    buf: io.BytesIO, *, ext: str, content_type: str, size: tuple[int, int], animated: bool = False
) -> CleanFile:
    buf.seek(0)
    return CleanFile(
        file=buf,
        size=buf.getbuffer().nbytes,
        kind="image",
        ext=ext,
        content_type=content_type,
        width=size[0],
        height=size[1],
        animated=animated,
    )


def _frame_duration(image: Image.Image) -> int:
    return int(image.info.get("duration", 100) or 100)


def _rgba_frames(image: Image.Image, *, frames: int) -> Iterator[Image.Image]:
    """The frames one at a time, each in full colour only while it is being encoded."""
    for index in range(frames):
        image.seek(index)
        image.load()
        frame = image.convert("RGBA")
        frame.info = {"duration": _frame_duration(image)}
        yield frame


def _reencode_animation(
    image: Image.Image, *, frames: int, xmp: bytes | None = None, out_format: str | None = None
) -> CleanFile:
    """Re-encode frame by frame, as `out_format` (by default the source's). The GIF encoder
    keeps each frame as palette indices (one byte a pixel, so at most
    UPLOAD_MAX_ANIMATION_PIXELS bytes); the WebP encoder reads the source frame by frame and
    keeps only encoded data."""
    out_format = out_format or image.format
    width, height = image.size
    loop = int(image.info.get("loop", 0) or 0)
    buf = io.BytesIO()
    if out_format == "GIF":
        # A GIF without a loop count plays once: none is written for it (0 is for ever).
        looping = {"loop": loop} if "loop" in image.info else {}
        sequence = _rgba_frames(image, frames=frames)
        first = next(sequence)
        first.save(
            buf, "GIF", save_all=True, append_images=sequence, disposal=2, optimize=False,
            **looping,
        )  # fmt: skip
    else:
        durations = []
        for index in range(frames):
            image.seek(index)
            image.load()  # WebP knows a frame's duration once it is decoded
            durations.append(_frame_duration(image))
        image.seek(0)
        _strip(image)
        image.save(
            buf, "WEBP", save_all=True, duration=durations, loop=loop, quality=88,
            **xmp_save_options("WEBP", xmp),
        )  # fmt: skip
    ext, content_type = IMAGE_FORMATS[out_format]
    return _clean_image_file(
        buf, ext=ext, content_type=content_type, size=(width, height), animated=True
    )
