"""The API's shapes for artworks and their authors, shared by every endpoint that returns them.

Field names follow the blueprint: `url` (the original), `status`, `like_count`, `isLiked`,
`is_favorite`; extra fields are additions. A hidden prompt is never serialised for anyone but
its author and staff.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.utils.translation import gettext
from ninja import Schema

from .models import Artwork
from .selectors import artwork_prompt_visible_to

if TYPE_CHECKING:
    from accounts.models import User


class AuthorOut(Schema):
    id: int
    username: str
    name: str
    profile_pic: str | None = None


class ThumbnailOut(Schema):
    width: int
    height: int
    format: str
    url: str


class ArtworkOut(Schema):
    id: int
    artwork_id: int
    title: str
    slug: str
    page_url: str
    url: str
    status: str
    moderation: str
    kind: str
    source: str
    width: int | None
    height: int | None
    duration_seconds: float | None
    thumbnails: list[ThumbnailOut]
    poster_url: str | None
    placeholder_color: str
    alt_text: str
    description: str
    prompt: str | None
    negative_prompt: str | None
    prompt_hidden: bool
    provider: str
    model: str
    seed: int | None
    size: str
    generation_status: str
    generation_error: str | None
    like_count: int
    favorite_count: int
    hot_score: float
    created_at: datetime
    published_at: datetime | None
    author: AuthorOut
    isLiked: bool | None = None
    is_favorite: bool | None = None


class ArtworkPageOut(Schema):
    items: list[ArtworkOut]
    next_cursor: str | None


def author_out(user: User) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "profile_pic": user.profile_pic.url if user.profile_pic else None,
    }


def artwork_out(
    artwork: Artwork,
    *,
    viewer: User | None,
    liked_ids: set[int] | None = None,
    favorited_ids: set[int] | None = None,
) -> dict:
    """The API representation of one artwork for this viewer. `liked_ids` / `favorited_ids`
    come from `artwork_reaction_state` (None: the viewer is anonymous → null flags)."""
    show_prompt = artwork_prompt_visible_to(artwork=artwork, viewer=viewer)
    is_author = viewer is not None and viewer.is_authenticated and viewer.pk == artwork.user_id
    return {
        "id": artwork.pk,
        "artwork_id": artwork.pk,
        "title": artwork.title,
        "slug": artwork.slug,
        "page_url": artwork.get_absolute_url(),
        "url": artwork.url,
        "status": artwork.status,
        "moderation": artwork.moderation,
        "kind": artwork.kind,
        "source": artwork.source,
        "width": artwork.width,
        "height": artwork.height,
        "duration_seconds": artwork.duration_seconds,
        "thumbnails": [
            {
                "width": t["width"],
                "height": t["height"],
                "format": t["format"],
                "url": default_storage.url(t["name"]),
            }
            for t in artwork.thumbnails or []
        ],
        "poster_url": default_storage.url(artwork.poster) if artwork.poster else None,
        "placeholder_color": artwork.placeholder_color,
        "alt_text": artwork.alt_text or artwork.title,
        "description": artwork.description,
        "prompt": artwork.prompt if show_prompt else None,
        "negative_prompt": artwork.negative_prompt if show_prompt else None,
        "prompt_hidden": artwork.prompt_hidden,
        "provider": artwork.provider,
        "model": artwork.model,
        "seed": artwork.seed if show_prompt else None,
        "size": artwork.size,
        "generation_status": artwork.generation_status,
        # Stored in English; gettext("") would answer the catalog header.
        "generation_error": (
            (artwork.generation_error and gettext(artwork.generation_error)) if is_author else None
        ),
        "like_count": artwork.like_count,
        "favorite_count": artwork.favorite_count,
        "hot_score": artwork.hot_score,
        "created_at": artwork.created_at,
        "published_at": artwork.published_at,
        "author": author_out(artwork.user),
        "isLiked": None if liked_ids is None else artwork.pk in liked_ids,
        "is_favorite": None if favorited_ids is None else artwork.pk in favorited_ids,
    }
