"""Writes of a member's data as a whole: exports (asked, built, purged) and the deletion of
an account (asked, run). Callers import from here."""

from .deletion import (
    DeletionRateLimited,
    account_delete,
    account_delete_by_staff,
    account_deletion_request,
    account_deletions_resume,
)
from .exports import (
    ExportRateLimited,
    export_build,
    export_request,
    exports_purge_expired,
)

__all__ = [
    "DeletionRateLimited",
    "ExportRateLimited",
    "account_delete",
    "account_delete_by_staff",
    "account_deletion_request",
    "account_deletions_resume",
    "export_build",
    "export_request",
    "exports_purge_expired",
]
