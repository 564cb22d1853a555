"""Sample files for upload tests, made in the test process: real images and tiny videos
(encoded with PyAV), and hostile files."""

from __future__ import annotations

import functools
import io
import struct

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
def video_bytes(
    container: str = "mp4",
    codec: str = "libx264",
    seconds: float = 1.0,
    *,
    fps: int = 10,
    side: int | None = None,
) -> bytes:
    width, height = (side, side) if side else (64, 48)
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        for i in range(int(seconds * fps)):
            picture = Image.new("RGB", (width, height), (i * 20 % 255, 90, 160))
            frame = av.VideoFrame.from_image(picture)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def portrait_phone_video() -> bytes:
    """A 64 × 48 video, red on its left half and blue on its right, with the display matrix a
    phone writes for a portrait recording: players turn it 90° clockwise and show it 48 × 64,
    red on top."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuv420p"
        picture = Image.new("RGB", (64, 48), (0, 0, 255))
        picture.paste((255, 0, 0), (0, 0, 32, 48))
        for _ in range(10):
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    data = bytearray(buf.getvalue())
    tkhd = data.find(b"tkhd")
    # version 0: flags, times, track id, reserved, duration (20), reserved, layer, group,
    # volume, reserved (16), then the 3 × 3 matrix
    matrix = tkhd + 4 + 4 + 20 + 16
    assert data[tkhd + 4] == 0
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30)
    return bytes(data)


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


def gif_bomb(*, frames: int = 600, side: int = 516) -> bytes:
    """A few kilobytes of GIF that decode to `frames` frames of side × side pixels: every
    frame is one pixel on a large canvas, and a decoder expands each to the whole canvas."""
    one_pixel = io.BytesIO()
    Image.new("P", (1, 1), 1).save(one_pixel, "GIF")
    data = one_pixel.getvalue()
    # The 1×1 file's image descriptor and pixel data (from the 0x2C separator to the trailer).
    image_block = data[data.index(b"\x2c", 13) : -1]
    palette = bytes([0, 0, 0, 255, 255, 255])
    screen = b"GIF89a" + struct.pack("<HHBBB", side, side, 0x80, 0, 0) + palette
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = b"\x21\xf9\x04\x00\x0a\x00\x00\x00" + image_block  # 100 ms a frame
    return screen + loop + frame * frames + b"\x3b"


def _mp4_boxes(data: bytes | bytearray, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        yield kind, pos + 8, pos + size
        pos += size


def video_with_lying_header(*, seconds: float, claims: float) -> bytes:
    """An MP4 that plays `seconds` but whose headers (mvhd, tkhd, mdhd and the edit list)
    all claim `claims` seconds."""
    data = bytearray(video_bytes("mp4", "libx264", seconds=seconds, fps=2, side=32))
    movie_scale = 1000

    def patch(start: int, end: int) -> None:
        nonlocal movie_scale
        for kind, body, box_end in _mp4_boxes(data, start, end):
            if kind in (b"moov", b"trak", b"mdia", b"edts"):
                patch(body, box_end)
            elif kind == b"mvhd":  # version 0: flags, created, modified, timescale, duration
                movie_scale = struct.unpack(">I", data[body + 12 : body + 16])[0]
                data[body + 16 : body + 20] = struct.pack(">I", int(claims * movie_scale))
            elif kind == b"tkhd":  # version 0: flags, created, modified, track, reserved, duration
                data[body + 20 : body + 24] = struct.pack(">I", int(claims * movie_scale))
            elif kind == b"mdhd":
                scale = struct.unpack(">I", data[body + 12 : body + 16])[0]
                data[body + 16 : body + 20] = struct.pack(">I", int(claims * scale))
            elif kind == b"elst":
                for entry in range(struct.unpack(">I", data[body + 4 : body + 8])[0]):
                    offset = body + 8 + entry * 12
                    data[offset : offset + 4] = struct.pack(">I", int(claims * movie_scale))

    patch(0, len(data))
    return bytes(data)
