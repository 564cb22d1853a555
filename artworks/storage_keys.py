"""Storage keys of the blueprint (§5). The only place that spells them."""

from __future__ import annotations

from uuid import UUID


def original_key(artwork_uuid: UUID, ext: str) -> str:
    return f"artworks/original/{artwork_uuid}.{ext}"


def thumb_key(artwork_uuid: UUID, width: int, fmt: str) -> str:
    return f"artworks/thumb/{artwork_uuid}_{width}.{fmt}"


def poster_key(artwork_uuid: UUID) -> str:
    return f"artworks/thumb/{artwork_uuid}_poster.jpg"


def reference_key(artwork_uuid: UUID) -> str:
    """A generation's reference image, kept until the generation succeeds or the artwork is
    deleted (a retry needs it again)."""
    return f"artworks/reference/{artwork_uuid}.png"
