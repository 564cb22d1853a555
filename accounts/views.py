from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common import ratelimit
from common.redirects import safe_next_url

from . import services
from .forms import ContentSettingsForm, ProfileForm


def _new_pictures_limited(request: HttpRequest) -> bool:
    """Whether a picture sent would go past the member's limit: each one is decoded (up to
    UPLOAD_MAX_PIXELS), so each counts, refused or not, as an artwork's upload does."""
    if not request.FILES.get("avatar"):
        return False
    return ratelimit.hit(scope="avatar", key=ratelimit.member_key(request.user.pk))


@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in member edits their own username, display name and avatar, and chooses
    whether visitors may download their originals and whether AI crawlers are asked not to
    train on their work."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, user=user)
        if _new_pictures_limited(request):
            form.is_valid()  # the other fields' errors too, shown with the refusal
            form.add_error("avatar", _("Too many new pictures in a short time; try again later."))
            user.refresh_from_db()
            return render(request, "accounts/settings_profile.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                services.user_update_profile(
                    user=user,
                    username=form.cleaned_data["username"],
                    name=form.cleaned_data["name"],
                    avatar=form.cleaned_data["avatar"],
                    remove_avatar=form.cleaned_data["remove_avatar"],
                    allow_downloads=form.cleaned_data["allow_downloads"],
                    noai=form.cleaned_data["noai"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error("avatar", exc.messages)
                user.refresh_from_db()
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:settings")
        else:
            user.refresh_from_db()
    else:
        initial = {
            "username": user.username,
            "name": user.name,
            "allow_downloads": user.allow_downloads,
            "noai": user.noai,
        }
        form = ProfileForm(initial=initial, user=user)
    return render(request, "accounts/settings_profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def content_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in member chooses which ratings of work they see (an age confirmation
    first) and whether it is blurred."""
    user = request.user
    if request.method == "POST":
        form = ContentSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.user_update_content_settings(user=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your content settings have been saved."))
                return redirect(safe_next_url(request) or "accounts:content_settings")
        user.refresh_from_db()
        status = 400
    else:
        form = ContentSettingsForm(
            initial={
                "age_confirmed": user.age_confirmed_at is not None,
                "show_mature": user.show_mature,
                "show_explicit": user.show_explicit,
                "blur_sensitive": user.blur_sensitive,
            }
        )
        status = 200
    next_url = safe_next_url(request) or ""
    context = {"form": form, "next": next_url}
    return render(request, "accounts/settings_content.html", context, status=status)
