"""The API's shapes for artworks and their authors, shared by every endpoint that returns them.

Field names follow the blueprint: `url` (the original), `status`, `like_count`, `isLiked`,
`is_favorite`; extra fields are additions. A hidden prompt is never serialised for anyone but
its author and staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, TypeVar

from ninja import Schema
from pydantic import BaseModel, Field, model_validator

from .images import storage_url
from .models import Artwork
from .providers.reasons import reason_shown
from .remixes import visible_parent_ids
from .selectors import artwork_get_visible_cached, artwork_prompt_visible_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


T = TypeVar("T")


class ArtworkContext(TypedDict):
    """What ArtworkOut's resolvers know of the request: the viewer, and the ids among the
    artworks being serialised that the viewer liked and favorited (None for an anonymous
    viewer: the flags are then null)."""

    viewer: User | AnonymousUser | None
    liked_ids: set[int] | None
    favorited_ids: set[int] | None
    # The parents (`remix_of`) among the artworks' that the viewer may see; None: not known,
    # each is then looked up (through the artwork cache).
    parent_ids: set[int] | None


class AuthorOut(Schema):
    id: int
    username: str
    name: str = Field(validation_alias="display_name")
    profile_pic: str | None = None  # the FieldFile's URL, or None (ninja reads files so)


class ThumbnailOut(BaseModel):
    # A plain pydantic model, validated from the stored dict: a page of 24 artworks has about
    # 150 thumbnails, and ninja's attribute-reading wrapper cost more than the rest together.
    width: int
    height: int
    format: str
    url: str

    @model_validator(mode="before")
    @classmethod
    def _url_from_name(cls, stored: object) -> object:
        if isinstance(stored, dict) and "url" not in stored:
            return {**stored, "url": storage_url(str(stored["name"]))}
        return stored


def _with_prompt(artwork: Artwork, context: ArtworkContext, value: T) -> T | None:
    """`value` where the viewer may see the artwork's prompt, else None."""
    return value if artwork_prompt_visible_to(artwork=artwork, viewer=context["viewer"]) else None


# One artwork for one viewer: validated from an Artwork (or a page of them, by ArtworkPageOut)
# with the context `artwork_context` makes, which the resolvers read. (No docstring: it would
# become the schema's description in the OpenAPI document.)
class ArtworkOut(Schema):
    id: int
    artwork_id: int = Field(validation_alias="pk")
    title: str
    slug: str
    page_url: str = Field(validation_alias="get_absolute_url")  # ninja calls a method
    url: str
    status: str
    moderation: str
    kind: str
    source: str
    # Generated here, or uploaded by an author who declared that AI was used.
    ai_generated: bool
    # What an upload's C2PA manifest says: issuer, signer, tool, actions, validation_state
    # ("Valid", "Trusted" or "Invalid"), and whether the stored original still carries it
    # ("kept"); {} when it carried none.
    content_credentials: dict[str, object]
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
    rating: str
    provider: str
    model: str
    seed: int | None
    size: str
    generation_status: str
    generation_error: str | None
    like_count: int
    favorite_count: int
    comment_count: int
    tags: list[str] = Field(validation_alias="tag_names")
    hot_score: float
    created_at: datetime
    published_at: datetime | None
    # When the author last changed it after publishing (null: never).
    edited_at: datetime | None
    # The artwork it was remixed from: null when it is no remix, or the viewer may not see
    # the parent (a draft, a hidden or removed one: nothing is told of it).
    remix_of: int | None = None
    author: AuthorOut = Field(validation_alias="user")
    isLiked: bool | None = None
    is_favorite: bool | None = None

    @staticmethod
    def resolve_poster_url(artwork: Artwork) -> str | None:
        return artwork.poster_url or None

    @staticmethod
    def resolve_alt_text(artwork: Artwork) -> str:
        return artwork.alt_text or artwork.title

    @staticmethod
    def resolve_prompt(artwork: Artwork, context: ArtworkContext) -> str | None:
        return _with_prompt(artwork, context, artwork.prompt)

    @staticmethod
    def resolve_negative_prompt(artwork: Artwork, context: ArtworkContext) -> str | None:
        return _with_prompt(artwork, context, artwork.negative_prompt)

    @staticmethod
    def resolve_seed(artwork: Artwork, context: ArtworkContext) -> int | None:
        return _with_prompt(artwork, context, artwork.seed)

    @staticmethod
    def resolve_generation_error(artwork: Artwork, context: ArtworkContext) -> str | None:
        """For the author only. Stored in English, in the caller's language here."""
        viewer = context["viewer"]
        if viewer is None or not viewer.is_authenticated or viewer.pk != artwork.user_id:
            return None
        return reason_shown(artwork.generation_error)

    @staticmethod
    def resolve_remix_of(artwork: Artwork, context: ArtworkContext) -> int | None:
        parent_id = artwork.remix_of_id
        if parent_id is None:
            return None
        known = context.get("parent_ids")
        if known is not None:
            return parent_id if parent_id in known else None
        try:
            artwork_get_visible_cached(artwork_id=parent_id, viewer=context["viewer"])
        except Artwork.DoesNotExist:
            return None
        return parent_id

    @staticmethod
    def resolve_isLiked(artwork: Artwork, context: ArtworkContext) -> bool | None:
        liked_ids = context["liked_ids"]
        return None if liked_ids is None else artwork.pk in liked_ids

    @staticmethod
    def resolve_is_favorite(artwork: Artwork, context: ArtworkContext) -> bool | None:
        favorited_ids = context["favorited_ids"]
        return None if favorited_ids is None else artwork.pk in favorited_ids


class ArtworkPageOut(Schema):
    items: list[ArtworkOut]
    next_cursor: str | None


def artwork_context(
    *,
    viewer: User | AnonymousUser | None,
    liked_ids: set[int] | None = None,
    favorited_ids: set[int] | None = None,
    artworks: Iterable[Artwork] | None = None,
) -> ArtworkContext:
    """The validation context of ArtworkOut (and of ArtworkPageOut, for a page of them).
    `liked_ids` / `favorited_ids` come from `artwork_reaction_state` (None: the viewer is
    anonymous → null flags). `artworks`: the ones to be serialised, whose visible parents
    are then read at once (one query, none when there is no remix among them)."""
    parent_ids = None if artworks is None else visible_parent_ids(viewer=viewer, artworks=artworks)
    return ArtworkContext(
        viewer=viewer, liked_ids=liked_ids, favorited_ids=favorited_ids, parent_ids=parent_ids
    )


def artwork_out(
    artwork: Artwork,
    *,
    viewer: User | AnonymousUser | None,
    liked_ids: set[int] | None = None,
    favorited_ids: set[int] | None = None,
    artworks: Iterable[Artwork] | None = None,
) -> ArtworkOut:
    """The API representation of one artwork for this viewer."""
    context = artwork_context(
        viewer=viewer, liked_ids=liked_ids, favorited_ids=favorited_ids, artworks=artworks
    )
    return ArtworkOut.model_validate(artwork, context=context)
