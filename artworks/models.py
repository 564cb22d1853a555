from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# Paths under /artwork/<id>/ taken by views (e.g. the report form); never used as a slug.
RESERVED_SLUGS = frozenset({"report"})


class Artwork(models.Model):
    """The blueprint's `artworks` table (id, user_id, title, url, status, created_at) and what
    the pages need around it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Moderation(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    class Source(models.TextChoices):
        GENERATED = "generated", _("Generated")
        UPLOADED = "uploaded", _("Uploaded")

    class GenerationStatus(models.TextChoices):
        NONE = "", _("Not generated")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Rating(models.TextChoices):
        GENERAL = "general", _("General")
        MATURE = "mature", _("Mature")
        EXPLICIT = "explicit", _("Explicit")

    class ThumbStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField("UUID", default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: the indexes below that start with the author serve every lookup by
    # author, and each index is one more entry to write on every change of the row.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="artworks",
        verbose_name=_("author"),
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    # Part of the address, never looked up (the id finds the artwork; a wrong slug redirects):
    # no index to write on every change of the row.
    slug = models.SlugField(
        _("slug"), max_length=220, allow_unicode=True, blank=True, db_index=False
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    alt_text = models.CharField(_("alt text"), max_length=300, blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    moderation = models.CharField(
        _("moderation"), max_length=16, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.IMAGE)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.GENERATED
    )

    # Chosen by the author (staff may correct it): who may see the work at all.
    rating = models.CharField(
        _("rating"), max_length=16, choices=Rating.choices, default=Rating.GENERAL
    )
    # Generated here, or an upload whose author declared that AI was used.
    ai_generated = models.BooleanField(_("made with AI"), default=False)
    # What an upload's C2PA manifest says (issuer, tool, actions); {} when it carries none.
    content_credentials = models.JSONField(_("content credentials"), default=dict, blank=True)
    # The artwork whose prompt and parameters this one started from.
    remix_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="remixes",
        verbose_name=_("remix of"),
    )

    # The original file at artworks/original/<uuid>.<ext>; its URL is the blueprint's `url`.
    original = models.FileField(_("original file"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    # An uploaded GIF or WebP of more than one frame: its page shows the original, since the
    # thumbnails are stills of the first frame.
    animated = models.BooleanField(_("animated"), default=False)

    # Thumbnails at artworks/thumb/<uuid>…, made by a task: a list of
    # {"width", "height", "format", "name"}; a poster frame for videos; a tiny placeholder.
    thumb_status = models.CharField(
        _("thumbnail status"),
        max_length=16,
        choices=ThumbStatus.choices,
        default=ThumbStatus.PENDING,
    )
    thumb_attempts = models.PositiveSmallIntegerField(_("thumbnail attempts"), default=0)
    thumbnails = models.JSONField(_("thumbnails"), default=list, blank=True)
    poster = models.CharField(_("poster"), max_length=255, blank=True)
    placeholder_color = models.CharField(_("placeholder colour"), max_length=7, blank=True)
    placeholder_data = models.TextField(_("placeholder image"), blank=True)

    # Generation parameters.
    prompt = models.TextField(_("prompt"), blank=True, max_length=2000)
    negative_prompt = models.TextField(_("negative prompt"), blank=True, max_length=2000)
    prompt_hidden = models.BooleanField(_("hide prompt"), default=False)
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    model = models.CharField(_("model"), max_length=128, blank=True)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    size = models.CharField(_("requested size"), max_length=16, blank=True)  # e.g. "1024x768"
    generation_status = models.CharField(
        _("generation status"),
        max_length=16,
        choices=GenerationStatus.choices,
        default=GenerationStatus.NONE,
        blank=True,
    )
    generation_error = models.TextField(_("generation error"), blank=True)

    like_count = models.PositiveIntegerField(_("like count"), default=0)
    favorite_count = models.PositiveIntegerField(_("favorite count"), default=0)
    # Moved by `social` (its comment services and receivers): the comments the public sees.
    comment_count = models.PositiveIntegerField(_("comment count"), default=0)
    tags = models.ManyToManyField(
        "Tag", through="ArtworkTag", related_name="artworks", blank=True, verbose_name=_("tags")
    )
    # The tags' names in their order, kept with the rows by `artwork_set_tags`: cards, pages
    # and the API show them without a query of their own.
    tag_names = models.JSONField(_("tags"), default=list, blank=True, editable=False)
    hot_score = models.FloatField(_("hot score"), default=0.0)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # When its author last changed it after publishing ("edited" on the page).
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Set by staff (artwork_feature): featured artworks are pinned first on the landing page,
    # most recently featured first.
    featured_at = models.DateTimeField(_("featured at"), null=True, blank=True)

    class Meta:
        db_table = "artworks"
        ordering = ["-created_at", "-id"]
        verbose_name = _("artwork")
        verbose_name_plural = _("artworks")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="artworks_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(moderation__in=["visible", "hidden"]),
                name="artworks_moderation_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["image", "video"]), name="artworks_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["generated", "uploaded"]), name="artworks_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["general", "mature", "explicit"]),
                name="artworks_rating_valid",
            ),
            models.CheckConstraint(
                condition=Q(like_count__gte=0) & Q(favorite_count__gte=0),
                name="artworks_counts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="artworks_published_has_date",
            ),
        ]
        indexes = [
            # /feed?tab=hot and the hot_rank rebuild.
            models.Index(
                F("hot_score").desc(),
                F("id").desc(),
                condition=Q(status="published", moderation="visible"),
                name="artworks_feed_hot_idx",
            ),
            # /feed?tab=new and feed_queue.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(status="published", moderation="visible"),
                name="artworks_feed_new_idx",
            ),
            # A user's artworks (profile, drafts tab).
            models.Index(
                "user",
                "status",
                F("published_at").desc(),
                F("id").desc(),
                name="artworks_user_status_idx",
            ),
            models.Index("user", F("created_at").desc(), name="artworks_user_created_idx"),
            # The landing page's pinned strip.
            models.Index(
                F("featured_at").desc(),
                F("id").desc(),
                condition=Q(featured_at__isnull=False),
                name="artworks_featured_idx",
            ),
        ]
        permissions = [
            ("moderate_artwork", _("Can hide, restore, unpublish and feature artworks")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("artworks:detail", args=[self.id, self.url_slug])

    @property
    def url_slug(self) -> str:
        """The slug in the artwork's addresses (its page, edit page, family tree)."""
        return self.slug or self.slug_for(self.title)

    @staticmethod
    def slug_for(title: str) -> str:
        # allow_unicode keeps Chinese characters: "星空 下的猫" → "星空-下的猫".
        slug = slugify(title, allow_unicode=True)[:200] or "artwork"
        # /artwork/<id>/<word> paths that are actions, not slugs.
        return f"{slug}-artwork" if slug in RESERVED_SLUGS else slug

    @property
    def url(self) -> str:
        """The blueprint's `url`: where the original file is served from."""
        return self.original.url if self.original else ""

    @property
    def poster_url(self) -> str:
        """Where a video's poster frame is served from ("" until it is made)."""
        from django.core.files.storage import default_storage

        return default_storage.url(self.poster) if self.poster else ""

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_hidden(self) -> bool:
        return self.moderation == self.Moderation.HIDDEN

    @property
    def is_featured(self) -> bool:
        return self.featured_at is not None


class Reaction(models.Model):
    """One member's reaction to one artwork, at most once (a like, a favorite)."""

    # No index of its own: the unique (user, artwork) pair and the (user, created_at) index
    # serve every lookup by member, and a like writes one index entry fewer.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        db_index=False,
        verbose_name=_("member"),
    )
    artwork = models.ForeignKey(
        Artwork, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("artwork")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class Like(Reaction):
    """The blueprint's `artworks_like` table."""

    class Meta:
        db_table = "artworks_like"
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [
            models.UniqueConstraint(fields=["user", "artwork"], name="artworks_like_unique")
        ]
        indexes = [models.Index("user", F("created_at").desc(), name="artworks_like_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.artwork_id}"


class Favorite(Reaction):
    """The blueprint's `artworks_favorite` table."""

    class Meta:
        db_table = "artworks_favorite"
        verbose_name = _("favorite")
        verbose_name_plural = _("favorites")
        constraints = [
            models.UniqueConstraint(fields=["user", "artwork"], name="artworks_favorite_unique")
        ]
        # A user's favorites, newest first.
        indexes = [models.Index("user", F("created_at").desc(), name="artworks_fav_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} favorites {self.artwork_id}"


TAG_MAX_LENGTH = 50
TAGS_PER_ARTWORK = 10


class Tag(models.Model):
    """A subject an author gives their work: its name is normalised (`artworks.tags`), so one
    subject is one row whatever case or width it was typed in."""

    name = models.CharField(_("name"), max_length=TAG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "tags"
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    # get_absolute_url: its page is the read side's (settings.ABSOLUTE_URL_OVERRIDES).


class ArtworkTag(models.Model):
    """An artwork's tag, in the order its author gave them (up to TAGS_PER_ARTWORK)."""

    artwork = models.ForeignKey(
        Artwork, on_delete=models.CASCADE, related_name="tag_rows", verbose_name=_("artwork")
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="artwork_rows", verbose_name=_("tag")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        db_table = "artwork_tags"
        verbose_name = _("artwork's tag")
        verbose_name_plural = _("artworks' tags")
        constraints = [
            models.UniqueConstraint(fields=["artwork", "tag"], name="artwork_tags_unique")
        ]
        # A tag's artworks (the tag pages); the artwork's own are read by the unique index.
        indexes = [models.Index("tag", "artwork", name="artwork_tags_tag_idx")]

    def __str__(self) -> str:
        return f"{self.artwork_id} #{self.tag_id}"
