"""Videos: probed with PyAV, measured by their packets' timestamps, one frame decoded, and
remuxed without metadata into a temporary file."""

from __future__ import annotations

import io
import tempfile
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from av.container import InputContainer


from .base import (
    AUDIO_CODECS,
    VIDEO_CODECS,
    CleanFile,
    _refuse,
)


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
        if round(frame.rotation) % 180:
            # A phone's portrait recording: stored on its side, shown turned (display matrix).
            width, height = height, width
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
