"""A member's exports of their data, and the deletions of accounts under way."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """One export a member asked for: a zip of their originals and a JSON document of what
    they made and did, built by a task, kept in storage under `exports/` (never served by the
    media view) until `expires_at`, and downloadable by its member alone."""

    class State(models.TextChoices):
        PENDING = "pending", _("Queued")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    RUNNING = (State.PENDING, State.BUILDING)

    uuid = models.UUIDField("UUID", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("member"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    # The storage key of the zip (exports/<uuid>.zip), once it is written.
    file = models.CharField(_("file"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        db_table = "data_exports"
        ordering = ["-created_at", "-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "building", "ready", "failed"]),
                name="data_exports_state_valid",
            ),
            # At most one export being built per member, whatever races the requests run.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state__in=["pending", "building"]),
                name="data_exports_one_running",
            ),
        ]
        indexes = [models.Index("state", "expires_at", name="data_exports_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.state} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.state in self.RUNNING

    @property
    def is_downloadable(self) -> bool:
        return (
            self.state == self.State.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class AccountDeletion(models.Model):
    """A member asked for their account to be deleted: it is deactivated at once and deleted
    by a task; this row goes with the account (a cascade), so one that is still here after a
    while names a deletion whose task was lost, which beat runs again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deletion",
        verbose_name=_("member"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        db_table = "account_deletions"
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")

    def __str__(self) -> str:
        return f"{self.user_id} since {self.requested_at:%Y-%m-%d %H:%M}"
