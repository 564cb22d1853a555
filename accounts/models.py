from __future__ import annotations

import re
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import connections, models, router, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from common.querysets import CompiledRead, built_for_connection

from .registry import profile_url

USERNAME_PATTERN = r"^[A-Za-z0-9_-]{3,30}$"

username_validator = RegexValidator(
    USERNAME_PATTERN,
    _("3–30 characters: letters, digits, underscores and hyphens only."),
)


def profile_pic_path(instance: User, filename: str) -> str:
    # Never the uploader's filename: a fresh random key, keeping only a safe extension.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "webp"
    if ext not in {"jpg", "jpeg", "png", "webp", "gif", "avif"}:
        ext = "webp"
    return f"users/avatars/{uuid.uuid4().hex}.{ext}"


_AVATAR_KEY = re.compile(r"^users/avatars/[0-9a-f]{32}\.(?:jpg|jpeg|png|webp|gif|avif)$")


def is_avatar_key(name: str) -> bool:
    """A storage key made by `profile_pic_path` (avatars are public, like the profiles)."""
    return bool(_AVATAR_KEY.match(name))


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(username__iexact=username)

    def create_superuser(self, *args: object, **kwargs: object) -> User:
        """An administrator made by an operator (`manage.py createsuperuser`) signs in at once:
        the operator typed the address, and no confirmation mail may reach it (no mail server
        yet on a new install). `create_user`, which sign-up paths build on, vouches for
        nothing."""
        from .services import user_email_mark_verified

        with transaction.atomic(using=self.db):
            user = super().create_superuser(*args, **kwargs)
            user_email_mark_verified(user=user)
        return user

    def get(self, *args: object, **kwargs: object) -> User:
        """`User.objects.get(pk=…)` alone, which is how Django's authentication finds the
        signed-in member on every request, runs one SELECT compiled once per database (building
        and compiling the query cost more than running it); any other lookup, and every related
        manager (`group.user_set`, which must keep its own filter), is the ORM's own."""
        if args or kwargs.keys() != {"pk"} or type(self) is not CaseInsensitiveUserManager:
            return super().get(*args, **kwargs)
        return _user_by_pk(self, kwargs["pk"])


def _user_by_pk(manager: CaseInsensitiveUserManager, pk: object) -> User:
    model = manager.model
    alias = router.db_for_read(model)
    connection = connections[alias]
    value = model._meta.pk.get_db_prep_value(pk, connection=connection)  # the ORM's own errors
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    if not low <= value <= high:  # no row, as the ORM answers (the database would refuse it)
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    # Per connection object (its converters are bound to it): the SQL, the columns'
    # attributes, and the converters the ORM would apply to each value (SQLite's datetimes).
    compiled = built_for_connection(
        connection,
        "accounts.user_by_pk",
        lambda: CompiledRead.of(UserManager.get_queryset(manager).using(alias).filter(pk=0), alias),
    )
    # Prepared once per connection where the backend can (PostgreSQL: planning this lookup
    # cost more server time than running it).
    with getattr(connection, "prepared_cursor", connection.cursor)() as cursor:
        cursor.execute(compiled.sql, [value])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    fields = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(alias, fields, compiled.convert(row))


class User(AbstractUser):
    """The blueprint's `users` table: id, name, email, profile_pic (+ Django's auth fields)."""

    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[username_validator],
        help_text=_("Used in your profile address: /user/<username>."),
        error_messages={"unique": _("That username is taken.")},
    )
    name = models.CharField(_("display name"), max_length=80, blank=True)
    email = models.EmailField(_("email address"), unique=True)
    # Indexed: the media view finds a picture's member by its key (their state decides).
    profile_pic = models.ImageField(
        _("profile picture"), upload_to=profile_pic_path, blank=True, max_length=255, db_index=True
    )
    # Django's first/last name are replaced by a single display name.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    # Kept by `social`'s follow services, which move them with each follow row they write.
    follower_count = models.PositiveIntegerField(_("followers"), default=0, editable=False)
    following_count = models.PositiveIntegerField(_("following"), default=0, editable=False)
    # How many members this one mutes (kept by `social`): the feeds filter only when it is not 0.
    muting_count = models.PositiveIntegerField(_("muted members"), default=0, editable=False)

    # What this member chose to see: general work always; mature and explicit only after
    # confirming their age, and blurred until clicked unless they choose to show them.
    age_confirmed_at = models.DateTimeField(_("age confirmed at"), null=True, blank=True)
    show_mature = models.BooleanField(_("show mature work"), default=False)
    show_explicit = models.BooleanField(_("show explicit work"), default=False)
    blur_sensitive = models.BooleanField(_("blur mature and explicit work"), default=True)
    # Ask AI crawlers not to train on this member's work (noai, noimageai).
    noai = models.BooleanField(_("ask AI crawlers not to train on my work"), default=False)
    # Visitors may download this member's originals.
    allow_downloads = models.BooleanField(_("let visitors download my originals"), default=False)

    objects = CaseInsensitiveUserManager()

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="users_username_ci_unique"),
        ]
        permissions = [("suspend_user", _("Can suspend and restore users"))]

    def __str__(self) -> str:
        return self.username

    def save(self, *args: object, **kwargs: object) -> None:
        # Normalise case so the case-insensitive constraints and lookups agree.
        if self.email:
            self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        # The page is another app's (feed): it registers where it lives.
        return profile_url(self.username)


class StaffAction(models.Model):
    """One entry of the staff action log: who did what to which artwork, user or report, and
    why. Written by every moderation service in the same transaction as the change itself.

    It lives in `accounts`, the lowest app, because services of both `accounts` (suspend) and
    `artworks` (hide, feature, delete…) write it and a lower app never imports a higher one.
    The target is kept as (type, id, label) rather than a foreign key, so an entry outlives the
    artwork it records the deletion of."""

    class Action(models.TextChoices):
        ARTWORK_HIDE = "artwork_hide", _("Hid artwork")
        ARTWORK_RESTORE = "artwork_restore", _("Restored artwork")
        ARTWORK_UNPUBLISH = "artwork_unpublish", _("Unpublished artwork")
        ARTWORK_FEATURE = "artwork_feature", _("Featured artwork")
        ARTWORK_UNFEATURE = "artwork_unfeature", _("Unfeatured artwork")
        ARTWORK_EDIT = "artwork_edit", _("Edited artwork")
        ARTWORK_DELETE = "artwork_delete", _("Deleted artwork")
        USER_SUSPEND = "user_suspend", _("Suspended user")
        USER_RESTORE = "user_restore", _("Restored user")
        USER_DELETE = "user_delete", _("Deleted user")
        REPORT_RESOLVE = "report_resolve", _("Resolved report")
        REPORT_DISMISS = "report_dismiss", _("Dismissed report")
        COMMENT_HIDE = "comment_hide", _("Hid comment")
        COMMENT_UNHIDE = "comment_unhide", _("Unhid comment")
        COMMENT_DELETE = "comment_delete", _("Deleted comment")

    class TargetType(models.TextChoices):
        ARTWORK = "artwork", _("Artwork")
        USER = "user", _("User")
        REPORT = "report", _("Report")
        COMMENT = "comment", _("Comment")

    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="staff_actions",
        verbose_name=_("staff member"),
    )
    # Kept when the staff account itself is deleted later.
    actor_username = models.CharField(_("staff username"), max_length=30)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=16, choices=TargetType.choices)
    target_id = models.BigIntegerField(_("target id"))
    target_repr = models.CharField(_("target"), max_length=200)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "staff_actions"
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff action")
        verbose_name_plural = _("staff action log")
        indexes = [
            # "Everything that happened to this artwork / user", newest first.
            models.Index(
                "target_type", "target_id", F("created_at").desc(), name="staff_actions_target_idx"
            ),
            models.Index("actor", F("created_at").desc(), name="staff_actions_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_username}: {self.get_action_display()} {self.target_repr}"
