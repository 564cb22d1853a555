"""Sample files for upload tests, made in the test process: real images and tiny videos
(encoded with PyAV), and hostile files."""

from __future__ import annotations

import functools
import io

import av
from PIL import Image


def image_bytes(fmt: str = "PNG", size=(40, 30), color=(10, 200, 30), **save_kwargs) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt, **save_kwargs)
    return buf.getvalue()


def jpeg_with_gps_and_rotation() -> bytes:
    """A 40×20 JPEG with EXIF orientation 6 (rotate 90°), a camera make and GPS coordinates."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    return image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())


@functools.cache
def video_bytes(container: str = "mp4", codec: str = "libx264", seconds: float = 1.0) -> bytes:
    fps = 10
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuv420p"
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (i * 20 % 255, 90, 160)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)


def html_polyglot() -> bytes:
    """GIF magic bytes followed by an HTML page: sniffed as a GIF by naive checks, rendered as
    HTML by a browser that ignores the content type."""
    return b"GIF89a/*<html><body><script>alert(document.domain)</script></body></html>*/"


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(200, 200), quality=95)
    return data[: len(data) // 2]


def decompression_bomb() -> bytes:
    """A small PNG that claims 20000 × 20000 pixels (400 megapixels)."""
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def corrupt_video() -> bytes:
    """A real MP4 header (ftyp) followed by garbage."""
    data = video_bytes()
    return data[:32] + bytes(range(256)) * 8
