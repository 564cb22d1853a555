"""Thumbnails are right: sizes, aspect ratio, orientation, no EXIF, placeholder."""

import base64
import io
import struct

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageCms

from artworks.media import render_image_derivatives, thumbnail_formats
from artworks.models import Artwork
from artworks.services import artwork_make_thumbnails
from tests.factories import ArtworkFactory

EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825


def photo_with_exif(width: int, height: int, orientation: int = 1) -> bytes:
    """A JPEG whose left half is red and right half blue, with EXIF orientation + GPS."""
    image = Image.new("RGB", (width, height), (220, 30, 30))
    image.paste((30, 30, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    exif[0x010F] = "CameraMaker"
    exif.get_ifd(EXIF_GPS_IFD)[2] = (52.0, 31.0, 12.0)  # GPSLatitude
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def open_bytes(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_widths_aspect_ratio_and_formats():
    derivatives = render_image_derivatives(photo_with_exif(2000, 1000))
    formats = {fmt for fmt, _ in thumbnail_formats()}
    assert "webp" in formats
    widths = sorted({t.width for t in derivatives.thumbnails})
    assert widths == [320, 640, 1280]
    for thumb in derivatives.thumbnails:
        image = open_bytes(thumb.data)
        assert image.size == (thumb.width, thumb.height)
        assert image.format.lower() == thumb.format
        assert abs(thumb.width / thumb.height - 2.0) < 0.01
    assert {t.format for t in derivatives.thumbnails} == formats


def test_small_originals_are_never_upscaled():
    derivatives = render_image_derivatives(photo_with_exif(500, 400))
    assert sorted({t.width for t in derivatives.thumbnails}) == [320, 500]


@pytest.mark.parametrize("size", [(4, 20_000), (700, 40_000)])
def test_a_very_tall_picture_gets_thumbnails_webp_can_hold(size):
    # WebP holds at most 16383 pixels a side; such a picture is well within the upload limits.
    buf = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(buf, "PNG")
    derivatives = render_image_derivatives(buf.getvalue())
    assert derivatives.thumbnails
    for thumb in derivatives.thumbnails:
        image = open_bytes(thumb.data)
        assert image.size == (thumb.width, thumb.height)
        assert thumb.height <= 16383
    keys = [(t.width, t.format) for t in derivatives.thumbnails]
    assert len(keys) == len(set(keys))  # one file a width and format


def test_orientation_is_applied_and_exif_removed():
    # Orientation 6 = rotate 90° clockwise for display: a 400x200 stored image shows 200x400,
    # and the red (left) half ends up on top.
    derivatives = render_image_derivatives(photo_with_exif(400, 200, orientation=6))
    assert (derivatives.width, derivatives.height) == (200, 400)
    for thumb in derivatives.thumbnails:
        image = open_bytes(thumb.data)
        assert image.height > image.width
        top = image.convert("RGB").getpixel((image.width // 2, image.height // 8))
        assert top[0] > 150 and top[2] < 100, top
        assert not image.getexif(), "EXIF must be stripped"
        assert b"CameraMaker" not in thumb.data


def test_placeholder_is_tiny_and_colour_is_dominant():
    derivatives = render_image_derivatives(photo_with_exif(300, 300))
    assert derivatives.placeholder_data_uri.startswith("data:image/webp;base64,")
    raw = base64.b64decode(derivatives.placeholder_data_uri.split(",", 1)[1])
    assert len(raw) < 1000
    assert max(open_bytes(raw).size) <= 16
    r, g, b = (int(derivatives.dominant_color[i : i + 2], 16) for i in (1, 3, 5))
    assert r > 80 and b > 80 and g < 80  # a mix of the red and blue halves


def profile_with_red_and_blue_swapped() -> bytes:
    """An RGB colour profile (sRGB's, with its red and blue primaries swapped): a picture
    tagged with it whose red channel is full means blue."""
    srgb = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", srgb[128:132])[0]
    entries = {}
    for index in range(count):
        signature, offset, size = struct.unpack(">4sII", srgb[132 + 12 * index : 144 + 12 * index])
        entries[signature] = (132 + 12 * index, offset, size)
    (red_at, *red), (blue_at, *blue) = entries[b"rXYZ"], entries[b"bXYZ"]
    struct.pack_into(">4sII", srgb, red_at, b"rXYZ", *blue)
    struct.pack_into(">4sII", srgb, blue_at, b"bXYZ", *red)
    return bytes(srgb)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_thumbnails_show_the_colours_of_the_originals_profile(fmt):
    # Thumbnails carry no profile, so browsers read them as sRGB: a wide-gamut original
    # (Display P3, Adobe RGB) must be converted, or its thumbnails show other colours.
    buf = io.BytesIO()
    picture = Image.new("RGB", (400, 300), (220, 30, 30))
    picture.save(buf, fmt, icc_profile=profile_with_red_and_blue_swapped())
    derivatives = render_image_derivatives(buf.getvalue())
    for thumb in derivatives.thumbnails:
        red, _green, blue = open_bytes(thumb.data).convert("RGB").getpixel((10, 10))
        assert blue > 150 and red < 100, (thumb.format, red, blue)
    assert derivatives.dominant_color[5:7] > derivatives.dominant_color[1:3]  # blue over red


def test_a_16_bit_greyscale_png_keeps_its_tones():
    # Dark grey on the left (0x2000 of 0xFFFF), light grey on the right (0xC000): scanners and
    # image tools write such PNGs, and a conversion that clips at 255 turned them white.
    row = b"\x00\x20" * 100 + b"\x00\xc0" * 100
    picture = Image.frombytes("I;16", (200, 100), row * 100)
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    assert open_bytes(buf.getvalue()).mode.startswith("I")
    derivatives = render_image_derivatives(buf.getvalue())
    for thumb in derivatives.thumbnails:
        image = open_bytes(thumb.data).convert("L")
        left = image.getpixel((image.width // 4, image.height // 2))
        right = image.getpixel((image.width * 3 // 4, image.height // 2))
        assert 20 < left < 45 and 180 < right < 205, (thumb.format, left, right)
    grey = int(derivatives.dominant_color[1:3], 16)
    assert 90 < grey < 130, derivatives.dominant_color


@pytest.mark.django_db
def test_task_stores_thumbnails_and_is_idempotent(stored_files):
    artwork = ArtworkFactory(with_file=False)
    key = f"artworks/original/{artwork.uuid}.jpg"
    artwork.original.name = default_storage.save(key, io.BytesIO(photo_with_exif(900, 600)))
    artwork.save()

    artwork_make_thumbnails(artwork_id=artwork.pk)
    first = stored_files()
    artwork_make_thumbnails(artwork_id=artwork.pk)  # running twice changes nothing more
    assert stored_files() == first
    artwork.refresh_from_db()
    assert artwork.thumb_status == Artwork.ThumbStatus.READY
    assert artwork.placeholder_data and artwork.placeholder_color.startswith("#")
    names = sorted(t["name"] for t in artwork.thumbnails)
    assert names == sorted(f for f in first if f.startswith("artworks/thumb/"))
    assert all(n.startswith(f"artworks/thumb/{artwork.uuid}_") for n in names)
