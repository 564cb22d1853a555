"""Provenance inside the files: work made with AI carries the IPTC digital source type
(trainedAlgorithmicMedia, as XMP) in every image file the site writes for it, while EXIF and GPS
stay stripped; an upload's C2PA manifest is read, summarised, and kept valid in the stored
original (tests/artworks/c2pa_samples.py signs a sample with a throwaway certificate chain)."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from artworks import services
from artworks.models import Artwork
from artworks.provenance import carries_ai_source_type
from tests.artworks.c2pa_samples import (
    ISSUER_ORG,
    SIGNER_NAME,
    TOOL,
    read_manifest,
    signed_image,
    signing_chain,
)
from tests.artworks.samples import image_bytes, jpeg_with_gps_and_rotation, video_bytes

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def xmp_of(data: bytes) -> bytes | str | None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.info.get("xmp")


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD))


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def files_of(artwork: Artwork) -> list[str]:
    """The original, the thumbnails and the poster of an artwork, once its media are made."""
    artwork.refresh_from_db()
    names = [artwork.original.name, *(t["name"] for t in artwork.thumbnails)]
    return names + ([artwork.poster] if artwork.poster else [])


def upload(user, data: bytes, name: str, *, ai: bool, capture) -> Artwork:
    with capture(execute=True):
        return services.artwork_upload(
            author=user, file=SimpleUploadedFile(name, data), ai_generated=ai
        )


class TestIptcInTheFiles:
    def test_a_generated_original_and_its_thumbnails_say_trained_algorithmic_media(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            artwork = services.artwork_generate(author=user, prompt="a lake", width=320, height=256)
        artwork.refresh_from_db()
        assert artwork.ai_generated and artwork.generation_status == "done"
        names = files_of(artwork)
        assert len(names) >= 3  # the original, and WebP (and AVIF) thumbnails
        for name in names:
            data = stored(name)
            assert carries_ai_source_type(xmp_of(data)), name
            assert b"Iptc4xmpExt:DigitalSourceType" in data, name
            assert not has_gps(data) and not exif_of(data), name

    @pytest.mark.parametrize("fmt,name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")])
    def test_an_upload_declared_made_with_ai_carries_it_in_every_file(
        self, user, fmt, name, django_capture_on_commit_callbacks
    ):
        artwork = upload(
            user, image_bytes(fmt), name, ai=True, capture=django_capture_on_commit_callbacks
        )
        assert artwork.ai_generated
        for stored_name in files_of(artwork):
            assert carries_ai_source_type(xmp_of(stored(stored_name))), stored_name

    def test_gps_and_exif_stay_stripped_when_the_xmp_is_written(
        self, user, django_capture_on_commit_callbacks
    ):
        artwork = upload(
            user,
            jpeg_with_gps_and_rotation(),
            "spy.jpg",
            ai=True,
            capture=django_capture_on_commit_callbacks,
        )
        for name in files_of(artwork):
            data = stored(name)
            assert carries_ai_source_type(xmp_of(data)), name
            assert not has_gps(data), name
            assert b"SpyCam" not in data, name
        assert (artwork.width, artwork.height) == (20, 40)  # turned upright, as before

    def test_an_upload_made_without_ai_carries_no_xmp_at_all(
        self, user, django_capture_on_commit_callbacks
    ):
        data = image_bytes("JPEG", xmp=b"<x:xmpmeta>planted trainedAlgorithmicMedia</x:xmpmeta>")
        artwork = upload(user, data, "a.jpg", ai=False, capture=django_capture_on_commit_callbacks)
        assert not artwork.ai_generated
        for name in files_of(artwork):
            content = stored(name)
            assert xmp_of(content) in (None, b"", ""), name
            assert b"trainedAlgorithmicMedia" not in content, name

    def test_an_ai_video_gets_the_xmp_in_its_poster_and_thumbnails(
        self, user, django_capture_on_commit_callbacks
    ):
        artwork = upload(
            user, video_bytes("mp4"), "v.mp4", ai=True, capture=django_capture_on_commit_callbacks
        )
        names = files_of(artwork)[1:]  # the video itself is remuxed without metadata
        assert any(n.endswith("_poster.jpg") for n in names)
        for name in names:
            assert carries_ai_source_type(xmp_of(stored(name))), name


class TestContentCredentials:
    def test_a_signed_upload_keeps_a_valid_manifest_in_storage_and_is_summarised(
        self, user, django_capture_on_commit_callbacks
    ):
        signed = signed_image(image_bytes("JPEG", size=(64, 48)))
        assert read_manifest(signed)[0] == "Valid"
        artwork = upload(user, signed, "c.jpg", ai=True, capture=django_capture_on_commit_callbacks)

        original = stored(artwork.original.name)
        assert original == signed  # the signed bytes are the original
        state, manifest = read_manifest(original)
        assert state == "Valid"
        assert manifest["signature_info"]["issuer"] == ISSUER_ORG
        credentials = artwork.content_credentials
        assert credentials["issuer"] == ISSUER_ORG
        assert credentials["signer"] == SIGNER_NAME
        assert credentials["tool"] == f"{TOOL} 1.0"
        assert [a["action"] for a in credentials["actions"]] == ["c2pa.created", "c2pa.resized"]
        assert credentials["actions"][0]["software_agent"] == "Dreamer 2"
        assert credentials["validation_state"] == "Valid"
        assert credentials["kept"] is True
        assert artwork.original.name.endswith(".jpg") and artwork.content_type == "image/jpeg"
        # Thumbnails are the site's own files: re-encoded, with the IPTC source type.
        for name in files_of(artwork)[1:]:
            assert carries_ai_source_type(xmp_of(stored(name))), name

    @pytest.mark.parametrize("fmt,mime", [("PNG", "image/png"), ("WEBP", "image/webp")])
    def test_png_and_webp_manifests_are_kept_too(self, user, fmt, mime):
        signed = signed_image(image_bytes(fmt), mime=mime)
        artwork = services.artwork_upload(author=user, file=SimpleUploadedFile("c", signed))
        assert read_manifest(stored(artwork.original.name), mime=mime)[0] == "Valid"
        assert artwork.content_credentials["kept"] is True

    def test_with_the_issuer_among_the_trust_anchors_the_manifest_is_trusted(
        self, user, settings, tmp_path
    ):
        anchors = tmp_path / "anchors.pem"
        anchors.write_bytes(signing_chain().root_pem)
        settings.C2PA_TRUST_ANCHORS_FILE = str(anchors)
        signed = signed_image(image_bytes("JPEG"))
        artwork = services.artwork_upload(author=user, file=SimpleUploadedFile("c.jpg", signed))
        assert artwork.content_credentials["validation_state"] == "Trusted"
        assert artwork.content_credentials["kept"] is True

    def test_a_tampered_file_is_summarised_as_invalid_and_re_encoded(self, user):
        signed = bytearray(signed_image(image_bytes("JPEG", size=(64, 48))))
        signed[-40] ^= 0xFF  # a pixel byte after the manifest: the hash no longer matches
        artwork = services.artwork_upload(author=user, file=SimpleUploadedFile("t.jpg", signed))
        credentials = artwork.content_credentials
        assert credentials["validation_state"] == "Invalid"
        assert "assertion.dataHash.mismatch" in credentials["validation_failures"]
        assert credentials["kept"] is False
        original = stored(artwork.original.name)
        assert original != bytes(signed)
        assert read_manifest(original) == (None, None)  # re-encoded, as every upload is

    def test_a_signed_file_with_a_gps_location_is_re_encoded_without_it(self, user):
        signed = signed_image(jpeg_with_gps_and_rotation())
        assert read_manifest(signed)[0] == "Valid"
        artwork = services.artwork_upload(author=user, file=SimpleUploadedFile("g.jpg", signed))
        assert artwork.content_credentials["validation_state"] == "Valid"
        assert artwork.content_credentials["kept"] is False
        original = stored(artwork.original.name)
        assert not has_gps(original) and b"SpyCam" not in original

    def test_an_upload_without_a_manifest_has_no_credentials(self, user):
        artwork = services.artwork_upload(
            author=user, file=SimpleUploadedFile("a.png", image_bytes("PNG"))
        )
        assert artwork.content_credentials == {}

    def test_a_signed_file_that_is_not_a_picture_is_still_refused(self, user, stored_files):
        from django.core.exceptions import ValidationError

        signed = signed_image(image_bytes("JPEG"))
        broken = signed[: len(signed) // 2]  # a truncated picture, manifest and all
        with pytest.raises(ValidationError):
            services.artwork_upload(author=user, file=SimpleUploadedFile("b.jpg", broken))
        assert Artwork.objects.count() == 0 and stored_files() == []

    def test_text_in_a_manifest_is_bounded(self, user):
        import c2pa

        from artworks.uploads.credentials import MAX_ACTIONS, MAX_TEXT

        chain_tool = "x" * 5000
        chain = signing_chain()
        manifest = {
            "claim_generator_info": [{"name": chain_tool, "version": "1"}],
            "assertions": [
                {
                    "label": "c2pa.actions",
                    "data": {
                        "actions": [
                            {"action": "c2pa.created", "digitalSourceType": DIGITAL_CAPTURE},
                            *({"action": "c2pa.edited"} for _ in range(40)),
                        ]
                    },
                }
            ],
        }
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain.chain_pem, chain.key_pem, None)
        out = io.BytesIO()
        with c2pa.Builder(manifest) as builder:
            builder.sign(
                c2pa.Signer.from_info(info), "image/jpeg", io.BytesIO(image_bytes("JPEG")), out
            )
        artwork = services.artwork_upload(
            author=user, file=SimpleUploadedFile("l.jpg", out.getvalue())
        )
        credentials = artwork.content_credentials
        assert len(credentials["tool"]) <= MAX_TEXT
        assert len(credentials["actions"]) == MAX_ACTIONS


def test_a_generated_draft_is_made_with_ai_however_it_is_created(user):
    artwork = services.artwork_create_draft(
        author=user, title="t", source=Artwork.Source.GENERATED, content=image_bytes(), ext="png"
    )
    assert artwork.ai_generated
