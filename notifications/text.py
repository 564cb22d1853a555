"""A line of the notifications page as words: "ada, bob and 3 others liked *Title*", with the
members and the artwork linked (escaped, then put together)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from social.comment_display import comment_url

from .models import Notification

if TYPE_CHECKING:
    from accounts.models import User
    from artworks.models import Artwork
    from social.models import Comment

    from .selectors import NotificationGroup

Kind = Notification.Kind
NAMED_ACTORS = 2  # how many names a line spells out before "and N others"


def _sentences() -> dict[str, str]:
    return {
        Kind.FOLLOW: _("%(actors)s followed you"),
        Kind.LIKE: _("%(actors)s liked %(artwork)s"),
        Kind.FAVORITE: _("%(actors)s added %(artwork)s to their favorites"),
        Kind.COMMENT: _("%(actors)s commented on %(artwork)s"),
        Kind.REPLY: _("%(actors)s replied to your comment on %(artwork)s"),
        Kind.MENTION: _("%(actors)s mentioned you on %(artwork)s"),
        Kind.FEATURED: _("Staff featured your artwork %(artwork)s"),
        Kind.HIDDEN: _("Staff hid your artwork %(artwork)s"),
        Kind.RATED: _("Staff changed the rating of your artwork %(artwork)s"),
    }


def _member_html(member: User) -> str:
    return format_html('<a href="{}">@{}</a>', member.get_absolute_url(), member.username)


def actors_html(actors: list[User]) -> SafeString:
    """ "@ada", "@ada and @bob", "@ada, @bob and 3 others"."""
    names = [_member_html(member) for member in actors[:NAMED_ACTORS]]
    others = len(actors) - len(names)
    if not names:
        return SafeString("")
    if len(names) == 1 and not others:
        return SafeString(names[0])
    if not others:
        text = escape(_("%(first)s and %(second)s"))
        return mark_safe(text % {"first": names[0], "second": names[1]})  # noqa: S308
    text = escape(
        ngettext(
            "%(names)s and %(count)d other",
            "%(names)s and %(count)d others",
            others,
        )
    )
    separator = escape(pgettext("between the names of a list", ", "))
    return mark_safe(text % {"names": separator.join(names), "count": others})  # noqa: S308


def artwork_link(artwork: Artwork | None, *, linked: bool, comment: Comment | None = None) -> str:
    """The artwork's title, linked to its page (at `comment`, on the page of comments that
    shows it) unless `linked` is false."""
    if artwork is None:
        return escape(_("an artwork"))
    title = artwork.title or _("Untitled")
    if not linked:
        return format_html("<em>{}</em>", title)
    url = artwork.get_absolute_url() if comment is None else comment_url(artwork, comment)
    return format_html('<a href="{}"><em>{}</em></a>', url, title)


def group_html(group: NotificationGroup) -> SafeString:
    """The line's sentence as safe HTML (every part escaped or built by format_html)."""
    newest = group.newest
    parts = {
        "actors": actors_html(group.actors),
        # A hidden artwork cannot be opened by its author: its title is not a link then.
        "artwork": artwork_link(
            newest.artwork, linked=group.kind != Kind.HIDDEN, comment=newest.comment
        ),
    }
    sentence = escape(_sentences()[group.kind])
    return mark_safe(sentence % parts)  # noqa: S308
