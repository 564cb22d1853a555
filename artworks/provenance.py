"""Where a picture comes from, said inside its files: the IPTC digital source type of work made
with AI, written as XMP into every image file the site writes for such an artwork (originals
it re-encodes, thumbnails, a video's poster).

EXIF (camera, GPS) is never written: only this XMP packet, which says how the picture was made
and nothing about who or where."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from PIL import PngImagePlugin

# IPTC NewsCodes "Digital Source Type": media created by a model trained on sampled content.
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
# The same term as schema.org and Google spell it in JSON-LD (https).
TRAINED_ALGORITHMIC_MEDIA_HTTPS = (
    "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
)
IPTC_EXT_NAMESPACE = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"

AI_XMP: bytes = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="{IPTC_EXT_NAMESPACE}" '
    f'Iptc4xmpExt:DigitalSourceType="{TRAINED_ALGORITHMIC_MEDIA}"/>'
    "</rdf:RDF></x:xmpmeta>"
    '<?xpacket end="r"?>'
).encode()

# Pillow writes XMP into these formats (PNG as an iTXt chunk); GIF has no place for it.
XMP_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "AVIF"})


def xmp_for(*, ai_generated: bool) -> bytes | None:
    """The XMP packet a file of such an artwork carries (None: none at all)."""
    return AI_XMP if ai_generated else None


def xmp_save_options(image_format: str, xmp: bytes | None) -> dict[str, Any]:
    """Pillow `save()` options that write `xmp` into a file of `image_format` ({} for none)."""
    image_format = image_format.upper()
    if not xmp or image_format not in XMP_FORMATS:
        return {}
    if image_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=False)
        return {"pnginfo": info}
    return {"xmp": xmp}


def carries_ai_source_type(xmp: bytes | str | None) -> bool:
    """Whether an XMP packet (as Pillow's `info["xmp"]` holds it) names trainedAlgorithmicMedia
    as the IPTC digital source type."""
    if not xmp:
        return False
    text = xmp.decode(errors="replace") if isinstance(xmp, bytes) else xmp
    return "DigitalSourceType" in text and TRAINED_ALGORITHMIC_MEDIA in text


# --- C2PA content credentials, as the artwork page tells them ------------------------------

# The actions of the C2PA specification a reader meets most, in words.
_ACTION_LABELS = {
    "c2pa.created": _("Created the picture"),
    "c2pa.opened": _("Opened an existing file"),
    "c2pa.edited": _("Edited it"),
    "c2pa.edited.metadata": _("Edited its metadata"),
    "c2pa.color_adjustments": _("Adjusted the colours"),
    "c2pa.cropped": _("Cropped it"),
    "c2pa.resized": _("Resized it"),
    "c2pa.filtered": _("Applied a filter"),
    "c2pa.drawing": _("Drew on it"),
    "c2pa.placed": _("Placed another image in it"),
    "c2pa.converted": _("Converted it to another format"),
    "c2pa.published": _("Published it"),
    "c2pa.transcoded": _("Transcoded it"),
    "c2pa.repackaged": _("Repackaged it"),
    "c2pa.removed": _("Removed something from it"),
}


def action_label(action: str) -> str:
    """A C2PA action in the reader's language (an unknown one as it is written)."""
    label = _ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def credentials_status(credentials: dict[str, Any]) -> str:
    """One sentence on how far the credentials can be believed."""
    state = credentials.get("validation_state")
    if state == "Trusted":
        return str(_("Valid, signed by a certificate authority this site trusts."))
    if state == "Valid":
        return str(
            _(
                "Valid: the signature matches the file. The signer's certificate is not "
                "checked against a list of trusted issuers."
            )
        )
    return str(_("Not valid: the file or its credentials were changed after signing."))


def credentials_display(credentials: dict[str, Any]) -> dict[str, Any] | None:
    """What the artwork page shows of an upload's content credentials (None: it had none)."""
    if not credentials:
        return None
    actions = [
        {
            "label": action_label(str(action.get("action", ""))),
            "agent": action.get("software_agent", ""),
            "ai": action.get("digital_source_type") == TRAINED_ALGORITHMIC_MEDIA,
        }
        for action in credentials.get("actions") or []
        if isinstance(action, dict) and action.get("action")
    ]
    return {
        "issuer": credentials.get("issuer", ""),
        "signer": credentials.get("signer", ""),
        "tool": credentials.get("tool", ""),
        "actions": actions,
        "valid": credentials.get("validation_state") in ("Valid", "Trusted"),
        "status": credentials_status(credentials),
        "kept": bool(credentials.get("kept")),
    }
