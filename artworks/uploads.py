"""Validation and cleaning of uploaded files.

The type is decided by the bytes alone (magic numbers, then a full decode with Pillow or
PyAV); the client's filename and content type are never consulted. Images are fully decoded,
turned upright, and re-encoded without EXIF/GPS/XMP, so whatever rides along in a polyglot or
in metadata is dropped. Videos are probed (container, codec, dimensions), their duration is
measured from the packets' own timestamps (a header can lie), a frame is decoded, and the
streams are remuxed into a fresh container without metadata.

Cost is bounded: sizes and pixel counts (of a frame, and of all frames of an animation) are
checked before decoding, the upload is read where it lies (a temporary file for anything
above FILE_UPLOAD_MAX_MEMORY_SIZE), animations are re-encoded one frame at a time, and a
video's output goes to a temporary file rather than memory.

Every refusal is a `django.core.exceptions.ValidationError` with a message fit for the user.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from av.container import InputContainer
from PIL import Image, features

from common.images import TooManyPixels, open_image, upright_transposition

# Besides the decoded-size limit (UPLOAD_MAX_ANIMATION_PIXELS), a cap on the frame count:
# each frame costs a seek and an encode however small it is.
MAX_ANIMATION_FRAMES = 600
PROGRESSIVE_JPEG_MAX_PIXELS = 8_000_000
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
    """A cleaned upload. `file` holds the content at position 0: in memory for images (they
    are re-encoded from decoded pixels anyway), a temporary file on disk for videos, so that a
    video never sits whole in memory. Close it (or use `with`) once stored."""

    file: IO[bytes]
    size: int
    kind: str  # "image" | "video"
    ext: str
    content_type: str
    width: int
    height: int
    duration_seconds: float | None = None
    codec: str = ""

    @property
    def data(self) -> bytes:
        """The whole content (small files and tests; storage reads `file` in chunks)."""
        self.file.seek(0)
        try:
            return self.file.read()
        finally:
            self.file.seek(0)

    def as_file(self) -> File:
        self.file.seek(0)
        django_file = File(self.file)
        django_file.size = self.size
        return django_file

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> CleanFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


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


def _size_of(fileobj: IO[bytes]) -> int:
    """The size from the end position: nothing is read."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def clean_upload(fileobj: IO[bytes], *, allow_video: bool = True) -> CleanFile:
    """Validate and clean an uploaded image or video. Raises ValidationError.

    `fileobj` is read where it lies (an uploaded temporary file, or any seekable file):
    only the first bytes are read to decide the type, the size comes from its length."""
    max_image = settings.UPLOAD_MAX_IMAGE_BYTES
    max_video = settings.UPLOAD_MAX_VIDEO_BYTES if allow_video else max_image
    size = _size_of(fileobj)
    if not size:
        raise _refuse(_("The file is empty."))
    head = fileobj.read(4096)
    fileobj.seek(0)
    kind = sniff(head)
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
        if size > max_video:
            raise _refuse(
                _("Videos may be at most %(size)s.") % {"size": filesizeformat(max_video)}
            )
        return clean_video(fileobj, container=kind)
    if size > max_image:
        raise _refuse(_("Images may be at most %(size)s.") % {"size": filesizeformat(max_image)})
    return clean_image(fileobj, expected=kind)


# --- images -------------------------------------------------------------------------------


def _decode_error() -> ValidationError:
    return _refuse(_("The image is damaged or incomplete and could not be read."))


def clean_image(source: bytes | IO[bytes], *, expected: str | None = None) -> CleanFile:
    """Fully decode the image, apply its orientation and re-encode it without metadata.

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
    if image.format not in IMAGE_FORMATS or (
        expected is not None and IMAGE_FORMATS[image.format][0] != _EXT_OF.get(expected)
    ):
        raise _refuse(_("The file's content does not match a supported image format."))
    width, height = image.size
    try:
        frames = getattr(image, "n_frames", 1) or 1
    except Exception:
        raise _decode_error() from None
    if frames > 1:
        _check_animation(frames=frames, width=width, height=height)
    try:
        if frames > 1 and image.format in ("GIF", "WEBP"):
            return _reencode_animation(image, frames=frames)
        image.load()
        return _reencode_still(image)
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
                "max": f"{max_total / 1_000_000:g}",
            }
        )


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
    buf: io.BytesIO, *, ext: str, content_type: str, size: tuple[int, int]
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


def _reencode_animation(image: Image.Image, *, frames: int) -> CleanFile:
    """Re-encode frame by frame. The GIF encoder keeps each frame as palette indices (one
    byte a pixel, so at most UPLOAD_MAX_ANIMATION_PIXELS bytes); the WebP encoder reads the
    source frame by frame and keeps only encoded data."""
    out_format = image.format
    width, height = image.size
    loop = int(image.info.get("loop", 0) or 0)
    buf = io.BytesIO()
    if out_format == "GIF":
        sequence = _rgba_frames(image, frames=frames)
        first = next(sequence)
        first.save(
            buf, "GIF", save_all=True, append_images=sequence, loop=loop, disposal=2,
            optimize=False,
        )  # fmt: skip
    else:
        durations = []
        for index in range(frames):
            image.seek(index)
            image.load()  # WebP knows a frame's duration once it is decoded
            durations.append(_frame_duration(image))
        image.seek(0)
        _strip(image)
        image.save(buf, "WEBP", save_all=True, duration=durations, loop=loop, quality=88)
    ext, content_type = IMAGE_FORMATS[out_format]
    return _clean_image_file(buf, ext=ext, content_type=content_type, size=(width, height))


# --- videos -------------------------------------------------------------------------------


def _video_error() -> ValidationError:
    return _refuse(_("The video is damaged or in a format that cannot be played."))


def clean_video(source: bytes | IO[bytes], *, container: str) -> CleanFile:
    """Probe with PyAV, measure how long it plays, decode a frame, and remux the streams
    without metadata into a temporary file."""
    import av

    if isinstance(source, bytes):
        source = io.BytesIO(source)
    # An uploaded temporary file is opened by its path: FFmpeg reads it directly.
    target = source.temporary_file_path() if hasattr(source, "temporary_file_path") else source
    try:
        with av.open(target, mode="r") as opened:
            info = _probe(opened, container=container)
            cleaned, size = _remux(opened, container=container)
    except ValidationError:
        raise
    except Exception:
        raise _video_error() from None
    return CleanFile(file=cleaned, size=size, kind="video", **info)


def _too_long(*, seconds: float | None) -> ValidationError:
    limit = settings.UPLOAD_MAX_VIDEO_SECONDS
    if seconds is None:
        return _refuse(
            _("Videos may be at most %(max)s seconds long; this one is longer.") % {"max": limit}
        )
    return _refuse(
        _("Videos may be at most %(max)s seconds long; this one is %(len)s seconds.")
        % {"max": limit, "len": round(seconds, 1)}
    )


def _probe(source: InputContainer, *, container: str) -> dict:
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
    if width * height > min(settings.UPLOAD_MAX_VIDEO_PIXELS, settings.UPLOAD_MAX_PIXELS):
        raise _refuse(_("The video's frames are too large."))
    limit = settings.UPLOAD_MAX_VIDEO_SECONDS
    # The header's duration may only shorten the work: a header can claim anything.
    if source.duration and source.duration / 1_000_000 > limit:  # av.time_base
        raise _too_long(seconds=source.duration / 1_000_000)
    duration = _played_duration(source, limit=limit)
    if duration is None:
        raise _too_long(seconds=None)
    if duration <= 0:
        raise _video_error()
    # A real frame must decode: a header glued onto garbage is not a video.
    decoded = False
    # One decoding thread: frame threading keeps a full frame per thread (4K: 12 MB each).
    stream.thread_type = "SLICE"
    stream.codec_context.thread_count = 1
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


def _played_duration(source: InputContainer, *, limit: float) -> float | None:
    """How long the kept tracks play, from the timestamps of their packets (what a player
    follows), not from the header. Demuxing reads packets without decoding them, and stops as
    soon as the limit is passed, so a long video costs bounded time. None when longer than
    `limit`; 0.0 when no packet carries a timestamp. Leaves the container rewound."""
    streams = [*source.streams.video[:1], *source.streams.audio[:1]]
    start: float | None = None
    end = 0.0
    try:
        for packet in source.demux(*streams):
            if packet.pts is None or packet.time_base is None:
                continue
            begin = float(packet.pts * packet.time_base)
            finish = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            start = begin if start is None else min(start, begin)
            end = max(end, finish)
            if end - start > limit:
                return None
    finally:
        source.seek(0)
    return 0.0 if start is None else end - start


def _remux(source: InputContainer, *, container: str) -> tuple[IO[bytes], int]:
    """Copy the audio and video packets into a new container in a temporary file: no
    metadata (GPS, device) and no stray atoms survive. Returns the file (rewound) and its
    size."""
    import av

    out_file = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        with av.open(out_file, mode="w", format=container) as out:
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
        size = out_file.seek(0, io.SEEK_END)
        out_file.seek(0)
    except BaseException:
        out_file.close()
        raise
    return out_file, size
