"""Reads of a member's exports, the one rule of who may download one, and whether an
account being deleted may be made active again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in

from .models import AccountDeletion, DataExport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def export_latest(*, user: User) -> DataExport | None:
    """The member's most recent export (the one their page shows), if any."""
    return DataExport.objects.filter(user_id=user.pk).order_by("-created_at", "-id").first()


def can_download_export(*, viewer: User | AnonymousUser | None, export: DataExport) -> bool:
    """An export is its member's alone (not staff's: it holds their private drafts and
    prompts), and only while it is ready and not expired."""
    return user_is_signed_in(viewer) and viewer.pk == export.user_id and export.is_downloadable


def export_for_download(
    *, viewer: User | AnonymousUser | None, export_uuid: object
) -> DataExport | None:
    """The export `viewer` may download by this id, or None (unknown, someone else's,
    not ready, expired: the caller answers 404 alike)."""
    if not user_is_signed_in(viewer):
        return None
    export = DataExport.objects.filter(uuid=export_uuid, user_id=viewer.pk).first()
    if export is None or not can_download_export(viewer=viewer, export=export):
        return None
    return export


def account_restore_refusal(user_id: int) -> str | None:
    """An account whose member asked for its deletion stays inactive until it is gone (a
    restoration by staff would bring back the work of someone who asked to leave)."""
    if AccountDeletion.objects.filter(user_id=user_id).exists():
        return _("This account is being deleted at its member's request.")
    return None
