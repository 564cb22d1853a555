"""Artwork cards rendered once and served from the cache, for every viewer.

A card (components/card.html) is the same HTML for every viewer but for a few things: whether
the viewer is signed in, whether they like or keep the artwork, the CSRF token of their forms,
and the page their forms come back to. So a card is cached per artwork, language, layout
options and those few states, with the token and the page left as placeholders that each
response fills in. Rendering a grid of cards was most of a list page's time; a cached card
costs one cache round trip instead.

A cached card remembers the versions it was rendered at: the site-wide page-cache version
(members' names and pictures) and its artwork's tag (any announced change of the artwork: its
title, media, counts, visibility), both bumped by `common.pagecache`; a copy from older
versions is a miss. The key also carries a digest of the templates and template tags that draw
a card, so a deploy that changes them never serves the old markup.

A card of work that is not `general` is drawn blurred for a member who asked for it (their own
work never is): that is part of its key. Which cards a list holds is the visibility rule's
business (a viewer who has not opted in to a rating never gets a list holding one), so a
cached card is never what decides who sees a work.

A card is the same for its author as for any other member (a member's own works show in their
feed like anyone's); cards drawn with owner actions (the author's profile) are rendered in
place, uncached.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.template import Context
from django.template.defaultfilters import urlencode
from django.template.loader import get_template
from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from common import pagecache

from .selectors import artwork_blurred_for

if TYPE_CHECKING:
    from .models import Artwork

CARD_TEMPLATE = "components/card.html"
# What a card's markup is made of: a change to any of these is a new card.
_SOURCES = (
    "templates/components",
    "templates/artworks/partials",
    "artworks/templatetags",
    "common/templatetags",
    "static/icons",
)


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    digest = hashlib.sha256()
    for source in _SOURCES:
        root = Path(settings.BASE_DIR) / source
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".py", ".svg"}:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=4)
def _placeholders(secret: str) -> tuple[str, str]:
    """Stand-ins for the CSRF token and the page a form comes back to, in a stored card. Derived
    from SECRET_KEY, so no text a member writes can spell them."""
    mac = salted_hmac("artworks.cards", "placeholder", secret=secret).hexdigest()
    return f"csrf{mac[:20]}", f"back{mac[20:40]}"


def _key(
    artwork: Artwork, *, signed_in: bool, liked: bool, favorited: bool, blurred: bool, options: str
) -> str:
    variant = (
        f"{artwork.pk}|{get_language()}|{signed_in:d}{liked:d}{favorited:d}{blurred:d}|{options}"
    )
    return f"card:{code_digest()}:{hashlib.sha256(variant.encode()).hexdigest()[:32]}"


def _render(context: Context, artwork: Artwork, values: dict) -> str:
    template = get_template(CARD_TEMPLATE).template
    with context.push(artwork=artwork, **values):
        return template.render(context)


def render_card(
    context: Context,
    artwork: Artwork,
    *,
    sizes: str = "grid",
    eager: bool = False,
    hide_author: bool = False,
    show_owner_actions: bool = False,
) -> SafeString:
    """The card of `artwork` for this request: from the cache where it can be, else rendered
    (and stored when it can be shared)."""
    request = context.get("request")
    user = context.get("user")
    values = {
        "sizes": sizes,
        "eager": eager,
        "hide_author": hide_author,
        "show_owner_actions": show_owner_actions,
        "blurred": artwork_blurred_for(artwork=artwork, viewer=user),
    }
    seconds = getattr(settings, "CARD_CACHE_SECONDS", 0)
    if seconds <= 0 or request is None or user is None or show_owner_actions:
        return mark_safe(_render(context, artwork, values))  # noqa: S308 (rendered template)

    signed_in = user.is_authenticated
    liked = artwork.pk in (context.get("liked_ids") or ())
    favorited = artwork.pk in (context.get("favorited_ids") or ())
    options = f"{sizes}|{eager:d}|{hide_author:d}"
    key = _key(
        artwork,
        signed_in=signed_in,
        liked=liked,
        favorited=favorited,
        blurred=values["blurred"],
        options=options,
    )
    tag_key = pagecache.tag_key(pagecache.artwork_tag(artwork.pk))
    found = pagecache.read_versions([pagecache.VERSION_KEY, tag_key], key)
    versions = pagecache.current_versions([pagecache.VERSION_KEY, tag_key], found)
    token_mark, back_mark = _placeholders(settings.SECRET_KEY)
    stored = found.get(key)
    if versions is not None and stored is not None and stored[0] == versions:
        html = stored[1]
    else:
        # Rendered with the versions read before: a change meanwhile leaves an outdated copy.
        html = _render(context, artwork, {**values, "csrf_token": token_mark, "next": back_mark})
        if versions is not None:
            cache.set(key, (versions, html), timeout=seconds)
    back = context.get("next") or request.get_full_path()
    back_text = conditional_escape(back) if signed_in else conditional_escape(urlencode(back))
    if signed_in:
        html = html.replace(token_mark, conditional_escape(context.get("csrf_token", "")))
    return mark_safe(html.replace(back_mark, back_text))  # noqa: S308 (escaped above)
