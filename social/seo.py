"""How the followers / following pages describe themselves: a title and a description, and
noindex (a list of names is no page to find in a search engine; the profile is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.seo import PageMeta, absolute_url

if TYPE_CHECKING:
    from accounts.models import User

    from .page_selectors import Direction


def follow_list_heading(*, user: User, direction: Direction) -> str:
    if direction == "followers":
        return _("Followers of %(name)s") % {"name": user.display_name}
    return _("Followed by %(name)s") % {"name": user.display_name}


def _description(*, user: User, direction: Direction) -> str:
    names = {"name": user.display_name, "username": user.username}
    if direction == "followers":
        count = user.follower_count
        text = ngettext(
            "%(count)s member follows %(name)s (@%(username)s).",
            "%(count)s members follow %(name)s (@%(username)s).",
            count,
        )
    else:
        count = user.following_count
        text = ngettext(
            "%(name)s (@%(username)s) follows %(count)s member.",
            "%(name)s (@%(username)s) follows %(count)s members.",
            count,
        )
    return text % {**names, "count": count}


def follow_list_meta(*, user: User, direction: Direction, cursor: str | None) -> PageMeta:
    heading = follow_list_heading(user=user, direction=direction)
    meta = PageMeta(
        title=f"{heading} (@{user.username}) · {settings.SITE_NAME}",
        description=_description(user=user, direction=direction),
        path=reverse(f"social:{direction}", args=[user.username]),
        params={"cursor": cursor or ""},
        og_type="profile",
        noindex=True,
    )
    if user.profile_pic:
        meta.image = absolute_url(user.profile_pic.url)
        meta.image_alt = user.display_name
    else:
        meta.image = absolute_url(settings.STATIC_URL + "img/og-default.png")
        meta.image_width, meta.image_height = 1200, 630
        meta.image_alt = settings.SITE_NAME
    meta.extra_og["profile:username"] = user.username
    return meta
