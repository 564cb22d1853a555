"""C2PA content credentials of an uploaded image: read with c2pa-python, summarised for the
artwork page (issuer, tool, actions, validity), and whether the upload's own bytes may stay its
original so that the manifest stays valid.

A manifest is bound to the exact bytes of its file (a hash over them), so a re-encoded copy
would carry none. An image whose manifest validates is therefore kept as uploaded, after the
same full decode every upload gets (`clean_image` has read it already), unless it carries a
GPS location: a location is never published, and a manifest cannot survive its removal. The
manifest is read offline: no remote manifest and no OCSP responder is ever fetched."""

from __future__ import annotations

import io
import logging
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from PIL import Image

if TYPE_CHECKING:
    import c2pa

logger = logging.getLogger(__name__)

# Containers whose bytes may be kept as the original (still images the site serves as such).
KEEPABLE_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}
VALID_STATES = frozenset({"Valid", "Trusted"})
MAX_ACTIONS = 12
MAX_TEXT = 200
GPS_IFD = 0x8825


def _text(value: object) -> str:
    return " ".join(str(value or "").split())[:MAX_TEXT]


def _reader_context() -> c2pa.Context:
    import c2pa

    verify: dict[str, object] = {"remote_manifest_fetch": False, "ocsp_fetch": False}
    anchors = _trust_anchors()
    verify["verify_trust"] = bool(anchors)
    config: dict[str, object] = {"verify": verify}
    if anchors:
        config["trust"] = {"user_anchors": anchors}
    return c2pa.Context.from_dict(config)


def _trust_anchors() -> str:
    path = getattr(settings, "C2PA_TRUST_ANCHORS_FILE", "")
    if not path:
        return ""
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read()
    except OSError:
        logger.warning("C2PA_TRUST_ANCHORS_FILE %s cannot be read", path)
        return ""


def _tool(manifest: dict[str, Any]) -> str:
    infos = manifest.get("claim_generator_info") or []
    if isinstance(infos, list) and infos and isinstance(infos[0], dict):
        first = infos[0]
        return _text(" ".join(str(first.get(k, "")) for k in ("name", "version")))
    return _text(manifest.get("claim_generator", "").split(" ")[0])


def _agent(action: dict[str, Any]) -> str:
    agent = action.get("softwareAgent")
    if isinstance(agent, dict):
        agent = " ".join(str(agent.get(k, "")) for k in ("name", "version"))
    return _text(agent)


def _actions(manifest: dict[str, Any]) -> list[dict[str, str]]:
    actions: list[dict[str, str]] = []
    for assertion in manifest.get("assertions") or []:
        if not isinstance(assertion, dict):
            continue
        if str(assertion.get("label", "")).split(".v")[0] != "c2pa.actions":
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if isinstance(action, dict) and len(actions) < MAX_ACTIONS:
                actions.append(
                    {
                        "action": _text(action.get("action")),
                        "software_agent": _agent(action),
                        "digital_source_type": _text(action.get("digitalSourceType")),
                    }
                )
    return actions


def summarise(reader: c2pa.Reader) -> dict[str, Any]:
    """What the page shows of the active manifest: issuer, tool, actions and validity."""
    manifest = reader.get_active_manifest() or {}
    signature = manifest.get("signature_info") or {}
    results = (reader.get_validation_results() or {}).get("activeManifest") or {}
    failures = [_text(f.get("code")) for f in results.get("failure") or [] if isinstance(f, dict)]
    return {
        "issuer": _text(signature.get("issuer")),
        "signer": _text(signature.get("common_name")),
        "signed_at": _text(signature.get("time")),
        "tool": _tool(manifest),
        "title": _text(manifest.get("title")),
        "actions": _actions(manifest),
        "validation_state": _text(reader.get_validation_state()) or "Invalid",
        "validation_failures": failures[:MAX_ACTIONS],
        "embedded": bool(reader.is_embedded()),
    }


# An embedded C2PA manifest store is a JUMBF box labelled "c2pa", in every container.
_MANIFEST_LABEL = b"c2pa"
_SCAN_CHUNK = 1 << 20


def _may_carry_manifest(fileobj: IO[bytes]) -> bool:
    """Whether the bytes hold the manifest store's label anywhere (read in 1 MB chunks, with
    an overlap for a label cut in two); a file without it has no embedded manifest."""
    fileobj.seek(0)
    tail = b""
    try:
        while chunk := fileobj.read(_SCAN_CHUNK):
            if _MANIFEST_LABEL in tail + chunk:
                return True
            tail = chunk[-(len(_MANIFEST_LABEL) - 1) :]
        return False
    finally:
        fileobj.seek(0)


def read_content_credentials(fileobj: IO[bytes], *, container: str) -> dict[str, Any]:
    """The summary of the C2PA manifest `fileobj` carries ({} for none, or one that cannot be
    read at all). `container` is what the bytes announce (`uploads.sniff`)."""
    mime = KEEPABLE_TYPES.get(container)
    if mime is None or not _may_carry_manifest(fileobj):
        return {}
    import c2pa  # only now: the library costs tens of MB the ordinary upload need not pay

    fileobj.seek(0)
    try:
        reader = c2pa.Reader.try_create(mime, fileobj, None, _reader_context())
        if reader is None:  # no manifest
            return {}
        with reader:
            return summarise(reader)
    except Exception as exc:  # a damaged or hostile manifest: the picture is still welcome
        logger.info("unreadable C2PA manifest in an upload: %s", exc)
        return {}
    finally:
        fileobj.seek(0)


def has_gps(fileobj: IO[bytes]) -> bool:
    """Whether the image's EXIF holds a GPS block (the file is left at position 0)."""
    fileobj.seek(0)
    try:
        with Image.open(fileobj) as image:
            return bool(image.getexif().get_ifd(GPS_IFD))
    except Exception:
        return True  # cannot tell: treat as carrying one
    finally:
        fileobj.seek(0)


def may_keep_original(credentials: dict[str, Any], fileobj: IO[bytes]) -> bool:
    """Whether the uploaded bytes may be stored as they are: a manifest embedded in the file
    that validates, and no GPS location."""
    return (
        credentials.get("validation_state") in VALID_STATES
        and bool(credentials.get("embedded"))
        and not has_gps(fileobj)
    )


def copy_bytes(fileobj: IO[bytes]) -> io.BytesIO:
    fileobj.seek(0)
    data = io.BytesIO(fileobj.read())
    fileobj.seek(0)
    return data
