"""What happens between members: who follows whom, who blocks or mutes whom, their
comments on artworks, and the collections they gather artworks into."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
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


class _MemberPair(models.Model):
    """One member's standing choice about another (a block, a mute): one row per pair."""

    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        abstract = True


class Block(_MemberPair):
    """`blocker` keeps `blocked` away: the blocked member cannot follow them (nor they the
    blocked member), and their follows both ways went with the block."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocking_rows",
        verbose_name=_("member"),
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocked_by_rows",
        verbose_name=_("blocked member"),
    )

    class Meta:
        db_table = "social_block"
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="social_block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="social_block_not_self"
            ),
        ]
        indexes = [models.Index(*_newest_first("blocker"), name="social_block_blocker_idx")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(_MemberPair):
    """`muter` no longer sees `muted`'s work in their feeds: Hot, New and Following (the
    muted member is not told, and may still follow them)."""

    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="muting_rows",
        verbose_name=_("member"),
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="muted_by_rows",
        verbose_name=_("muted member"),
    )

    class Meta:
        db_table = "social_mute"
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="social_mute_unique"),
            models.CheckConstraint(condition=~Q(muter=F("muted")), name="social_mute_not_self"),
        ]
        indexes = [models.Index(*_newest_first("muter"), name="social_mute_muter_idx")]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"


COMMENT_MAX_LENGTH = 2000


class Comment(models.Model):
    """A member's plain-text words under an artwork. One level of replies: a reply's `parent`
    is a top-level comment. `artworks.comment_count` counts the comments shown to the public
    (hidden ones leave the count). Staff hide a comment (`hidden_at`) rather than rewrite it;
    a suspended author's comments are left out by the readers, not changed."""

    artwork = models.ForeignKey(
        "artworks.Artwork",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("artwork"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("author"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True, max_length=2000)

    class Meta:
        db_table = "social_comment"
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can hide, unhide and delete any comment"))]
        indexes = [
            # An artwork's comments, oldest first (its comment pages, keyset on both).
            models.Index("artwork", "created_at", "id", name="social_comment_artwork_idx"),
            # The replies of a page of comments.
            models.Index("parent", "created_at", "id", name="social_comment_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.artwork_id}: {self.body[:40]}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


COLLECTION_NAME_MAX_LENGTH = 80
COLLECTION_DESCRIPTION_MAX_LENGTH = 1000


class Collection(models.Model):
    """A member's named set of artworks, public or private (its owner's alone). `item_count`
    counts every row, whatever the artworks' state (the limit per collection); the pages count
    what their viewer may see."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="collections",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=COLLECTION_NAME_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True)
    description = models.TextField(
        _("description"), blank=True, max_length=COLLECTION_DESCRIPTION_MAX_LENGTH
    )
    is_public = models.BooleanField(_("public"), default=True)
    item_count = models.PositiveIntegerField(_("artworks"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "collections"
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="collections_owner_slug"),
        ]
        indexes = [
            # A member's collections, the most recently changed first (their page, the API).
            models.Index(
                "owner", F("updated_at").desc(), F("id").desc(), name="collections_owner_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("social:collection", args=[self.owner.username, self.slug])


class CollectionItem(models.Model):
    """One artwork in one collection, once."""

    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="items", verbose_name=_("collection")
    )
    artwork = models.ForeignKey(
        "artworks.Artwork",
        on_delete=models.CASCADE,
        related_name="collection_rows",
        verbose_name=_("artwork"),
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        db_table = "collection_items"
        verbose_name = _("artwork in a collection")
        verbose_name_plural = _("artworks in collections")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "artwork"], name="collection_items_unique"
            ),
        ]
        indexes = [
            # A collection's artworks, the latest added first (its page, keyset on both).
            models.Index(
                "collection",
                F("added_at").desc(),
                F("id").desc(),
                name="collection_items_page_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id} ∋ {self.artwork_id}"
