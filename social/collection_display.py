"""What the pages need to draw collections: the save control of the artwork page (the
member's collections, ticked where the artwork is) and the tabs of a member's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in

from .collection_selectors import save_choices
from .selectors import is_blocked_by
from .services import COLLECTIONS_PER_MEMBER

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from artworks.models import Artwork


def save_panel_context(
    *,
    request: HttpRequest,
    artwork: Artwork,
    blocked_by: bool | None = None,
    error: str = "",
    done: str = "",
    new_name: str = "",
) -> dict[str, object]:
    """The control's context (social/partials/collection_save.html): for a visitor, a way to
    sign in and come back; for a member, their collections (one query) and the form for a new
    one, or why they cannot save this artwork. `blocked_by`: whether the artwork's author
    blocks the viewer, when the page read it already (else one query)."""
    viewer = request.user
    context: dict[str, object] = {
        "artwork": artwork,
        "error": error,
        "done": done,
        "new_name": new_name,
        "back": artwork.get_absolute_url(),
    }
    if not user_is_signed_in(viewer):
        return {**context, "mode": "visitor"}
    if blocked_by is None:
        blocked_by = artwork.user_id != viewer.pk and is_blocked_by(
            viewer=viewer, user=artwork.user
        )
    if blocked_by:
        return {**context, "mode": "refused", "refusal": _("You cannot save this member's work.")}
    choices = save_choices(member=viewer, artwork_id=artwork.pk)
    return {
        **context,
        "mode": "member",
        "choices": choices,
        "can_make_more": len(choices) < COLLECTIONS_PER_MEMBER,
        "saved_count": sum(1 for choice in choices if choice.saved),
    }


def member_tabs(owner: User) -> list[dict[str, object]]:
    """A member's artworks and their collections (components/tabs.html)."""
    return [
        {
            "key": "artworks",
            "label": _("Artworks"),
            "url": owner.get_absolute_url(),
            "count": None,
            "icon": "image",
        },
        {
            "key": "collections",
            "label": _("Collections"),
            "url": reverse("social:collections", args=[owner.username]),
            "count": None,
            "icon": "folder",
        },
    ]
