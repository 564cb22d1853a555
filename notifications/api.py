"""Notifications in the JSON API: `GET /api/notifications` and `POST /api/notifications/read`.

The list is the one the page shows, ungrouped (a client groups as it likes: each item has its
kind, actor and artwork), newest first, keyset-paginated: pass `next_cursor` back as
`cursor`; a cursor this API did not make is 400. Every answer carries the member's
`unread_count`. Marking read takes `{"up_to_id": n}` (the member's unread notifications with
an id up to n; other members' ids only bound the range) or `{}` (all), and answers the count
left unread. Anonymous callers get 401."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, Field

from accounts.api_auth import api_auth
from common.api import BODY_ERRORS, COMMON_ERRORS, errors

from . import services
from .models import Notification
from .selectors import PAGE_SIZE, InvalidCursor, notifications_page, unread_count

router = Router(tags=["notifications"])
EXCERPT_LENGTH = 140


class ActorOut(Schema):
    id: int
    username: str
    display_name: str
    url: str


class ArtworkRefOut(Schema):
    id: int
    title: str
    url: str | None  # None when the recipient may not open it (their artwork hidden by staff)


class NotificationOut(Schema):
    id: int
    kind: str
    actor: ActorOut | None
    artwork: ArtworkRefOut | None
    comment_id: int | None
    comment_excerpt: str | None
    reason: str
    created_at: datetime
    read: bool


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class ListQuery(Schema):
    cursor: str | None = None
    limit: int = Field(PAGE_SIZE, ge=1, le=100)


class ReadIn(BaseModel):  # pydantic's own: a body that is not a JSON object is refused (422)
    # A number below 1 is the service's 400 (with its sentence), not a schema violation.
    up_to_id: int | None = None


class ReadOut(Schema):
    unread_count: int


def _item(row: Notification) -> dict:
    actor, artwork, comment = row.actor, row.artwork, row.comment
    return {
        "id": row.pk,
        "kind": row.kind,
        "actor": actor
        and {
            "id": actor.pk,
            "username": actor.username,
            "display_name": actor.display_name,
            "url": actor.get_absolute_url(),
        },
        "artwork": artwork
        and {
            "id": artwork.pk,
            "title": artwork.title,
            "url": None if row.kind == Notification.Kind.HIDDEN else artwork.get_absolute_url(),
        },
        "comment_id": row.comment_id,
        "comment_excerpt": comment and comment.body[:EXCERPT_LENGTH],
        "reason": row.reason,
        "created_at": row.created_at,
        "read": row.read_at is not None,
    }


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **COMMON_ERRORS, **errors(400)},
    auth=api_auth,
)
def notifications_list(request: HttpRequest, query: Query[ListQuery]) -> Status:
    """The signed-in member's notifications, newest first (see the module's docstring)."""
    try:
        page = notifications_page(
            recipient=request.user, cursor=query.cursor or None, limit=query.limit
        )
    except InvalidCursor as error:
        return Status(400, {"detail": str(error)})
    return Status(
        200,
        {
            "items": [_item(row) for row in page.items],
            "next_cursor": page.next_cursor,
            "unread_count": unread_count(user=request.user),
        },
    )


@router.post("/notifications/read", response={200: ReadOut, **BODY_ERRORS}, auth=api_auth)
def notifications_read(request: HttpRequest, body: ReadIn) -> Status:
    """Mark read all the member's notifications (`{}`), or those up to `up_to_id`."""
    try:
        left = services.notifications_mark_read(recipient=request.user, up_to_id=body.up_to_id)
    except ValidationError as error:
        return Status(400, {"detail": " ".join(error.messages)})
    return Status(200, {"unread_count": left})
