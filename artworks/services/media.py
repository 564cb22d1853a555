"""An artwork's derived media: thumbnails, placeholder and a video's poster, rendered by a
task after the original is stored (and found again by beat when that task was lost)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from common.storage import delete_quietly_on_commit
from common.tasks import enqueue

from .. import storage_keys
from ..models import Artwork
from ..signals import ArtworkEvent
from ._base import announce

logger = logging.getLogger(__name__)


def enqueue_thumbnails(*, artwork_id: int) -> None:
    """Render the artwork's media after commit. With the broker down the artwork stays
    pending, and `artworks_retry_stale_media` (beat) finds it."""
    from ..tasks import make_thumbnails  # tasks import services; import here to avoid a cycle

    enqueue(make_thumbnails, artwork_id)


def artwork_make_thumbnails(*, artwork_id: int) -> Artwork | None:
    """Render the thumbnails and placeholder of an artwork's original. Idempotent: existing
    thumbnails are overwritten in place at the same keys, never duplicated."""
    from ..media import render_image_derivatives, video_poster_jpeg
    from ..provenance import xmp_for

    try:
        artwork = Artwork.objects.get(pk=artwork_id)
    except Artwork.DoesNotExist:
        return None  # deleted meanwhile: nothing to do
    if not artwork.original:
        return artwork
    Artwork.objects.filter(pk=artwork_id).update(thumb_attempts=F("thumb_attempts") + 1)
    poster_name = ""
    xmp = xmp_for(ai_generated=artwork.ai_generated)
    try:
        # Read from the open file, never whole into memory (a video may be 100 MB).
        with default_storage.open(artwork.original.name, "rb") as original:
            if artwork.kind == Artwork.Kind.VIDEO:
                # Thumbnails of a video are made from its poster frame.
                poster = video_poster_jpeg(original, xmp=xmp)
                poster_name = _save_replacing(storage_keys.poster_key(artwork.uuid), poster)
                derivatives = render_image_derivatives(poster, xmp=xmp)
            else:
                derivatives = render_image_derivatives(original, xmp=xmp)
    except Exception as exc:
        with transaction.atomic():
            Artwork.objects.filter(pk=artwork_id).update(thumb_status=Artwork.ThumbStatus.FAILED)
            announce(artwork_id=artwork_id, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)
        logger.warning("thumbnails failed for artwork %s: %s", artwork_id, exc)
        raise
    thumbnails = []
    for thumb in derivatives.thumbnails:
        key = storage_keys.thumb_key(artwork.uuid, thumb.width, thumb.format)
        name = _save_replacing(key, thumb.data)
        thumbnails.append(
            {"width": thumb.width, "height": thumb.height, "format": thumb.format, "name": name}
        )
    with transaction.atomic():
        updated = Artwork.objects.filter(pk=artwork_id).update(
            thumbnails=thumbnails,
            thumb_status=Artwork.ThumbStatus.READY,
            placeholder_color=derivatives.dominant_color,
            placeholder_data=derivatives.placeholder_data_uri,
            width=artwork.width or derivatives.width,
            height=artwork.height or derivatives.height,
            **({"poster": poster_name} if poster_name else {}),
        )
        if not updated:  # deleted while rendering: remove what was just written
            delete_quietly_on_commit([t["name"] for t in thumbnails] + [poster_name])
            return None
        announce(artwork_id=artwork_id, user_id=artwork.user_id, event=ArtworkEvent.MEDIA_READY)
    artwork.refresh_from_db()
    return artwork


def _save_replacing(key: str, data: bytes) -> str:
    """Write `data` at exactly `key` (a re-run overwrites instead of adding a suffix)."""
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(data))


def artworks_retry_stale_media(
    *, older_than: timedelta, max_attempts: int, batch: int = 200
) -> list[int]:
    """Enqueue thumbnail work that was lost (still pending: the broker was down when it was
    due, or its worker was killed mid-task) or failed, tried fewer than `max_attempts` times
    (a picture that kills its worker every time is not tried forever). Returns the artwork
    ids enqueued."""
    cutoff = timezone.now() - older_than
    stale = (
        Artwork.objects.exclude(original="")
        .filter(
            Q(thumb_status=Artwork.ThumbStatus.PENDING, updated_at__lt=cutoff)
            | Q(thumb_status=Artwork.ThumbStatus.FAILED)
        )
        .filter(thumb_attempts__lt=max_attempts)
        .order_by("updated_at")
        .values_list("id", flat=True)[:batch]
    )
    ids = list(stale)
    for artwork_id in ids:
        enqueue_thumbnails(artwork_id=artwork_id)
    return ids


def artwork_file_names(*, artwork: Artwork) -> list[str]:
    """Every file stored for `artwork`: its original, thumbnails, poster and reference."""
    names = [artwork.original.name if artwork.original else ""]
    names += [t.get("name", "") for t in artwork.thumbnails or []]
    names.append(artwork.poster)
    if artwork.source == Artwork.Source.GENERATED:
        # Deleting a key that does not exist is a no-op on every backend.
        names.append(storage_keys.reference_key(artwork.uuid))
    return [n for n in names if n]
