from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(username__iexact=username)


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
    profile_pic = models.ImageField(
        _("profile picture"), upload_to=profile_pic_path, blank=True, max_length=255
    )
    # Django's first/last name are replaced by a single display name.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    objects = CaseInsensitiveUserManager()

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="users_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs) -> None:
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
        return reverse("feed:profile", args=[self.username])
