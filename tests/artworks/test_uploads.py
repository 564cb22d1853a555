"""Uploads: the type comes from the content; hostile files are refused with a clear 4xx on
the create page and in the API, leaving no row and no file behind."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from artworks import services, uploads
from artworks.media import thumbnail_formats
from artworks.models import Artwork
from tests.artworks import samples

pytestmark = pytest.mark.django_db

HOSTILE = {
    # case: (filename, client content type, bytes (or a callable), words the error must contain)
    "empty file": ("empty.png", "image/png", b"", "empty"),
    "wrong extension": (
        "shell.php",
        "application/x-php",
        b"<?php system($_GET['c']); ?>",
        "not a supported image or video",
    ),
    "extension and content disagree": (
        "holiday.jpg",
        "image/jpeg",
        b"%PDF-1.4\n1 0 obj << /JS (app.alert(1)) >> endobj\n",
        "not a supported image or video",
    ),
    "svg with script": ("logo.svg", "image/svg+xml", samples.SVG_WITH_SCRIPT, "SVG"),
    "html polyglot": ("cute.gif", "image/gif", samples.html_polyglot, "damaged"),
    "truncated jpeg": ("photo.jpg", "image/jpeg", samples.truncated_jpeg, "damaged"),
    "decompression bomb": ("bomb.png", "image/png", samples.decompression_bomb, "too large"),
    "oversize file": ("big.png", "image/png", None, "at most"),
    "corrupt video": ("clip.mp4", "video/mp4", samples.corrupt_video, "video is damaged"),
}


def hostile_upload(case: str, settings) -> SimpleUploadedFile:
    name, content_type, data, _words = HOSTILE[case]
    if case == "oversize file":
        settings.UPLOAD_MAX_IMAGE_BYTES = 2_000
        data = samples.image_bytes("PNG", size=(300, 300), color=None)  # noise-free but > 2 kB
        data = data + b"\0" * 3000 if len(data) <= 2_000 else data
    elif callable(data):
        data = data()
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_upload_is_refused_on_the_create_page(
    case, client, user, settings, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("artworks:create") + "?tab=upload",
            {
                "tab": "upload",
                "file": hostile_upload(case, settings),
                "title": "x",
                "ai_used": "no",
            },
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="field-error"' in body
    assert HOSTILE[case][3].lower() in body.lower()
    assert Artwork.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_upload_is_refused_by_the_api(
    case, client, user, settings, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/artworks/upload", {"file": hostile_upload(case, settings), "title": "x"}
        )
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert HOSTILE[case][3].lower() in detail.lower()
    assert Artwork.objects.count() == 0
    assert stored_files() == []


def test_hostile_reference_image_is_refused_and_nothing_is_created(
    client, user, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("artworks:create"),
            {
                "tab": "generate",
                "prompt": "a cat",
                "size": "1024x1024",
                "reference_image": SimpleUploadedFile(
                    "ref.png", samples.SVG_WITH_SCRIPT, content_type="image/png"
                ),
            },
        )
    assert response.status_code == 400
    assert "SVG" in response.content.decode()
    assert Artwork.objects.count() == 0
    assert stored_files() == []


# --- what is accepted, and how it is cleaned -----------------------------------------------


def test_the_name_and_client_type_are_ignored_content_decides(user):
    from artworks.services import artwork_upload

    png = samples.image_bytes("PNG")
    upload = SimpleUploadedFile("photo.exe", png, content_type="application/x-msdownload")
    artwork = artwork_upload(author=user, file=upload)
    assert artwork.original.name == f"artworks/original/{artwork.uuid}.png"
    assert artwork.content_type == "image/png"
    assert (artwork.width, artwork.height) == (40, 30)


def test_exif_and_gps_are_removed_and_orientation_applied():
    cleaned = uploads.clean_upload(io.BytesIO(samples.jpeg_with_gps_and_rotation()))
    image = Image.open(io.BytesIO(cleaned.data))
    assert (cleaned.ext, cleaned.content_type) == ("jpg", "image/jpeg")
    # orientation 6 on a 40×20 picture: upright it is 20×40
    assert image.size == (20, 40) == (cleaned.width, cleaned.height)
    assert dict(image.getexif()) == {}
    assert b"SpyCam" not in cleaned.data


def test_a_payload_appended_to_a_real_image_is_dropped_by_re_encoding():
    data = samples.image_bytes("PNG") + b"<script>alert(1)</script>"
    cleaned = uploads.clean_upload(io.BytesIO(data))
    assert b"<script>" not in cleaned.data
    assert Image.open(io.BytesIO(cleaned.data)).size == (40, 30)


@pytest.mark.parametrize(
    ("fmt", "ext"),
    [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif"), ("AVIF", "avif")],
)
def test_each_image_format_keeps_its_family(fmt, ext):
    cleaned = uploads.clean_upload(io.BytesIO(samples.image_bytes(fmt)))
    assert cleaned.kind == "image"
    assert cleaned.ext == ext
    assert Image.open(io.BytesIO(cleaned.data)).format == fmt


def test_a_jpeg_carrying_a_second_picture_is_taken_as_its_photo(settings):
    # Phones write a gain map or a depth map after the photo (MPO); Pillow names it "MPO".
    settings.UPLOAD_MAX_ANIMATION_PIXELS = 3_000  # both pictures together exceed it
    photo = Image.new("RGB", (60, 40), (200, 0, 0))
    buf = io.BytesIO()
    photo.save(buf, "MPO", save_all=True, append_images=[Image.new("RGB", (60, 40), (0, 0, 200))])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    cleaned = uploads.clean_upload(io.BytesIO(buf.getvalue()))
    assert (cleaned.ext, cleaned.content_type) == ("jpg", "image/jpeg")
    assert (cleaned.width, cleaned.height) == (60, 40)
    stored = Image.open(io.BytesIO(cleaned.data))
    assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1
    red, _green, blue = stored.convert("RGB").getpixel((30, 20))
    assert red > 150 and blue < 60  # the photo, not the picture after it


def test_animated_gif_stays_animated():
    frames = [Image.new("RGB", (30, 30), (i * 40, 0, 0)) for i in range(5)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    cleaned = uploads.clean_upload(io.BytesIO(buf.getvalue()))
    assert cleaned.ext == "gif"
    assert Image.open(io.BytesIO(cleaned.data)).n_frames == 5


@pytest.mark.parametrize("fmt", ["PNG", "AVIF"])
def test_an_animated_png_or_avif_stays_animated(fmt):
    # Kept as an animated WebP (their own encoders hold every frame at once).
    frames = [Image.new("RGB", (30, 20), (i * 60, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=120, loop=0)
    assert Image.open(io.BytesIO(buf.getvalue())).n_frames == 3
    cleaned = uploads.clean_upload(io.BytesIO(buf.getvalue()))
    assert (cleaned.ext, cleaned.content_type, cleaned.animated) == ("webp", "image/webp", True)
    stored = Image.open(io.BytesIO(cleaned.data))
    assert (stored.n_frames, stored.size) == (3, (30, 20))
    stored.seek(2)
    assert stored.convert("RGB").getpixel((15, 10))[0] > 100  # the last frame, not the first


def test_an_animated_png_is_held_to_webps_frame_limit(settings):
    settings.UPLOAD_MAX_PIXELS_BY_FORMAT = {**settings.UPLOAD_MAX_PIXELS_BY_FORMAT, "WEBP": 500}
    frames = [Image.new("RGB", (30, 20), (i * 60, 0, 0)) for i in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, "PNG", save_all=True, append_images=frames[1:], duration=120)
    with pytest.raises(ValidationError) as refused:
        uploads.clean_upload(io.BytesIO(buf.getvalue()))
    assert "frames of 30 × 20 pixels" in refused.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_an_animated_upload_moves_on_its_page(
    fmt, client, user, stored_files, django_capture_on_commit_callbacks
):
    # Thumbnails are stills of the first frame: the page shows an animation's original.
    frames = [Image.new("RGB", (60, 40), (i * 60, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    with django_capture_on_commit_callbacks(execute=True):
        animation = services.artwork_upload(author=user, file=io.BytesIO(buf.getvalue()))
        still = services.artwork_upload(author=user, file=io.BytesIO(samples.image_bytes(fmt)))
    client.force_login(user)
    for artwork, moves in ((animation, True), (still, False)):
        artwork.refresh_from_db()
        assert artwork.animated == moves
        assert artwork.thumbnails  # the cards show a still
        page = client.get(artwork.get_absolute_url()).content.decode()
        stage = page[page.index('class="artwork-stage') : page.index("</figure>")]
        assert (f'src="{artwork.url}"' in stage) == moves
        assert ("srcset=" in stage) != moves


@pytest.mark.parametrize("loop", [None, 0, 3])
def test_an_animated_gif_keeps_how_often_it_plays(loop):
    # Without a loop count (no NETSCAPE block) a GIF plays once; 0 is for ever.
    frames = [Image.new("RGB", (30, 30), (i * 40, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    options = {} if loop is None else {"loop": loop}
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=80, **options)
    cleaned = uploads.clean_upload(io.BytesIO(buf.getvalue()))
    assert Image.open(io.BytesIO(cleaned.data)).info.get("loop") == loop
    assert (b"NETSCAPE2.0" in cleaned.data) == (loop is not None)


@pytest.mark.parametrize(
    ("container", "codec", "expected_codec"),
    [("mp4", "libx264", "h264"), ("webm", "libvpx-vp9", "vp9"), ("webm", "libvpx", "vp8")],
)
def test_videos_are_probed(container, codec, expected_codec):
    cleaned = uploads.clean_upload(io.BytesIO(samples.video_bytes(container, codec)))
    assert cleaned.kind == "video"
    assert cleaned.ext == container
    assert cleaned.content_type == f"video/{container}"
    assert (cleaned.width, cleaned.height) == (64, 48)
    assert cleaned.duration_seconds == pytest.approx(1.0, abs=0.15)
    assert cleaned.codec == expected_codec
    # the remuxed file is itself a valid video
    assert uploads.clean_upload(io.BytesIO(cleaned.data)).codec == expected_codec


def test_a_portrait_phone_video_has_its_shown_size_and_an_upright_poster(
    user, django_capture_on_commit_callbacks
):
    # Phones store a portrait recording landscape with a display matrix that players follow.
    upload = SimpleUploadedFile("portrait.mp4", samples.portrait_phone_video())
    with django_capture_on_commit_callbacks(execute=True):
        artwork = services.artwork_upload(author=user, file=upload)
    artwork.refresh_from_db()
    assert (artwork.width, artwork.height) == (48, 64)
    with default_storage.open(artwork.poster, "rb") as poster:
        upright = Image.open(poster).convert("RGB")
        assert upright.size == (48, 64)
        top, bottom = upright.getpixel((24, 8)), upright.getpixel((24, 56))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # turned clockwise
    assert {(t["width"], t["height"]) for t in artwork.thumbnails} == {(48, 64)}


def test_a_video_longer_than_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_VIDEO_SECONDS = 1
    with pytest.raises(ValidationError, match="at most 1 seconds"):
        uploads.clean_upload(io.BytesIO(samples.video_bytes(seconds=2.0)))


def test_an_oversize_video_is_refused(settings):
    settings.UPLOAD_MAX_VIDEO_BYTES = 500
    with pytest.raises(ValidationError, match="Videos may be at most"):
        uploads.clean_upload(io.BytesIO(samples.video_bytes()))


def test_a_video_is_not_accepted_as_a_reference_image():
    with pytest.raises(ValidationError, match="choose an image"):
        uploads.clean_upload(io.BytesIO(samples.video_bytes()), allow_video=False)


@pytest.mark.parametrize("data", [b"just some text", b"<!doctype html><p>hi</p>"])
def test_a_reference_image_that_is_no_picture_is_not_called_a_video(data):
    # Where only an image is taken, the refusal does not speak of videos.
    with pytest.raises(ValidationError) as caught:
        uploads.clean_upload(io.BytesIO(data), allow_video=False)
    assert caught.value.messages == [
        "This file is not a supported image (JPEG, PNG, WebP, GIF, AVIF)."
    ]


def test_uploading_a_video_makes_a_poster_and_thumbnails(
    client, user, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(user)
    upload = SimpleUploadedFile("clip.webm", samples.video_bytes("webm", "libvpx-vp9"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/artworks/upload", {"file": upload, "title": "Clip"})
    assert response.status_code == 201, response.content
    artwork = Artwork.objects.get()
    assert artwork.kind == Artwork.Kind.VIDEO
    assert artwork.source == Artwork.Source.UPLOADED
    assert artwork.duration_seconds == pytest.approx(1.0, abs=0.15)
    assert artwork.poster == f"artworks/thumb/{artwork.uuid}_poster.jpg"
    assert artwork.thumb_status == Artwork.ThumbStatus.READY
    assert sorted(t["name"] for t in artwork.thumbnails) == sorted(
        f"artworks/thumb/{artwork.uuid}_64.{fmt}" for fmt, _ in thumbnail_formats()
    )
    assert stored_files() == sorted(
        [
            f"artworks/original/{artwork.uuid}.webm",
            *(f"artworks/thumb/{artwork.uuid}_64.{fmt}" for fmt, _ in thumbnail_formats()),
            f"artworks/thumb/{artwork.uuid}_poster.jpg",
        ]
    )
    with default_storage.open(artwork.poster, "rb") as fh:
        assert Image.open(fh).format == "JPEG"
    payload = response.json()
    assert payload["kind"] == "video"
    assert payload["url"].endswith(f"{artwork.uuid}.webm")
