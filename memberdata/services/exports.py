"""A member's data export: asked for on /settings/export (or the API), built by a task into a
zip in storage (exports/<uuid>.zip, private: the media view serves no key under exports/),
downloadable by its member until it expires, then deleted by beat. A new export replaces the
member's old ones, files included."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import zipfile
from datetime import timedelta
from functools import partial
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_signed_in
from common import ratelimit
from common.exceptions import StateConflict
from common.storage import delete_quietly, delete_quietly_on_commit
from common.tasks import enqueue, run_beside_requests

from ..document import (
    DOCUMENT_NAME,
    avatar_arcname,
    export_document,
    member_artworks,
    original_arcname,
)
from ..models import DataExport

logger = logging.getLogger(__name__)

EXPORT_FOLDER = "exports"
_CHUNK = 1024 * 1024


def export_key(export: DataExport) -> str:
    return f"{EXPORT_FOLDER}/{export.uuid}.zip"


def _already_running() -> StateConflict:
    return StateConflict(_("An export of your data is already being built. Wait for it to finish."))


class ExportRateLimited(Exception):
    """More exports asked for than settings.RATE_LIMITS["data_export"] allows."""


def export_request(*, user: User) -> DataExport:
    """Ask for a new export of `user`'s data: refused (StateConflict, nothing queued) while
    one is being built, and (ExportRateLimited) past the member's exports for the day; the
    member's previous exports and their files go."""
    if not user_is_signed_in(user):
        raise PermissionDenied(_("Sign in to export your data."))
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=user.pk).first()
            if DataExport.objects.filter(user_id=user.pk, state__in=DataExport.RUNNING).exists():
                raise _already_running()
            if ratelimit.hit(scope="data_export", key=ratelimit.member_key(user.pk)):
                raise ExportRateLimited(
                    _("You have asked for as many exports as allowed today. Try again tomorrow.")
                )
            _delete_exports(DataExport.objects.filter(user_id=user.pk))
            export = DataExport.objects.create(user_id=user.pk)
            _enqueue_build(export.pk)
    except IntegrityError as exc:  # a concurrent request won (data_exports_one_running)
        raise _already_running() from exc
    return export


def _enqueue_build(export_id: int) -> None:
    from ..tasks import build_export  # tasks import services

    enqueue(
        build_export,
        export_id,
        on_broker_down=partial(_build_beside_requests, export_id),
        fallback_without_broker=settings.MEMBER_DATA_IN_BACKGROUND_THREAD,
    )


def _build_beside_requests(export_id: int) -> None:
    # Without a broker (or with it down): beside the request, never inside it. Still pending
    # if no thread can start: the page then shows it as failed once it is stale.
    run_beside_requests(partial(export_build, export_id=export_id), what="data export")


def _delete_exports(exports: object) -> None:
    """Delete these export rows, and their files once the transaction commits."""
    names = [name for name in exports.values_list("file", flat=True) if name]
    exports.delete()
    delete_quietly_on_commit(names)


def export_build(*, export_id: int) -> DataExport | None:
    """Build the zip of an export and mark it ready (or failed). Idempotent: a ready export
    is left alone, a half-built one is built again from the start."""
    claimed = DataExport.objects.filter(pk=export_id, state__in=DataExport.RUNNING).update(
        state=DataExport.State.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return DataExport.objects.filter(pk=export_id).first()
    export = DataExport.objects.select_related("user").get(pk=export_id)
    name = ""
    try:
        with tempfile.TemporaryFile() as archive:
            _write_zip(archive, user=export.user)
            size = archive.tell()
            archive.seek(0)
            default_storage.delete(export_key(export))  # a previous attempt's
            name = default_storage.save(export_key(export), File(archive))
    except Exception:
        logger.exception("data export %s failed", export_id)
        delete_quietly([name])
        DataExport.objects.filter(pk=export_id).update(
            state=DataExport.State.FAILED, finished_at=timezone.now()
        )
        return DataExport.objects.filter(pk=export_id).first()
    return _mark_ready(export_id=export_id, name=name, size=size)


def _mark_ready(*, export_id: int, name: str, size: int) -> DataExport | None:
    now = timezone.now()
    done = DataExport.objects.filter(pk=export_id, state=DataExport.State.BUILDING).update(
        state=DataExport.State.READY,
        file=name,
        size=size,
        finished_at=now,
        expires_at=now + timedelta(days=settings.DATA_EXPORT_EXPIRE_DAYS),
    )
    if not done:
        # Replaced or its member deleted while it was built: the file is nobody's.
        delete_quietly([name])
        return None
    return DataExport.objects.get(pk=export_id)


def _write_zip(archive: IO[bytes], *, user: User) -> None:
    """The member's originals and avatar, byte for byte as stored, and the JSON document. A
    file missing from storage (lost outside the site) is left out, and the document says so
    (its `file` is null), rather than failing the whole export."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        missing: set[int] = set()
        for artwork in member_artworks(user=user):
            if artwork.original and not _copy_into(
                zf, artwork.original.name, original_arcname(artwork)
            ):
                missing.add(artwork.pk)
        has_avatar = bool(user.profile_pic) and _copy_into(
            zf, user.profile_pic.name, avatar_arcname(user)
        )
        content = export_document(user=user, missing=missing, has_avatar=has_avatar)
        document = json.dumps(content, ensure_ascii=False, indent=2)
        zf.writestr(DOCUMENT_NAME, document.encode(), compress_type=zipfile.ZIP_DEFLATED)
    archive.seek(0, 2)


def _copy_into(zf: zipfile.ZipFile, name: str, arcname: str) -> bool:
    """Copy a stored file into the zip, streamed in chunks (a video may be large, and the
    member may have many); False when storage has no such file."""
    try:
        source = default_storage.open(name, "rb")
    except FileNotFoundError:
        logger.warning("data export: %s is missing from storage", name)
        return False
    with source, zf.open(arcname, "w", force_zip64=True) as out:
        shutil.copyfileobj(source, out, _CHUNK)
    return True


def exports_purge_expired() -> int:
    """Beat: delete exports past their expiry (files too), and mark failed those whose build
    has not finished long after it was asked for (its task lost). Returns how many went."""
    now = timezone.now()
    stale = now - timedelta(minutes=settings.DATA_EXPORT_STALE_MINUTES)
    DataExport.objects.filter(state__in=DataExport.RUNNING, created_at__lt=stale).update(
        state=DataExport.State.FAILED, finished_at=now
    )
    gone = DataExport.objects.filter(
        Q(state=DataExport.State.READY, expires_at__lte=now)
        | Q(state=DataExport.State.FAILED, finished_at__lt=now - timedelta(days=1))
    )
    with transaction.atomic():
        count = gone.count()
        _delete_exports(gone)
    return count
