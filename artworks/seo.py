"""How an artwork describes itself to search engines and link previews (JSON-LD, meta)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from common.seo import (
    PageMeta,
    absolute_url,
    interaction_counters,
    jsonld_thing,
    person_jsonld,
    shorten,
)

from .images import artwork_image_url
from .models import Artwork
from .provenance import TRAINED_ALGORITHMIC_MEDIA_HTTPS


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def artwork_description(artwork: Artwork, *, prompt_visible: bool) -> str:
    """The page's meta description: the author's description, else the prompt (only when the
    viewer may see it — a hidden prompt never leaks into meta tags), else a plain sentence."""
    if artwork.description.strip():
        return shorten(artwork.description)
    if prompt_visible and artwork.prompt.strip():
        return shorten(artwork.prompt)
    if artwork.kind == Artwork.Kind.VIDEO:
        text = _("A video by %(author)s on %(site)s.")
    else:
        text = _("An artwork by %(author)s on %(site)s.")
    return text % {"author": artwork.user.display_name, "site": settings.SITE_NAME}


def artwork_jsonld(artwork: Artwork, *, prompt_visible: bool) -> dict[str, Any]:
    image_url = artwork_image_url(artwork)[0]
    page_url = absolute_url(artwork.get_absolute_url())
    is_video = artwork.kind == Artwork.Kind.VIDEO
    data = jsonld_thing(
        "VideoObject" if is_video else "ImageObject",
        name=artwork.title,
        description=artwork_description(artwork, prompt_visible=prompt_visible),
        url=page_url,
        mainEntityOfPage=page_url,
        author=person_jsonld(artwork.user),
        creator=person_jsonld(artwork.user),
        dateCreated=_iso(artwork.created_at),
        dateModified=_iso(artwork.updated_at),
        interactionStatistic=interaction_counters(
            LikeAction=artwork.like_count, BookmarkAction=artwork.favorite_count
        ),
    )
    if artwork.published_at:
        data["datePublished"] = _iso(artwork.published_at)
    if artwork.content_type:
        data["encodingFormat"] = artwork.content_type
    if is_video:
        data["contentUrl"] = absolute_url(artwork.url)
        data["uploadDate"] = _iso(artwork.published_at or artwork.created_at)
        if image_url:
            data["thumbnailUrl"] = image_url
        if artwork.duration_seconds:
            data["duration"] = f"PT{round(artwork.duration_seconds)}S"
    else:
        data["contentUrl"] = absolute_url(artwork.url) or image_url
        if image_url:
            data["thumbnailUrl"] = image_url
        data["caption"] = artwork.alt_text or artwork.title
        data["creditText"] = artwork.user.display_name
    if artwork.width and artwork.height:
        data["width"] = artwork.width
        data["height"] = artwork.height
    if artwork.ai_generated:
        # IPTC's term for media made by a trained model, as Google reads it in structured data.
        data["digitalSourceType"] = TRAINED_ALGORITHMIC_MEDIA_HTTPS
    return data


RATED_PREVIEW_IMAGE = "img/og-rated.png"  # static: a neutral card, 1200 × 630


def rating_label(rating: str) -> str:
    return str(Artwork.Rating(rating).label)


def rated_preview(meta: PageMeta, rating: str) -> PageMeta:
    """A link preview of work that is not `general` shows the neutral card, never the work
    (a preview is seen by whoever the link is shared with)."""
    meta.image = absolute_url(settings.STATIC_URL + RATED_PREVIEW_IMAGE)
    meta.image_width, meta.image_height = 1200, 630
    meta.image_alt = _("A neutral card: this artwork is rated %(rating)s.") % {
        "rating": rating_label(rating)
    }
    return meta


def artwork_notice_meta(artwork: Artwork) -> PageMeta:
    """The meta of an artwork page shown as a notice (a viewer who has not opted in to its
    rating): no title, no author's words, no image of the work; never indexed."""
    meta = PageMeta(
        title=_("%(rating)s artwork") % {"rating": rating_label(artwork.rating)},
        description=_("This artwork is rated %(rating)s. Sign in and opt in to see it.")
        % {"rating": rating_label(artwork.rating)},
        path=reverse("artworks:detail_short", args=[artwork.pk]),  # the slug spells the title
        noindex=True,
    )
    return rated_preview(meta, artwork.rating)


def artwork_page_meta(artwork: Artwork, *, prompt_visible: bool) -> PageMeta:
    if artwork.rating != Artwork.Rating.GENERAL:
        meta = _artwork_meta(artwork, prompt_visible=prompt_visible)
        meta.jsonld = []  # its image and media URLs stay off the page's head
        meta.extra_og.pop("og:video", None)
        return rated_preview(meta, artwork.rating)
    return _artwork_meta(artwork, prompt_visible=prompt_visible)


def _artwork_meta(artwork: Artwork, *, prompt_visible: bool) -> PageMeta:
    image_url, image_width, image_height = artwork_image_url(artwork)
    meta = PageMeta(
        title=_("%(title)s by %(author)s")
        % {
            "title": artwork.title,
            "author": artwork.user.display_name,
        },
        description=artwork_description(artwork, prompt_visible=prompt_visible),
        path=artwork.get_absolute_url(),
        og_type="video.other" if artwork.kind == Artwork.Kind.VIDEO else "article",
        image=image_url,
        image_width=image_width,
        image_height=image_height,
        image_alt=artwork.alt_text or artwork.title,
        # Drafts and hidden artworks are seen only by their author or staff: never indexed.
        noindex=not artwork.is_published or artwork.is_hidden,
        noai=artwork.user.noai,
        jsonld=[artwork_jsonld(artwork, prompt_visible=prompt_visible)],
    )
    if artwork.published_at:
        meta.extra_og["article:published_time"] = artwork.published_at.isoformat()
    if artwork.kind == Artwork.Kind.VIDEO and artwork.url:
        meta.extra_og["og:video"] = absolute_url(artwork.url)
    return meta
