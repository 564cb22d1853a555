"""The author's pages and actions: the create page, publish / unpublish / delete / retry, and
the generation-status fragment that the artwork page polls with htmx.

Actions are POST only (with CSRF) and ask `artworks.permissions`, as the API and the admin
do: an artwork the visitor may not see is a 404 (it does not exist for them); an action the
rule refuses on one they see is a 403. Every action works
without JavaScript (redirect back with a message) and with htmx (a fragment is returned).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common import ratelimit
from common.redirects import safe_next_url

from . import limits, permissions, services
from .forms import GenerateForm, UploadForm
from .models import Artwork
from .selectors import artwork_get_visible

if TYPE_CHECKING:
    from accounts.models import User

TABS = ("generate", "upload")


def _attach_errors(form: forms.Form, error: ValidationError, *, default_field: str | None) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            if field in form.fields and form.fields[field].widget.is_hidden:
                form.add_error(None, errors)  # a hidden field shows no error of its own
            else:
                form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, error.messages)


def _creation_refusal(request: HttpRequest) -> tuple[str, int]:
    """(why creating is refused now, the status to answer) or ("", 200). The creation limits
    (artworks.limits) fail closed: when they cannot count (cache down), creating waits."""
    try:
        if limits.creation_refused(request):
            return _("You are creating very quickly. Please wait a while."), 429
    except ratelimit.RateLimitUnavailable:
        return _("Creating is paused for a moment. Please try again soon."), 503
    return "", 200


def _remix_source(request: HttpRequest, raw_id: object) -> tuple[Artwork | None, str, int]:
    """(the artwork to remix, "", 200), or (None, why not, the status to answer) when the
    member may not remix it (`permissions.remix_refusal`; one they may not see is missing).
    (None, "", 200) when no remix was asked for."""
    if raw_id in (None, ""):
        return None, "", 200
    try:
        artwork = artwork_get_visible(artwork_id=int(raw_id), viewer=request.user)
    except (ValueError, TypeError, Artwork.DoesNotExist):
        return None, _("No such artwork."), 404
    refusal = permissions.remix_refusal(actor=request.user, artwork=artwork)
    return (None, refusal, 403) if refusal else (artwork, "", 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    tab = request.POST.get("tab") or request.GET.get("tab") or "generate"
    remix_id = (
        request.POST.get("remix_of") if request.method == "POST" else request.GET.get("remix")
    )
    remix, remix_refusal, status = _remix_source(request, remix_id)
    if tab not in TABS or remix_id:
        tab = "generate"  # a remix is a generation
    form_class = GenerateForm if tab == "generate" else UploadForm
    extra = {"remix": remix} if tab == "generate" else {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **extra)
        refusal, status = (remix_refusal, status) if remix_refusal else _creation_refusal(request)
        if refusal:
            form.add_error(None, refusal)
        elif form.is_valid():
            try:
                artwork = _create_from(form, tab=tab, user=request.user, remix=remix)
            except ValidationError as error:
                default = "reference_image" if tab == "generate" else "file"
                _attach_errors(form, error, default_field=default)
            else:
                limits.creation_made(request)
                messages.success(
                    request,
                    _("Your draft is being generated.")
                    if tab == "generate"
                    else _("Your draft is ready. Publish it when you like."),
                )
                return redirect(artwork.get_absolute_url())
        if status == 200:
            status = 400
        _ask_for_files_again(form, request)
    else:
        form = form_class(**extra)
    context = {"form": form, "tab": tab, "remix": remix, "remix_error": remix_refusal}
    return render(request, "artworks/create.html", context, status=status)


def _ask_for_files_again(form: forms.Form, request: HttpRequest) -> None:
    """A browser never fills a file input again: a form sent back with an error has lost the
    chosen file, and the next try would fail on a missing file. Say so beside it."""
    for name, field in form.fields.items():
        sent = isinstance(field, forms.FileField) and request.FILES.get(name)
        if sent and name not in form.errors:
            form.add_error(
                name, _("Choose the file again: it is not kept when the form comes back.")
            )


def _create_from(
    form: forms.Form, *, tab: str, user: User, remix: Artwork | None = None
) -> Artwork:
    artwork = _create_draft_from(form, tab=tab, user=user, remix=remix)
    if form.cleaned_data["tags"]:
        services.artwork_set_tags(artwork=artwork, actor=user, tags=form.cleaned_data["tags"])
    return artwork


def _create_draft_from(
    form: forms.Form, *, tab: str, user: User, remix: Artwork | None = None
) -> Artwork:
    data = form.cleaned_data
    details = {
        "title": data["title"],
        "description": data["description"],
        "alt_text": data["alt_text"],
        "rating": data["rating"],
    }
    if tab == "upload":
        return services.artwork_upload(
            author=user, file=data["file"], ai_generated=data["ai_used"], **details
        )
    width, height = form.dimensions()
    return services.artwork_generate(
        author=user,
        prompt=data["prompt"],
        negative_prompt=data["negative_prompt"],
        width=width,
        height=height,
        seed=data["seed"],
        reference_image=data["reference_image"],
        prompt_hidden=data["prompt_hidden"],
        remix_of=remix,
        **details,
    )


# --- actions on one artwork ---------------------------------------------------------------


def _allowed_artwork(request: HttpRequest, artwork_id: int, rule: Callable[..., bool]) -> Artwork:
    try:
        artwork = artwork_get_visible(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None
    if not rule(actor=request.user, artwork=artwork):
        raise PermissionDenied(_("You do not have permission to do that."))
    return artwork


def _next_url(request: HttpRequest, artwork: Artwork) -> str:
    """Back to where the action was asked from (a safe `next`), else the artwork's page."""
    return safe_next_url(request) or artwork.get_absolute_url()


def _after_action(
    request: HttpRequest, artwork: Artwork, *, notice: str = "", error: str = ""
) -> HttpResponse:
    if request.htmx:  # from a draft's card: the artwork page reloads instead
        return render(
            request,
            "artworks/partials/owner_actions.html",
            {
                "artwork": artwork,
                "notice": notice,
                "error": error,
                "next": _next_url(request, artwork),
                "on_card": True,
            },
        )
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(_next_url(request, artwork))


# The status changes of the artwork page, by name: who may, the service, what to say after.
_STATUS_CHANGES = {
    "publish": (
        permissions.can_publish_artwork,
        services.artwork_publish,
        gettext_lazy("Published. It is now in the feed."),
    ),
    "unpublish": (
        permissions.can_unpublish_artwork,
        services.artwork_unpublish,
        gettext_lazy("Unpublished. Only you can see it now."),
    ),
}


def _change_status(request: HttpRequest, artwork_id: int, change: str) -> HttpResponse:
    """One of `_STATUS_CHANGES`, if the member may; a refusal of the service is shown as
    the error."""
    rule, service, notice = _STATUS_CHANGES[change]
    artwork = _allowed_artwork(request, artwork_id, rule)
    try:
        artwork = service(artwork=artwork, actor=request.user)
    except ValidationError as error:
        return _after_action(request, artwork, error=" ".join(error.messages))
    return _after_action(request, artwork, notice=str(notice))


@login_required
@require_POST
def publish(request: HttpRequest, artwork_id: int) -> HttpResponse:
    return _change_status(request, artwork_id, "publish")


@login_required
@require_POST
def prompt_visibility(request: HttpRequest, artwork_id: int) -> HttpResponse:
    """The author hides or shows the prompt (`prompt_hidden` = "1" or "0")."""
    artwork = _allowed_artwork(request, artwork_id, permissions.can_change_prompt_visibility)
    hidden = request.POST.get("prompt_hidden") == "1"
    artwork = services.artwork_edit(
        artwork=artwork, actor=request.user, changes={"prompt_hidden": hidden}
    )
    notice = (
        _("The prompt is now hidden from others.")
        if hidden
        else _("The prompt is now shown to everyone who can see the artwork.")
    )
    messages.success(request, notice)
    # A plain form (no htmx swap): the title and the address may change with it.
    return redirect(_next_url(request, artwork))


@login_required
@require_POST
def unpublish(request: HttpRequest, artwork_id: int) -> HttpResponse:
    return _change_status(request, artwork_id, "unpublish")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, artwork_id: int) -> HttpResponse:
    artwork = _allowed_artwork(request, artwork_id, permissions.can_delete_artwork)
    if request.method == "GET":
        return render(
            request,
            "artworks/delete_confirm.html",
            {"artwork": artwork, "next": _next_url(request, artwork)},
        )
    author = artwork.user
    services.artwork_delete(artwork=artwork, actor=request.user)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": artwork.title})
    destination = author.get_absolute_url()
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = destination
        return response
    return redirect(destination)


@login_required
@require_POST
def retry_generation(request: HttpRequest, artwork_id: int) -> HttpResponse:
    artwork = _allowed_artwork(request, artwork_id, permissions.can_retry_generation)
    error, _status = _creation_refusal(request)
    if error:
        if request.htmx:
            return _status_fragment(request, artwork, error=error)
        messages.error(request, error)
        return redirect(_next_url(request, artwork))
    try:
        artwork = services.artwork_retry_generation(artwork=artwork, actor=request.user)
    except ValidationError as error:
        message = " ".join(error.messages)
        if request.htmx:
            return _status_fragment(request, artwork, error=message)
        messages.error(request, message)
        return redirect(_next_url(request, artwork))
    limits.creation_made(request)
    artwork.refresh_from_db()
    if request.htmx:
        return _status_fragment(request, artwork)
    messages.success(request, _("Trying again."))
    return redirect(_next_url(request, artwork))


def _status_fragment(request: HttpRequest, artwork: Artwork, *, error: str = "") -> HttpResponse:
    response = render(
        request,
        "artworks/partials/generation_status.html",
        {"artwork": artwork, "status_error": error, "polled": bool(request.htmx)},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def generation_status(request: HttpRequest, artwork_id: int) -> HttpResponse:
    """The progress fragment. While queued or running it polls itself; once done, an htmx
    poll reloads the page so that the picture and the publish button appear."""
    artwork = _allowed_artwork(request, artwork_id, permissions.can_retry_generation)
    response = _status_fragment(request, artwork)
    if request.htmx and artwork.generation_status == Artwork.GenerationStatus.DONE:
        response["HX-Refresh"] = "true"
    return response
