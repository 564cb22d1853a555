"""What a follow button shows (templates/social/partials/follow_button.html), for the
`{% follow_button %}` tag and for the views that answer htmx with the button alone.

Nothing for the member themselves, a link to sign in and come back for a visitor, else a POST
form in the viewer's current state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.selectors import user_is_signed_in

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

PARTIAL = "social/partials/follow_button.html"


def follow_button_mode(*, viewer: User | None, person: User) -> str:
    """One of "visitor" (not signed in), "self" (their own button: none) or "member"."""
    if not user_is_signed_in(viewer):
        return "visitor"
    return "self" if viewer.pk == person.pk else "member"


def follow_button_context(
    *,
    request: HttpRequest,
    person: User,
    following: bool,
    back: str = "",
    stats: bool = False,
    follower_count: int | None = None,
    error: str = "",
) -> dict[str, object]:
    """The partial's context. `back`: the page to come back to without JavaScript (default:
    this request's); `stats`: the button sits on the profile, beside its follower count, which
    an htmx answer updates too (`follower_count`, the count after the change)."""
    return {
        "person": person,
        "mode": follow_button_mode(viewer=request.user, person=person),
        "following": following,
        "back": back or request.get_full_path(),
        "stats": stats,
        "follower_count": person.follower_count if follower_count is None else follower_count,
        "follow_error": error,
    }
