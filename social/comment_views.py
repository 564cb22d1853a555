"""Comments from the artwork page: post, reply, delete, and the next page of comments.

Each action is a plain POST form with CSRF. Without JavaScript a success redirects back to the
artwork page at the comment (`#comment-<id>`), and a refused or invalid comment is shown again
on a page of its own with the reason and the typed text kept. With htmx the form is swapped in
place (cleared, or with its error and the text), the new comment appended to its list, the
count and the live region updated (out of band). The rules are the services' own
(`social.services.comment_create` / `comment_delete`): an artwork the member may not see is a
404, a refusal (`comment_refusal`, `can_delete_comment`) a 403 with its reason, a bad body a
400, and posting is rate-limited with the API's "comment" scope (429).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from artworks.models import Artwork
from artworks.selectors import artwork_get_visible_cached
from common import ratelimit
from common.redirects import sign_in_first

from . import services
from .comment_display import CURSOR_PARAMETER, comment_section, comment_url, prepare_comments
from .models import COMMENT_MAX_LENGTH, Comment
from .selectors import comment_is_shown_to, comment_refusal, comment_staff_sees_all

FORM_PARTIAL = "social/partials/comment_form.html"
POSTED_PARTIAL = "social/partials/comment_posted.html"
DELETED_PARTIAL = "social/partials/comment_deleted.html"
MORE_PARTIAL = "social/partials/comments_more.html"
FORM_PAGE = "social/comment_form_page.html"


def _visible_artwork(request: HttpRequest, artwork_id: int) -> Artwork:
    try:
        return artwork_get_visible_cached(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _parent_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("parent", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # no such comment: the service says it is gone


def _form_again(
    request: HttpRequest, artwork: Artwork, *, parent_id: int | None, error: str, status: int
) -> HttpResponse:
    context = {
        "artwork": artwork,
        "parent_id": parent_id,
        "body": request.POST.get("body", ""),
        "error": error,
        "max_length": COMMENT_MAX_LENGTH,
        "focus": True,
    }
    template = FORM_PARTIAL if request.htmx else FORM_PAGE
    return _no_store(render(request, template, context, status=status))


def _comment_count(artwork_id: int) -> int:
    return Artwork.objects.values_list("comment_count", flat=True).get(pk=artwork_id)


@require_POST
def comment_post(request: HttpRequest, artwork_id: int) -> HttpResponse:
    artwork = _visible_artwork(request, artwork_id)
    if not request.user.is_authenticated:
        return sign_in_first(request, f"{artwork.get_absolute_url()}#comments")
    parent_id = _parent_id(request)
    if ratelimit.hit(scope="comment", key=ratelimit.client_key(request)):
        error = _("Too many comments in a short time; try again later.")
        return _form_again(request, artwork, parent_id=parent_id, error=error, status=429)
    try:
        comment = services.comment_create(
            author=request.user,
            artwork_id=artwork.pk,
            body=request.POST.get("body", ""),
            parent_id=parent_id,
        )
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None
    except services.CommentRefused as refusal:
        return _form_again(request, artwork, parent_id=parent_id, error=refusal.message, status=403)
    except ValidationError as invalid:
        error = invalid.messages[0]
        return _form_again(request, artwork, parent_id=parent_id, error=error, status=400)
    count = _comment_count(artwork.pk)
    if not request.htmx:
        messages.success(request, _("Your comment was posted."))
        return redirect(comment_url(artwork, comment, count=count))
    prepare_comments([comment], request.user)
    context = {
        "artwork": artwork,
        "comment": comment,
        "parent_id": parent_id,
        "body": "",
        "count": count,
        "deletable_ids": {comment.pk},
        "max_length": COMMENT_MAX_LENGTH,
        "can_reply": True,
    }
    return _no_store(render(request, POSTED_PARTIAL, context))


def _comment_for(request: HttpRequest, comment_id: int) -> Comment:
    """The comment, when the viewer may see it and its artwork, else 404."""
    comment = Comment.objects.select_related("artwork", "author").filter(pk=comment_id).first()
    if comment is None or not comment_is_shown_to(comment=comment, viewer=request.user):
        raise Http404(_("No such comment."))
    _visible_artwork(request, comment.artwork_id)
    return comment


@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        # Back to the artwork only when the visitor may see it: its address names its title.
        try:
            page = _comment_for(request, comment_id).artwork.get_absolute_url()
        except Http404:
            page = "/"
        return sign_in_first(request, page)
    comment = _comment_for(request, comment_id)
    artwork = comment.artwork
    back = f"{artwork.get_absolute_url()}#comments"
    try:
        services.comment_delete(actor=request.user, comment_id=comment.pk)
    except Comment.DoesNotExist:
        raise Http404(_("No such comment.")) from None
    except services.CommentRefused as refusal:
        if request.htmx:
            context = {"artwork": artwork, "status_text": refusal.message, "count": None}
            response = render(request, DELETED_PARTIAL, context, status=403)
            response["HX-Reswap"] = "none"
            return _no_store(response)
        messages.error(request, refusal.message)
        return redirect(back)
    if not request.htmx:
        messages.success(request, _("The comment was deleted."))
        return redirect(back)
    count = _comment_count(artwork.pk)
    context = {
        "artwork": artwork,
        "status_text": _("The comment was deleted."),
        "count": count,
        "empty_note": _empty_note(request, artwork) if count == 0 else "",
    }
    return _no_store(render(request, DELETED_PARTIAL, context))


def _empty_note(request: HttpRequest, artwork: Artwork) -> str:
    """What the comments' section says once none are left, as the page says it (staff who
    may still see hidden comments are told nothing)."""
    if comment_staff_sees_all(request.user):
        return ""
    if comment_refusal(actor=request.user, artwork=artwork):
        return _("No comments yet.")
    return _("No comments yet — be the first.")


@require_safe
def comments_more(request: HttpRequest, artwork_id: int) -> HttpResponse:
    """The next page of comments: with htmx, its comments to append and the next link (a
    cursor the page did not make is a 400 with the reason); without, the artwork page from
    that comment on."""
    artwork = _visible_artwork(request, artwork_id)
    cursor = request.GET.get(CURSOR_PARAMETER) or None
    if not request.htmx:
        url = artwork.get_absolute_url()
        if cursor:
            url += "?" + urlencode({CURSOR_PARAMETER: cursor})
        return redirect(f"{url}#comments")
    section = comment_section(artwork=artwork, viewer=request.user, cursor=cursor)
    if section.cursor_error:
        # The fragment is appended under the comments shown: the first page again would
        # show them twice (the artwork page itself starts over with the message instead).
        text = "text/plain; charset=utf-8"
        return _no_store(HttpResponse(section.cursor_error, status=400, content_type=text))
    context = {"section": section, "artwork": artwork, "max_length": COMMENT_MAX_LENGTH}
    return _no_store(render(request, MORE_PARTIAL, context))
