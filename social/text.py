"""Comments are plain text. `comment_html` is the one way one is shown as HTML: everything
is escaped, then web addresses and `@username` mentions become links. No markup a member types
ever reaches a page: the links are built here, from escaped parts, and only for `http(s)`
addresses (so no `javascript:` or `data:` link can be made)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .selectors import MENTION_PATTERN

if TYPE_CHECKING:
    from accounts.models import User

# An address runs to the next space or character that cannot be part of one unescaped.
_URL = r"(?<![\w/.:-])(?P<url>https?://[^\s<>\"'`\\]+)"
_TOKEN = re.compile(f"{_URL}|{MENTION_PATTERN.pattern}", re.IGNORECASE)
# Punctuation that usually ends the sentence around an address rather than the address.
_TRAILING = ".,;:!?'\"*"
LINK_TEXT_MAX = 60  # longer addresses are shortened on the page (the link keeps them whole)
LINK_REL = "nofollow ugc noopener"


def _split_url(url: str) -> tuple[str, str]:
    """(the address, what follows it in the sentence)."""
    tail = ""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))):
        url, tail = url[:-1], url[-1] + tail
    return url, tail


def _url_html(url: str) -> str:
    text = url if len(url) <= LINK_TEXT_MAX else url[: LINK_TEXT_MAX - 1] + "…"
    return format_html('<a href="{}" rel="{}">{}</a>', url, LINK_REL, text)


def comment_html(body: str, members: dict[str, User] | None = None) -> SafeString:
    """`body` as safe HTML: escaped, line breaks kept (`<br>`), http(s) addresses linked
    (rel="nofollow ugc noopener"), and `@username` linked to the profile of an active member
    found in `members` (from `social.selectors.mentioned_members`, one query per page)."""
    members = members or {}
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(body):
        parts.append(escape(body[position : match.start()]))
        position = match.end()
        if match["url"]:
            url, tail = _split_url(match["url"])
            if "://" in url and url.split("://", 1)[1]:
                parts.append(_url_html(url))
            else:
                parts.append(escape(url))
            parts.append(escape(tail))
            continue
        member = members.get(match["name"].lower())
        if member is None:
            parts.append(escape(match.group(0)))
        else:
            parts.append(
                format_html('<a href="{}">@{}</a>', member.get_absolute_url(), member.username)
            )
    parts.append(escape(body[position:]))
    html = "".join(parts).replace("\r\n", "\n").replace("\n", "<br>\n")
    return mark_safe(html)  # noqa: S308 (every part above is escaped or built by format_html)
