"""{% follow_button person %}: the follow button of `person` for this page's viewer
(social.buttons decides what it shows). `followed_ids`: the ids the viewer follows, read
once for a whole list (selectors.followed_ids); without it the tag asks is_following (one
query). `stats`: the button sits on the profile, beside the follower count it keeps current."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from social.buttons import PARTIAL, follow_button_context, follow_button_mode
from social.selectors import is_following

if TYPE_CHECKING:
    from collections.abc import Collection

    from accounts.models import User

register = template.Library()


@register.inclusion_tag(PARTIAL, takes_context=True)
def follow_button(
    context: template.Context,
    person: User,
    followed_ids: Collection[int] | None = None,
    stats: bool = False,
) -> dict[str, object]:
    request = context["request"]
    if follow_button_mode(viewer=request.user, person=person) != "member":
        following = False
    elif followed_ids is not None:
        following = person.pk in followed_ids
    else:
        following = is_following(viewer=request.user, user=person)
    return follow_button_context(
        request=request, person=person, following=following, stats=bool(stats)
    )
