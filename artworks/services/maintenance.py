"""Periodic clean-up (run by beat): files no artwork owns, drafts whose generation failed
long ago, generations stuck queued or running (a worker killed mid-task, a lost message)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from common.storage import delete_quietly

from ..models import Artwork
from ..signals import ArtworkEvent
from ._base import announce
from .generation import enqueue_generation
from .generation_run import mark_generation_failed
from .publishing import delete_artwork_row

_PENDING = (Artwork.GenerationStatus.QUEUED, Artwork.GenerationStatus.RUNNING)
TOOK_TOO_LONG = gettext_noop("The generation took too long. Try again.")


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


def artworks_requeue_stuck_generations(
    *, stuck_after: timedelta, give_up_after: timedelta, batch: int = 100
) -> list[int]:
    """Generations queued or running, untouched for `stuck_after` (longer than a run may
    take: its worker died, or its message was lost), are queued again — running twice is
    harmless (artwork_run_generation is idempotent). One whose draft is older than
    `give_up_after` fails instead, with a reason, so that a generation that keeps killing its
    worker stops. Returns the ids queued again."""
    now = timezone.now()
    stuck = list(
        Artwork.objects.filter(
            source=Artwork.Source.GENERATED,
            original="",
            generation_status__in=_PENDING,
            updated_at__lt=now - stuck_after,
        )
        .order_by("updated_at")
        .values_list("id", flat=True)[:batch]
    )
    requeued = []
    for artwork_id in stuck:
        with transaction.atomic():
            locked = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
            if not _still_stuck(locked, cutoff=now - stuck_after):
                continue
            if locked.created_at < now - give_up_after:
                mark_generation_failed(artwork_id=artwork_id, reason=TOOK_TOO_LONG)
                continue
            locked.generation_status = Artwork.GenerationStatus.QUEUED
            locked.save(update_fields=["generation_status", "updated_at"])
            enqueue_generation(artwork_id)
            announce(artwork_id=artwork_id, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
            requeued.append(artwork_id)
    return requeued


def _still_stuck(artwork: Artwork | None, *, cutoff: object) -> bool:
    return (
        artwork is not None
        and not artwork.original
        and artwork.generation_status in _PENDING
        and artwork.updated_at < cutoff
    )
