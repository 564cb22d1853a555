"""{% follow_button person %}: the follow button of `person` for this page's viewer
(social.buttons decides what it shows). `followed_ids`: the ids the viewer follows, read
once for a whole list (selectors.followed_ids); without it the tag asks is_following (one
query, which also says whether a block stands between the two: then there is no button).
`stats`: the button sits on the profile, beside the follower count it keeps current.

{% comments_section artwork %}: the comments of the artwork page, with their forms.

{% collection_save artwork %}: "Save to collection" on the artwork page.

{% member_menu person %}: block / mute (or undo them) for a signed-in viewer other than
`person` (one query). `{% standing_with person as standing %}` reads the viewer's standing
once for both: `{% follow_button person standing=standing %}{% member_menu person standing %}`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from social.buttons import PARTIAL, follow_button_context, follow_button_mode
from social.collection_display import save_panel_context
from social.comment_display import CURSOR_PARAMETER, comment_section
from social.selectors import member_standing

if TYPE_CHECKING:
    from collections.abc import Collection

    from accounts.models import User
    from artworks.models import Artwork

register = template.Library()


@register.inclusion_tag(PARTIAL, takes_context=True)
def follow_button(
    context: template.Context,
    person: User,
    followed_ids: Collection[int] | None = None,
    stats: bool = False,
    standing: dict[str, bool] | None = None,
    hidden_ids: Collection[int] = (),
) -> dict[str, object]:
    """`followed_ids` (with `hidden_ids`, those in a block with the viewer either way): read
    once for a list; else the viewer's `standing` with `person` (read here when not given)."""
    request = context["request"]
    if follow_button_mode(viewer=request.user, person=person) != "member":
        following = False
    elif person.pk in hidden_ids:
        return {"mode": "hidden"}
    elif followed_ids is not None:
        following = person.pk in followed_ids
    else:
        standing = standing or member_standing(viewer=request.user, user=person)
        if standing["blocked_by"] or standing["blocking"]:
            return {"mode": "hidden"}
        following = standing["following"]
    return follow_button_context(
        request=request, person=person, following=following, stats=bool(stats)
    )


@register.inclusion_tag("social/partials/member_menu.html", takes_context=True)
def member_menu(
    context: template.Context, person: User, standing: dict[str, bool] | None = None
) -> dict[str, object]:
    request = context["request"]
    if follow_button_mode(viewer=request.user, person=person) != "member":
        return {"show": False}
    standing = standing or member_standing(viewer=request.user, user=person)
    return {
        "show": True,
        "person": person,
        "blocking": standing["blocking"],
        "muting": standing["muting"],
        "back": request.get_full_path(),
    }


@register.simple_tag(takes_context=True)
def standing_with(context: template.Context, person: User) -> dict[str, bool]:
    """The viewer's standing with `person` (selectors.member_standing), read once for a page
    that shows both the follow button and the member menu."""
    return member_standing(viewer=context["request"].user, user=person)


@register.inclusion_tag("social/partials/comments.html", takes_context=True)
def comments_section(
    context: template.Context, artwork: Artwork, standing: dict[str, bool] | None = None
) -> dict[str, object]:
    """The comments of the artwork page (`?comments=<cursor>`: from that comment on), with the
    form, the refusal or the way to sign in: `social.comment_display.comment_section`.
    `standing`: the viewer's standing with the artwork's author, when the page read it."""
    request = context["request"]
    cursor = request.GET.get(CURSOR_PARAMETER) or None
    blocked_by = standing["blocked_by"] if standing is not None else None
    section = comment_section(
        artwork=artwork, viewer=request.user, cursor=cursor, blocked_by=blocked_by
    )
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "section": section,
        "artwork": artwork,
        "max_length": section.max_length,
    }


@register.inclusion_tag("social/partials/collection_save.html", takes_context=True)
def collection_save(
    context: template.Context, artwork: Artwork, standing: dict[str, bool] | None = None
) -> dict[str, object]:
    """The save control (`social.collection_display.save_panel_context`). `standing`: the
    viewer's standing with the artwork's author, when the page read it."""
    request = context["request"]
    blocked_by = standing["blocked_by"] if standing is not None else None
    panel = save_panel_context(request=request, artwork=artwork, blocked_by=blocked_by)
    return {
        **panel,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }
