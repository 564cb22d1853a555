from __future__ import annotations

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .models import USERNAME_PATTERN, User
from .services import avatar_render, display_name_clean
from .validators import username_is_reserved


class ProfileForm(forms.Form):
    """The member's own profile. There is no user id anywhere in it: the view always edits
    request.user."""

    username = forms.RegexField(
        label=_("Username"),
        regex=USERNAME_PATTERN,
        max_length=30,
        help_text=_(
            "3–30 letters, digits, underscores or hyphens. Your profile lives at "
            "/user/<username>; changing it frees the old address."
        ),
        error_messages={
            "invalid": _("3–30 characters: letters, digits, underscores and hyphens only.")
        },
    )
    name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF; cropped to a square."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
    allow_downloads = forms.BooleanField(
        label=_("Let visitors download my originals"),
        required=False,
        help_text=_("Your artwork pages show a Download button for the original file."),
    )
    noai = forms.BooleanField(
        label=_("Ask AI crawlers not to train on my work"),
        required=False,
        help_text=_(
            "Your profile, your artwork pages and their images tell crawlers “noai, noimageai”. "
            "Not every crawler honours it."
        ),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username_is_reserved(username):
            raise forms.ValidationError(_("That username is reserved."))
        taken = User.objects.filter(username__iexact=username).exclude(pk=self.user.pk).exists()
        if taken:
            raise forms.ValidationError(_("That username is taken."))
        return username

    def clean_avatar(self) -> bytes | None:
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        if upload.size > settings.AVATAR_MAX_BYTES:
            raise forms.ValidationError(
                _("The image is too large (at most %(mb)d MB).")
                % {"mb": settings.AVATAR_MAX_BYTES // (1024 * 1024)}
            )
        return upload.read()


class ContentSettingsForm(forms.Form):
    """Which ratings of work the member sees, and how. The rule (an age confirmation before
    either is turned on) is the service's: the form only reads the boxes."""

    age_confirmed = forms.BooleanField(label=_("I am 18 or older"), required=False)
    show_mature = forms.BooleanField(
        label=_("Show mature work"),
        required=False,
        help_text=_("Nudity that is not sexual, strong violence, disturbing themes."),
    )
    show_explicit = forms.BooleanField(
        label=_("Show explicit work"),
        required=False,
        help_text=_("Sexual content and graphic violence."),
    )
    blur_sensitive = forms.BooleanField(
        label=_("Blur mature and explicit work until I choose to show it"), required=False
    )


class StaffSignInForm(AdminAuthenticationForm):
    """/admin/login/ under the same lockout as /login. allauth's adapter counts the attempt
    against its login_failed limits (per client address and per account, the same counters
    the site's form uses) before checking the password, and gives the attempt back when it
    succeeds, so the right password is refused while a lockout lasts."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = get_adapter(self.request).authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class _AdminUsernameRule(forms.ModelForm):
    """A username set in the admin follows the profile form's rule: none nobody may take
    (`username_is_reserved`), none another member holds in any letter case, said in the
    site's words (the database's case-insensitive constraint would name itself)."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if self.instance.pk and username.lower() == self.instance.username.lower():
            return username  # their own, in whatever case
        if username_is_reserved(username):
            raise ValidationError(_("That username is reserved."))
        others = User.objects.exclude(pk=self.instance.pk) if self.instance.pk else User.objects
        if others.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken."))
        return username


class MemberCreationForm(_AdminUsernameRule, AdminUserCreationForm):
    """The admin's form for a new account."""


class MemberChangeForm(_AdminUsernameRule, UserChangeForm):
    """The admin's member form: the username follows the profile form's rule, and a display
    name is stored as the settings page stores it (`display_name_clean`: no control
    characters, no bidi controls that could turn the "(@username)" beside it around; a name of
    invisible characters alone is refused)."""

    def clean_profile_pic(self) -> object:
        # A new picture is stored as the settings page stores one (`avatar_render`): a square
        # WebP without metadata, within the same size limit.
        picture = self.cleaned_data.get("profile_pic")
        if not isinstance(picture, UploadedFile):
            return picture  # unchanged, or cleared (False)
        picture.seek(0)
        try:
            return ContentFile(avatar_render(picture.read()), name="avatar.webp")
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def clean_name(self) -> str:
        try:
            return display_name_clean(self.cleaned_data.get("name", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["name"]) from None
