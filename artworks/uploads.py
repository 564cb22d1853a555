"""Validation and cleaning of uploaded files.

The type is decided by the bytes alone (magic numbers, then a full decode with Pillow or
PyAV); the client's filename and content type are never consulted. Images are fully decoded,
turned upright, and re-encoded without EXIF/GPS/XMP, so whatever rides along in a polyglot or
in metadata is dropped. Videos are probed (container, codec, dimensions, duration), a frame
is decoded, and the streams are remuxed into a fresh container without metadata.

Every refusal is a `django.core.exceptions.ValidationError` with a message fit for the user.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, features

# Pillow's own bomb guard is off project-wide (see media.py); the pixel limit is enforced
# here, before decoding, with a clear message.
MAX_ANIMATION_FRAMES = 600
IMAGE_FORMATS = {
    # Pillow format → (extension, content type)
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
    "AVIF": ("avif", "image/avif"),
}
VIDEO_CODECS = {
    "mp4": {"h264", "hevc", "av1", "mpeg4", "vp9"},
    "webm": {"vp8", "vp9", "av1"},
}
AUDIO_CODECS = {
    "mp4": {"aac", "mp3", "opus", "alac", "flac"},
    "webm": {"opus", "vorbis"},
}
ACCEPTED_HELP = "JPEG, PNG, WebP, GIF, AVIF, MP4, WebM"


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    kind: str  # "image" | "video"
    ext: str
    content_type: str
    width: int
    height: int
    duration_seconds: float | None = None
    codec: str = ""


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_upload")


def sniff(head: bytes) -> str | None:
    """The container the leading bytes announce: jpeg, png, gif, webp, avif, mp4, webm, svg,
    html; None when unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {
            head[i : i + 4] for i in range(16, min(max(size, 16), len(head)), 4)
        }
        if brands & {b"avif", b"avis"}:
            return "avif"
        if head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"qt  "}:
            return None
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else None
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text or (text.startswith(b"<?xml") and b"svg" in text):
        return "svg"
    if text.startswith((b"<!doctype html", b"<html", b"<script", b"<body", b"<head")):
        return "html"
    return None


def read_limited(fileobj: IO[bytes], limit: int) -> bytes:
    """At most limit + 1 bytes, so that an oversize file is detected without reading it all."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    return fileobj.read(limit + 1)


def clean_upload(fileobj: IO[bytes], *, allow_video: bool = True) -> CleanFile:
    """Validate and clean an uploaded image or video. Raises ValidationError."""
    max_image = settings.UPLOAD_MAX_IMAGE_BYTES
    max_video = settings.UPLOAD_MAX_VIDEO_BYTES if allow_video else max_image
    data = read_limited(fileobj, max(max_image, max_video))
    if not data:
        raise _refuse(_("The file is empty."))
    kind = sniff(data[:4096])
    if kind == "svg":
        raise _refuse(_("SVG images are not accepted; upload a JPEG, PNG, WebP, GIF or AVIF."))
    if kind in (None, "html"):
        raise _refuse(
            _("This file is not a supported image or video (%(types)s).")
            % {"types": ACCEPTED_HELP if allow_video else ACCEPTED_HELP.rsplit(",", 2)[0]}
        )
    if kind in ("mp4", "webm"):
        if not allow_video:
            raise _refuse(_("A video cannot be used here; choose an image."))
        if len(data) > max_video:
            raise _refuse(
                _("Videos may be at most %(size)s.") % {"size": filesizeformat(max_video)}
            )
        return clean_video(data, container=kind)
    if len(data) > max_image:
        raise _refuse(_("Images may be at most %(size)s.") % {"size": filesizeformat(max_image)})
    return clean_image(data, expected=kind)


# --- images -------------------------------------------------------------------------------


def _decode_error() -> ValidationError:
    return _refuse(_("The image is damaged or incomplete and could not be read."))


def clean_image(data: bytes, *, expected: str | None = None) -> CleanFile:
    """Fully decode `data`, apply its orientation and re-encode it without metadata."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _too_many_pixels(settings.UPLOAD_MAX_PIXELS) from None
    except Exception:
        raise _decode_error() from None
    if image.format not in IMAGE_FORMATS or (
        expected is not None and IMAGE_FORMATS[image.format][0] != _EXT_OF.get(expected)
    ):
        raise _refuse(_("The file's content does not match a supported image format."))
    width, height = image.size
    frames = getattr(image, "n_frames", 1) or 1
    max_pixels = settings.UPLOAD_MAX_PIXELS
    if width * height > max_pixels or width <= 0 or height <= 0:
        raise _too_many_pixels(max_pixels, width, height)
    if frames > MAX_ANIMATION_FRAMES or width * height * frames > 4 * max_pixels:
        raise _refuse(_("The animation has too many frames."))
    try:
        if frames > 1 and image.format in ("GIF", "WEBP"):
            return _reencode_animation(image)
        image.load()
        return _reencode_still(image)
    except ValidationError:
        raise
    except Exception:
        raise _decode_error() from None


def _too_many_pixels(max_pixels: int, width: int = 0, height: int = 0) -> ValidationError:
    size = f" ({width} × {height})" if width and height else ""
    return _refuse(
        _("The image is too large%(size)s: at most %(max)s megapixels are accepted.")
        % {"size": size, "max": f"{max_pixels / 1_000_000:g}"}
    )


_EXT_OF = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "avif": "avif"}


def _strip(image: Image.Image) -> Image.Image:
    """Keep pixels, palette transparency and colour profile; drop EXIF, XMP, text chunks."""
    keep = {k: image.info[k] for k in ("transparency", "icc_profile") if k in image.info}
    image.info = keep
    return image


def _reencode_still(image: Image.Image) -> CleanFile:
    source_format = image.format
    upright = ImageOps.exif_transpose(image)
    upright = _strip(upright)
    out_format = source_format
    if out_format == "AVIF" and not features.check("avif"):
        out_format = "WEBP"
    buf = io.BytesIO()
    icc = upright.info.get("icc_profile")
    extra = {"icc_profile": icc} if icc else {}
    if out_format == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(buf, "JPEG", quality=92, optimize=True, progressive=True, **extra)
    elif out_format == "PNG":
        upright.save(buf, "PNG", optimize=True, **extra)
    elif out_format == "GIF":
        upright.save(buf, "GIF", optimize=True)
    elif out_format == "WEBP":
        lossless = source_format == "WEBP" and image.info.get("lossless", False)
        upright.save(buf, "WEBP", quality=90, lossless=bool(lossless), **extra)
    else:  # AVIF
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
        upright.save(buf, "AVIF", quality=85, **extra)
    ext, content_type = IMAGE_FORMATS[out_format]
    return CleanFile(
        data=buf.getvalue(),
        kind="image",
        ext=ext,
        content_type=content_type,
        width=upright.width,
        height=upright.height,
    )


def _reencode_animation(image: Image.Image) -> CleanFile:
    out_format = image.format
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        frame.load()
        durations.append(int(frame.info.get("duration", 100) or 100))
        frames.append(frame.convert("RGBA"))
    loop = int(image.info.get("loop", 0) or 0)
    buf = io.BytesIO()
    first, rest = frames[0], frames[1:]
    if out_format == "GIF":
        first.save(
            buf, "GIF", save_all=True, append_images=rest, duration=durations, loop=loop,
            disposal=2, optimize=False,
        )  # fmt: skip
    else:
        first.save(
            buf, "WEBP", save_all=True, append_images=rest, duration=durations, loop=loop,
            quality=88,
        )  # fmt: skip
    ext, content_type = IMAGE_FORMATS[out_format]
    return CleanFile(
        data=buf.getvalue(),
        kind="image",
        ext=ext,
        content_type=content_type,
        width=first.width,
        height=first.height,
    )


# --- videos -------------------------------------------------------------------------------


def _video_error() -> ValidationError:
    return _refuse(_("The video is damaged or in a format that cannot be played."))


def clean_video(data: bytes, *, container: str) -> CleanFile:
    """Probe with PyAV, decode a frame, and remux the streams without metadata."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as source:
            info = _probe(source, container=container)
            cleaned = _remux(source, container=container)
    except ValidationError:
        raise
    except Exception:
        raise _video_error() from None
    return CleanFile(data=cleaned, kind="video", **info)


def _probe(source, *, container: str) -> dict:
    ext, content_type = ("mp4", "video/mp4") if container == "mp4" else ("webm", "video/webm")
    format_names = set(source.format.name.split(","))
    if container not in format_names:
        raise _video_error()
    if not source.streams.video:
        raise _refuse(_("The file has no video track."))
    stream = source.streams.video[0]
    codec = stream.codec_context.name
    if codec not in VIDEO_CODECS[container]:
        raise _refuse(_("Videos encoded with %(codec)s are not supported.") % {"codec": codec})
    for audio in source.streams.audio:
        if audio.codec_context.name not in AUDIO_CODECS[container]:
            raise _refuse(_("The video's sound track is in an unsupported format."))
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise _video_error()
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise _refuse(_("The video's frames are too large."))
    duration = None
    if source.duration:
        duration = source.duration / 1_000_000  # av.time_base
    elif stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    if duration is None or duration <= 0:
        raise _video_error()
    if duration > settings.UPLOAD_MAX_VIDEO_SECONDS:
        raise _refuse(
            _("Videos may be at most %(max)s seconds long; this one is %(len)s seconds.")
            % {"max": settings.UPLOAD_MAX_VIDEO_SECONDS, "len": round(duration, 1)}
        )
    # A real frame must decode: a header glued onto garbage is not a video.
    decoded = False
    for frame in source.decode(video=0):
        decoded = frame.width > 0
        break
    if not decoded:
        raise _video_error()
    source.seek(0)
    return {
        "ext": ext,
        "content_type": content_type,
        "width": width,
        "height": height,
        "duration_seconds": round(duration, 3),
        "codec": codec,
    }


def _remux(source, *, container: str) -> bytes:
    """Copy the audio and video packets into a new container: no metadata (GPS, device) and
    no stray atoms survive."""
    import av

    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
        with av.open(spool, mode="w", format=container) as out:
            mapping = {}
            for stream in [*source.streams.video[:1], *source.streams.audio[:1]]:
                mapping[stream.index] = out.add_stream_from_template(stream)
            packets = 0
            for packet in source.demux(*[s for s in source.streams if s.index in mapping]):
                if packet.dts is None:
                    continue
                packet.stream = mapping[packet.stream.index]
                out.mux(packet)
                packets += 1
            if not packets:
                raise _video_error()
        spool.seek(0)
        return spool.read()
