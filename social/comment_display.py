"""What the pages need to draw comments: one page of an artwork's comments for a viewer, each
with its HTML body and whether the viewer may delete it, and the form's state (the refusal,
the rate limit's message). The same rules as the API (`social.selectors`); a constant number
of queries whatever the number of comments: the page (two), the mentioned members and their
blocks of the comments' authors (two, when anyone is mentioned) and the viewer's standing with
the artwork's author (one, signed in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .models import COMMENT_MAX_LENGTH, Comment
from .selectors import (
    CommentPage,
    InvalidCommentCursor,
    can_delete_comment,
    comment_cursor_at,
    comment_mentions,
    comment_refusal,
    comment_staff_sees_all,
    comments_page,
)
from .text import comment_html

if TYPE_CHECKING:
    from accounts.models import User
    from artworks.models import Artwork

PAGE_SIZE = 20
CURSOR_PARAMETER = "comments"


@dataclass
class CommentSection:
    artwork: Artwork
    page: CommentPage
    refusal: str | None
    cursor_error: str = ""
    first_page: bool = True
    max_length: int = COMMENT_MAX_LENGTH
    deletable_ids: set[int] = field(default_factory=set)


def prepare_comments(comments: list[Comment], viewer: User | None) -> set[int]:
    """Set each comment's `body_html` (and its replies'); the ids the viewer may delete."""
    every = [c for top in comments for c in (top, *getattr(top, "shown_replies", []))]
    mentions = comment_mentions(every)
    deletable: set[int] = set()
    for comment in every:
        comment.body_html = comment_html(comment.body, mentions.get(comment.pk))
        if can_delete_comment(actor=viewer, comment=comment):
            deletable.add(comment.pk)
    return deletable


def comment_url(artwork: Artwork, comment: Comment, *, count: int | None = None) -> str:
    """The artwork page showing `comment`: the page of comments that begins with its thread
    when there is more than one page (`count`: the artwork's comment count, if not the one
    loaded; a reply's `parent` is read: load it)."""
    url = artwork.get_absolute_url()
    if (artwork.comment_count if count is None else count) > PAGE_SIZE:
        thread = comment.parent or comment
        url += "?" + urlencode({CURSOR_PARAMETER: comment_cursor_at(thread)})
    return f"{url}#comment-{comment.pk}"


def _viewer(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def comment_section(
    *, artwork: Artwork, viewer: User | None, cursor: str | None, blocked_by: bool | None = None
) -> CommentSection:
    """The comments of `artwork` the viewer may read (the caller asked the visibility rule),
    from `cursor` on (a cursor the page did not make: the first page, with a message).
    `blocked_by`: whether the author blocks the viewer, if the page knows (`comment_refusal`)."""
    viewer = _viewer(viewer)
    refusal = comment_refusal(actor=viewer, artwork=artwork, blocked_by=blocked_by)
    error = ""
    if artwork.comment_count == 0 and not comment_staff_sees_all(viewer):
        # Nothing the viewer may read (the count holds every comment shown to the public, and
        # is dropped from the cached artwork with each change): no query.
        page = CommentPage(items=[], next_cursor=None)
        return CommentSection(
            artwork=artwork,
            page=page,
            refusal=refusal,
            first_page=not cursor,
        )
    try:
        page = comments_page(artwork=artwork, viewer=viewer, cursor=cursor, limit=PAGE_SIZE)
    except InvalidCommentCursor as exc:
        error, cursor = str(exc), None
        page = comments_page(artwork=artwork, viewer=viewer, cursor=None, limit=PAGE_SIZE)
    return CommentSection(
        artwork=artwork,
        page=page,
        refusal=refusal,
        cursor_error=error,
        first_page=not cursor,
        deletable_ids=prepare_comments(page.items, viewer),
    )
