"""Comments in the JSON API: `GET /api/artworks/{id}/comments` (anyone who may see the
artwork; signing in adds `can_delete`), `POST /api/artworks/{id}/comments` (201 with the
comment) and `DELETE /api/comments/{id}` (200 `{"deleted": true, …}`, like deleting an
artwork).

An artwork the caller may not see (the visibility rule) is 404, on every method. A refusal of
`social.selectors.comment_refusal` (a draft, hidden work seen by staff, a member blocked by
the author), a reply in the thread of a member who blocks the caller, or a refusal of
`can_delete_comment` is 403 with the reason; an empty or too long body, or a parent that is
gone or on another artwork, is 400. Posting is rate-limited per member
(settings.RATE_LIMITS["comment"]) → 429.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.api_auth import OPTIONAL_AUTH_OPENAPI, api_auth, api_optional_auth
from artworks.models import Artwork
from artworks.schemas import AuthorOut
from artworks.selectors import artwork_get_visible_cached
from common import ratelimit
from common.api import BODY_ERRORS, COMMON_ERRORS, SafeText, errors

from . import services
from .models import COMMENT_MAX_LENGTH, Comment
from .selectors import (
    InvalidCommentCursor,
    can_delete_comment,
    comment_is_shown_to,
    comment_mentions,
    comments_page,
)
from .text import comment_html

if TYPE_CHECKING:
    from accounts.models import User

router = Router(tags=["comments"])

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


class ReplyOut(Schema):
    id: int
    body: str
    body_html: str
    created_at: datetime
    author: AuthorOut
    parent_id: int | None
    can_delete: bool
    # Only staff who moderate comments read hidden ones (the page marks them "Hidden" too).
    hidden: bool


class CommentOut(ReplyOut):
    replies: list[ReplyOut]


class CommentPageOut(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class CommentIn(Schema):
    # The limit counts the text as stored (stripped), so the schema allows some room for
    # surrounding spaces; the service has the last word.
    body: SafeText = Field(..., min_length=1, max_length=COMMENT_MAX_LENGTH * 2)
    parent_id: int | None = None


class CommentDeletedOut(Schema):
    deleted: bool
    comment_id: int


def _viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _visible_artwork(artwork_id: int, viewer: User | None) -> Artwork:
    try:
        return artwork_get_visible_cached(artwork_id=artwork_id, viewer=viewer)
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None


def _reply_out(comment: Comment, viewer: User | None, mentions: dict) -> dict:
    return {
        "id": comment.pk,
        "body": comment.body,
        "body_html": str(comment_html(comment.body, mentions.get(comment.pk))),
        "created_at": comment.created_at,
        "author": comment.author,
        "parent_id": comment.parent_id,
        "can_delete": can_delete_comment(actor=viewer, comment=comment),
        "hidden": comment.is_hidden,
    }


def _comment_out(comment: Comment, viewer: User | None, mentions: dict) -> dict:
    """`mentions`: `comment_mentions` of the comment and its replies."""
    replies = getattr(comment, "shown_replies", [])
    return {
        **_reply_out(comment, viewer, mentions),
        "replies": [_reply_out(reply, viewer, mentions) for reply in replies],
    }


@router.get(
    "/artworks/{int:artwork_id}/comments",
    response={200: CommentPageOut, **COMMON_ERRORS, **errors(400, 404)},
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def comment_list(
    request: HttpRequest,
    artwork_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status:
    """An artwork's comments, oldest first, each with its replies (oldest first). Pass
    `next_cursor` back as `cursor` for the next page; a cursor this API did not make is 400."""
    viewer = _viewer(request)
    artwork = _visible_artwork(artwork_id, viewer)
    try:
        page = comments_page(artwork=artwork, viewer=viewer, cursor=cursor or None, limit=limit)
    except InvalidCommentCursor as exc:
        return Status(400, {"detail": str(exc)})
    every = [c for top in page.items for c in (top, *top.shown_replies)]
    mentions = comment_mentions(every)
    items = [_comment_out(comment, viewer, mentions) for comment in page.items]
    return Status(200, {"items": items, "next_cursor": page.next_cursor})


@router.post(
    "/artworks/{int:artwork_id}/comments",
    response={201: CommentOut, **BODY_ERRORS, **errors(404, 429)},
    auth=api_auth,
)
def comment_post(request: HttpRequest, artwork_id: int, payload: CommentIn) -> Status:
    """Comment on an artwork, or reply to one of its comments (`parent_id`; a reply to a reply
    goes under the same top-level comment)."""
    _visible_artwork(artwork_id, request.user)
    if ratelimit.hit(scope="comment", key=ratelimit.client_key(request)):
        return Status(429, {"detail": _("Too many comments in a short time; try again later.")})
    try:
        comment = services.comment_create(
            author=request.user,
            artwork_id=artwork_id,
            body=payload.body,
            parent_id=payload.parent_id,
        )
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    return Status(201, _comment_out(comment, request.user, comment_mentions([comment])))


@router.delete(
    "/comments/{int:comment_id}",
    response={200: CommentDeletedOut, **COMMON_ERRORS, **errors(404)},
    auth=api_auth,
)
def comment_remove(request: HttpRequest, comment_id: int) -> Status:
    """Delete a comment (its author, the artwork's author, or staff who moderate comments);
    a top-level comment takes its replies with it."""
    comment = Comment.objects.select_related("artwork", "author").filter(pk=comment_id).first()
    if comment is None or not comment_is_shown_to(comment=comment, viewer=request.user):
        raise Http404("No such comment.")
    _visible_artwork(comment.artwork_id, request.user)  # as on the page: else 404
    try:
        services.comment_delete(actor=request.user, comment_id=comment_id)
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None
    return Status(200, {"deleted": True, "comment_id": comment_id})
