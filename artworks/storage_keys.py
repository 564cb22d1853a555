"""Storage keys of the blueprint (§5). The only place that spells them."""

from __future__ import annotations

import re
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


# The keys above that belong to one artwork: original, thumbnails, poster, reference image.
_ARTWORK_KEY = re.compile(
    r"^artworks/(?:original|thumb|reference)/"
    r"(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})[._]"
)


def artwork_uuid_of(key: str) -> UUID | None:
    """The uuid of the artwork a storage key belongs to, or None for any other key."""
    match = _ARTWORK_KEY.match(key)
    return UUID(match["uuid"]) if match else None
