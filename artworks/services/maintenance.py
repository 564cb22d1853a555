"""Periodic clean-up (run by beat): files no artwork owns, drafts whose generation failed
long ago."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from common.storage import delete_quietly

from ..models import Artwork
from .publishing import delete_artwork_row


def media_sweep_orphans(*, older_than: timedelta) -> list[str]:
    """Delete files under artworks/ that no artwork row owns any more (a crash between writing
    a file and its row, or a delete whose file removal failed), once they are older than the
    grace period — so an upload in progress is never touched."""
    cutoff = timezone.now() - older_than
    candidates: dict[str, str] = {}
    for folder in ("artworks/original", "artworks/thumb"):
        try:
            _dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for filename in files:
            candidates[f"{folder}/{filename}"] = filename[:36]
    known = {
        str(u)
        for u in Artwork.objects.filter(
            uuid__in=[u for u in set(candidates.values()) if _is_uuid(u)]
        ).values_list("uuid", flat=True)
    }
    removed = []
    for name, file_uuid in candidates.items():
        if file_uuid in known:
            continue
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        delete_quietly([name])
        removed.append(name)
    return removed


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def artworks_purge_abandoned_drafts(*, older_than: timedelta) -> int:
    """Delete drafts whose generation failed and that nobody touched for `older_than`."""
    cutoff = timezone.now() - older_than
    abandoned = Artwork.objects.filter(
        status=Artwork.Status.DRAFT,
        generation_status=Artwork.GenerationStatus.FAILED,
        updated_at__lt=cutoff,
    ).values_list("id", flat=True)
    count = 0
    for artwork_id in list(abandoned):
        with transaction.atomic():
            artwork = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
            if artwork is None:
                continue
            delete_artwork_row(locked=artwork)
            count += 1
    return count
