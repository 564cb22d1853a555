from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from artworks.models import Artwork
from social.models import Comment


class Report(models.Model):
    """A member's report of an artwork, or of a comment (`comment`; `artwork` is then the
    comment's artwork, so the queue and its counts hold both). One open report per member per
    artwork, and per comment (database constraints); once resolved or dismissed the member may
    report it again."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        SEXUAL = "sexual", _("Sexual content")
        VIOLENCE = "violence", _("Violence or gore")
        MINOR_SAFETY = "minor_safety", _("Minor safety")
        COPYRIGHT = "copyright", _("Copyright or ownership")
        LIVING_ARTIST = "living_artist", _("Imitates a living artist")
        REAL_PERSON = "real_person", _("Unlabeled real person")
        WRONG_RATING = "wrong_rating", _("Wrong rating (general, mature or explicit)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    class Resolution(models.TextChoices):
        NONE = "", _("—")
        HIDE_ARTWORK = "hide_artwork", _("Artwork hidden")
        HIDE_COMMENT = "hide_comment", _("Comment hidden")
        SUSPEND_AUTHOR = "suspend_author", _("Author suspended")
        NO_ACTION = "no_action", _("Resolved without action")
        DISMISS = "dismiss", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_made",
        verbose_name=_("reporter"),
    )
    artwork = models.ForeignKey(
        Artwork, on_delete=models.CASCADE, related_name="reports", verbose_name=_("artwork")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("comment"),
        db_index=False,  # reports_comment_status_idx leads with it
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)

    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_resolved",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("action taken"), max_length=32, choices=Resolution.choices, default="", blank=True
    )
    resolution_note = models.TextField(_("resolution note"), blank=True, max_length=2000)

    class Meta:
        db_table = "reports"
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("resolve_report", _("Can resolve and dismiss reports"))]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "artwork"],
                condition=Q(status="open", comment__isnull=True),
                name="reports_one_open_per_reporter_artwork",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="reports_one_open_per_reporter_comment",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "resolved", "dismissed"]),
                name="reports_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(details=""),
                name="reports_other_has_details",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_at__isnull=False),
                name="reports_closed_has_date",
            ),
        ]
        indexes = [
            # The queue: open reports, oldest or newest first.
            models.Index("status", F("created_at").desc(), name="reports_queue_idx"),
            # Open reports per artwork (the queue's counts).
            models.Index("artwork", "status", name="reports_artwork_status_idx"),
            # Open reports per comment (the comments admin's filter, resolving them together).
            models.Index("comment", "status", name="reports_comment_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.artwork_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
