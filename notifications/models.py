"""What a member is told about: someone followed them, liked, kept or commented on their work,
replied to or mentioned them; staff featured or hid their artwork. One row per event and
recipient (`dedupe_key`), grouped when read ("ada and 3 others liked …")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("New follower")
        LIKE = "like", _("Like")
        FAVORITE = "favorite", _("Favorite")
        COMMENT = "comment", _("Comment on your work")
        REPLY = "reply", _("Reply to your comment")
        MENTION = "mention", _("Mention")
        FEATURED = "featured", _("Your artwork featured")
        HIDDEN = "hidden", _("Your artwork hidden")
        RATED = "rated", _("Your artwork's rating changed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The member who did it; none for staff events (the staff member is not named).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    artwork = models.ForeignKey(
        "artworks.Artwork",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("artwork"),
    )
    comment = models.ForeignKey(
        "social.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comment"),
    )
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # kind, actor, target and the day (UTC): the same event on one day is stored once.
    dedupe_key = models.CharField(_("event key"), max_length=120)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        db_table = "notifications"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notifications_event_once"
            ),
        ]
        indexes = [
            # A recipient's notifications, newest first (their page, keyset on both).
            models.Index(
                "recipient", F("created_at").desc(), F("id").desc(), name="notif_recipient_idx"
            ),
            # A recipient's unread ones (the count, marking read).
            models.Index(
                fields=["recipient", "id"],
                condition=Q(read_at__isnull=True),
                name="notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.dedupe_key})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(models.Model):
    """The kinds a member turned off (every kind is on until they do)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name=_("member"),
    )
    disabled_kinds = models.JSONField(_("kinds turned off"), default=list, blank=True)

    class Meta:
        db_table = "notifications_settings"
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user_id}: off {', '.join(self.disabled_kinds) or '-'}"
