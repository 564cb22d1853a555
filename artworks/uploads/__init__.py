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

import dataclasses
import io
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..provenance import xmp_for
from .base import ACCEPTED_HELP, IMAGE_FORMATS, CleanFile, _refuse
from .credentials import (
    KEEPABLE_TYPES,
    copy_bytes,
    may_keep_original,
    read_content_credentials,
)
from .images import clean_image
from .videos import clean_video

__all__ = [
    "ACCEPTED_HELP",
    "IMAGE_FORMATS",
    "CleanFile",
    "clean_image",
    "clean_upload",
    "clean_video",
    "sniff",
]


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


def clean_upload(
    fileobj: IO[bytes],
    *,
    allow_video: bool = True,
    ai_generated: bool = False,
    with_credentials: bool = False,
) -> CleanFile:
    """Validate and clean an uploaded image or video. Raises ValidationError.

    `fileobj` is read where it lies (an uploaded temporary file, or any seekable file):
    only the first bytes are read to decide the type, the size comes from its length.
    `ai_generated`: a re-encoded image carries the IPTC source type of AI work (XMP).
    `with_credentials`: an image's C2PA manifest is read (and kept: see `_with_credentials`)."""
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
        if not allow_video:
            raise _refuse(
                _("This file is not a supported image (%(types)s).")
                % {"types": ACCEPTED_HELP.rsplit(",", 2)[0]}
            )
        raise _refuse(
            _("This file is not a supported image or video (%(types)s).") % {"types": ACCEPTED_HELP}
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
    cleaned = clean_image(fileobj, expected=kind, xmp=xmp_for(ai_generated=ai_generated))
    if not with_credentials:
        return cleaned
    return _with_credentials(fileobj, cleaned, container=kind, size=size)


# The extension a kept original is stored under, by the container its bytes announce.
_KEPT_EXT = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}


def _with_credentials(
    fileobj: IO[bytes], cleaned: CleanFile, *, container: str, size: int
) -> CleanFile:
    """The cleaned image with the summary of its C2PA manifest. A manifest that validates is
    bound to the upload's exact bytes: those are kept as the original instead of the
    re-encoded copy (decoded in full all the same), unless they carry a GPS location."""
    credentials = read_content_credentials(fileobj, container=container)
    if not credentials:
        return cleaned
    if not may_keep_original(credentials, fileobj):
        return dataclasses.replace(cleaned, content_credentials={**credentials, "kept": False})
    cleaned.close()
    return CleanFile(
        file=copy_bytes(fileobj),
        size=size,
        kind="image",
        ext=_KEPT_EXT[container],
        content_type=KEEPABLE_TYPES[container],
        width=cleaned.width,
        height=cleaned.height,
        animated=cleaned.animated,
        content_credentials={**credentials, "kept": True},
    )
