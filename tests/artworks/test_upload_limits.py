"""Uploads with bounded cost: an animation is limited by its decoded size, a video's length is
measured from its stream rather than its header, and Pillow's bomb guard stays on."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from artworks import uploads
from artworks.models import Artwork
from common.images import TooManyPixels, open_image
from tests.artworks import samples

pytestmark = pytest.mark.django_db

PILLOW_DEFAULT_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3


def post_upload(client, *, via: str, data: bytes, name: str):
    upload = SimpleUploadedFile(name, data)
    if via == "form":
        return client.post(
            reverse("artworks:create") + "?tab=upload",
            {"tab": "upload", "file": upload, "title": "x", "ai_used": "no"},
        )
    return client.post("/api/artworks/upload", {"file": upload, "title": "x"})


def error_text(response, *, via: str) -> str:
    if via == "form":
        assert 'class="field-error"' in response.content.decode()
        return response.content.decode()
    return response.json()["detail"]


# --- animations ------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["form", "api"])
def test_an_animation_bomb_is_refused_and_nothing_is_saved(
    via, client, user, stored_files, django_capture_on_commit_callbacks
):
    # 600 frames of 516 × 516 in 15 kB: 160 megapixels once decoded.
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, via=via, data=samples.gif_bomb(), name="cat.gif")
    assert response.status_code == 400, response.content[:500]
    text = error_text(response, via=via)
    assert "animation is too large" in text
    assert "600 frames of 516 × 516" in text
    assert Artwork.objects.count() == 0
    assert stored_files() == []


def animation(fmt: str, *, frames: int, size=(64, 64), durations=None) -> bytes:
    pictures = [
        Image.new("RGB", size, (i * 23 % 256, 255 - i * 23 % 256, 90)) for i in range(frames)
    ]
    buf = io.BytesIO()
    pictures[0].save(
        buf, fmt, save_all=True, append_images=pictures[1:], duration=durations or 100, loop=0
    )
    return buf.getvalue()


def test_the_animation_limit_counts_frames_times_pixels(settings):
    settings.UPLOAD_MAX_ANIMATION_PIXELS = 10 * 64 * 64
    ten = uploads.clean_upload(io.BytesIO(animation("GIF", frames=10)))
    assert Image.open(io.BytesIO(ten.data)).n_frames == 10
    with pytest.raises(ValidationError, match="animation is too large"):
        uploads.clean_upload(io.BytesIO(animation("GIF", frames=11)))


def test_an_animated_png_is_limited_too(settings):
    settings.UPLOAD_MAX_ANIMATION_PIXELS = 3 * 64 * 64
    with pytest.raises(ValidationError, match="animation is too large"):
        uploads.clean_upload(io.BytesIO(animation("PNG", frames=4)))


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_an_accepted_animation_keeps_every_frame_and_its_timing(fmt):
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (220, 220, 30)]
    frames = [Image.new("RGB", (48, 32), colour) for colour in colours]
    buf = io.BytesIO()
    frames[0].save(
        buf, fmt, save_all=True, append_images=frames[1:], duration=[80, 120, 160, 200], loop=0
    )
    cleaned = uploads.clean_upload(io.BytesIO(buf.getvalue()))
    assert (cleaned.ext, cleaned.width, cleaned.height) == (fmt.lower(), 48, 32)
    result = Image.open(io.BytesIO(cleaned.data))
    assert result.n_frames == 4
    durations, pixels = [], []
    for index in range(4):
        result.seek(index)
        result.load()  # WebP tells a frame's duration once it is decoded
        durations.append(result.info["duration"])
        pixels.append(result.convert("RGB").getpixel((24, 16)))
    assert durations == [80, 120, 160, 200]
    for got, want in zip(pixels, colours, strict=True):
        assert all(abs(g - w) < 30 for g, w in zip(got, want, strict=True)), (got, want)


# --- videos ----------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["form", "api"])
def test_a_long_video_whose_header_claims_one_second_is_refused(
    via, client, user, stored_files, django_capture_on_commit_callbacks
):
    lying = samples.video_with_lying_header(seconds=90, claims=1)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, via=via, data=lying, name="short.mp4")
    assert response.status_code == 400, response.content[:500]
    assert "at most 60 seconds long" in error_text(response, via=via)
    assert Artwork.objects.count() == 0
    assert stored_files() == []


def test_a_video_is_as_long_as_it_plays_not_as_its_header_says():
    lying = samples.video_with_lying_header(seconds=30, claims=1)
    cleaned = uploads.clean_upload(io.BytesIO(lying))
    assert cleaned.duration_seconds == pytest.approx(30.0, abs=0.6)


def test_measuring_a_long_video_stops_at_the_limit(settings):
    # 60 s at 2 fps is 120 packets: past 5 s the rest is never read.
    settings.UPLOAD_MAX_VIDEO_SECONDS = 5
    lying = samples.video_with_lying_header(seconds=60, claims=1)
    import av

    with av.open(io.BytesIO(lying)) as container:
        assert uploads.videos._played_duration(container, limit=5) is None
        packets = sum(1 for packet in container.demux(container.streams.video[0]) if packet.size)
    assert packets >= 100
    with pytest.raises(ValidationError, match="at most 5 seconds long; this one is longer"):
        uploads.clean_upload(io.BytesIO(lying))


def test_an_uploaded_video_is_read_from_its_temporary_file(settings, tmp_path):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE an upload is a file on disk; FFmpeg reads it by path,
    and the cleaned video is a temporary file, not bytes in memory."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    data = samples.video_bytes("mp4", "libx264", seconds=2.0)
    upload = TemporaryUploadedFile("clip.mp4", "video/mp4", len(data), None)
    upload.write(data)
    upload.seek(0)
    read_through_python = []
    original_read = upload.file.read

    def counting_read(size=-1):
        chunk = original_read(size)
        read_through_python.append(len(chunk))
        return chunk

    upload.file.read = counting_read
    with uploads.clean_upload(upload) as cleaned:
        assert cleaned.kind == "video"
        assert not isinstance(cleaned.file, io.BytesIO)
        assert cleaned.size == len(cleaned.data) > 0
    assert sum(read_through_python) <= 4096  # the sniffed head only
    upload.close()


# --- Pillow's own guard --------------------------------------------------------------------


def test_pillows_bomb_guard_stays_on_and_limits_are_explicit():
    import artworks.media  # noqa: F401  (importing it once switched the guard off)

    assert Image.MAX_IMAGE_PIXELS == PILLOW_DEFAULT_MAX_PIXELS
    png = samples.image_bytes("PNG", size=(40, 30))
    assert open_image(io.BytesIO(png), max_pixels=40 * 30).size == (40, 30)
    with pytest.raises(TooManyPixels):
        open_image(io.BytesIO(png), max_pixels=40 * 30 - 1)


# --- large stills in bounded memory --------------------------------------------------------


@pytest.mark.parametrize("transposition", list(Image.Transpose))
def test_turning_upright_through_strips_matches_transpose(transposition, monkeypatch):
    monkeypatch.setattr(uploads.images, "STRIP_BYTES", 37 * 4 * 3)  # three rows a strip, and a rest
    picture = Image.effect_noise((37, 23), 60).convert("RGB")
    turned = uploads.images._turned(picture.copy(), transposition)
    expected = picture.transpose(transposition)
    assert turned.size == expected.size
    assert turned.tobytes() == expected.tobytes()


def test_reducing_in_strips_matches_reduce(monkeypatch):
    import common.images

    monkeypatch.setattr(common.images, "STRIP_BYTES", 50 * 4 * 6)
    picture = Image.effect_noise((50, 31), 60).convert("RGB")
    reduced = common.images.reduce_in_strips(picture, 3, flatten=True)
    assert reduced.tobytes() == picture.reduce(3).tobytes()


def test_webp_and_avif_have_their_own_pixel_limit(settings):
    settings.UPLOAD_MAX_PIXELS_BY_FORMAT = {"WEBP": 40 * 30 - 1}
    with pytest.raises(ValidationError, match=r"too large \(40 × 30\)"):
        uploads.clean_upload(io.BytesIO(samples.image_bytes("WEBP", size=(40, 30))))
    assert uploads.clean_upload(io.BytesIO(samples.image_bytes("PNG", size=(40, 30))))


def test_the_default_pixel_limit_reads_as_people_count_megapixels():
    from artworks.uploads.images import _too_many_pixels

    message = _too_many_pixels(7680 * 4320, 9000, 5000).messages[0]
    assert "9000 × 5000" in message
    assert "at most 33.2 megapixels" in message
