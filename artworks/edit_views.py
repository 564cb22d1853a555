"""The edit page: /artwork/<id>/<slug>/edit, where the author changes the title, description,
alt text, tags, rating and prompt visibility of a published artwork or a draft.

It asks the same rules as PATCH /api/artworks/{id} and the services: an artwork the visitor
may not see is a 404; one they see but may not edit (`permissions.can_edit_artwork`) is a 403
page saying so. A plain form with CSRF: it works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import permissions, services
from .forms import ArtworkEditForm
from .models import Artwork
from .selectors import artwork_get_visible


def _refused(request: HttpRequest, artwork: Artwork) -> HttpResponse:
    return render(
        request,
        "artworks/edit_refused.html",
        {
            "heading": _("You cannot edit this artwork"),
            "reason": _("Only its author can change it."),
            "artwork": artwork,
        },
        status=403,
    )


def edit_url(artwork: Artwork) -> str:
    return reverse("artworks:edit", args=[artwork.pk, artwork.url_slug])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, artwork_id: int, slug: str) -> HttpResponse:
    try:
        artwork = artwork_get_visible(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None
    if not permissions.can_edit_artwork(actor=request.user, artwork=artwork):
        return _refused(request, artwork)
    if request.method == "GET" and slug != artwork.url_slug:
        return redirect(edit_url(artwork), permanent=True)
    show_prompt_choice = bool(artwork.prompt) and permissions.can_change_prompt_visibility(
        actor=request.user, artwork=artwork
    )
    form = ArtworkEditForm(
        request.POST if request.method == "POST" else None,
        artwork=artwork,
        show_prompt_choice=show_prompt_choice,
    )
    if request.method == "POST" and form.is_valid():
        try:
            artwork = services.artwork_update(
                artwork=artwork,
                actor=request.user,
                changes=form.changes(),
                tags=form.cleaned_data["tags"],
            )
        except PermissionDenied:
            return _refused(request, artwork)
        except ValidationError as error:
            found = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, problems in found.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(artwork.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "artworks/edit.html", {"form": form, "artwork": artwork}, status=status)
