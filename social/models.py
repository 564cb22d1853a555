"""What happens between members: who follows whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def _newest_first(member: str) -> tuple:
    return (member, F("created_at").desc(), F("id").desc())


class Follow(models.Model):
    """`follower` reads `followee`'s new work in their following feed. The members' counters
    (`users.follower_count`, `users.following_count`) move with each row added or removed."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="following_rows",
        verbose_name=_("follower"),
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follower_rows",
        verbose_name=_("followed member"),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        db_table = "social_follow"
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="social_follow_unique"),
            models.CheckConstraint(
                condition=~Q(follower=F("followee")), name="social_follow_not_self"
            ),
        ]
        indexes = [
            # A member's followers and followees, newest follow first (their pages).
            models.Index(*_newest_first("followee"), name="social_follow_followee_idx"),
            models.Index(*_newest_first("follower"), name="social_follow_follower_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"
