"""Rules of moderation: who may resolve reports (asked by the admin and the service alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.selectors import staff_has_perm

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Report


def can_resolve_report(*, actor: User | None, report: Report | None = None) -> bool:
    """Close a report (resolve or dismiss). What the resolution does on top — hiding the
    artwork, suspending its author — asks that action's own rule as well."""
    return staff_has_perm(actor=actor, perm="moderation.resolve_report")
