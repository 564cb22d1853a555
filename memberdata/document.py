"""The JSON document of a member's export (its schema: docs/schemas/export.schema.json), and
where each file goes in the zip. Reads only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from artworks.models import Artwork, Favorite, Like
from artworks.selectors import artworks_visible_to
from social.models import Block, Collection, CollectionItem, Comment, Follow, Mute

if TYPE_CHECKING:
    from accounts.models import User

FORMAT_VERSION = 1
DOCUMENT_NAME = "export.json"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def original_arcname(artwork: Artwork) -> str:
    """The original's path inside the zip (never the uploader's filename)."""
    ext = artwork.original.name.rsplit(".", 1)[-1].lower() if "." in artwork.original.name else ""
    return f"originals/{artwork.pk}-{artwork.uuid}" + (f".{ext}" if ext else "")


def avatar_arcname(user: User) -> str:
    return "avatar." + user.profile_pic.name.rsplit(".", 1)[-1].lower()


def member_artworks(*, user: User) -> Iterator[Artwork]:
    """All of the member's artworks, drafts and hidden ones included, oldest first."""
    return Artwork.objects.filter(user_id=user.pk).order_by("created_at", "id").iterator(500)


def _artwork(artwork: Artwork, *, missing: set[int]) -> dict:
    return {
        "id": artwork.pk,
        "uuid": str(artwork.uuid),
        "title": artwork.title,
        "slug": artwork.slug,
        "description": artwork.description,
        "alt_text": artwork.alt_text,
        "status": artwork.status,
        "moderation": artwork.moderation,
        "kind": artwork.kind,
        "source": artwork.source,
        "rating": artwork.rating,
        "ai_generated": artwork.ai_generated,
        "content_credentials": artwork.content_credentials or {},
        "remix_of": artwork.remix_of_id,
        "file": original_arcname(artwork)
        if artwork.original and artwork.pk not in missing
        else None,
        "content_type": artwork.content_type,
        "file_size": artwork.file_size,
        "width": artwork.width,
        "height": artwork.height,
        "duration_seconds": artwork.duration_seconds,
        "prompt": artwork.prompt,
        "negative_prompt": artwork.negative_prompt,
        "prompt_hidden": artwork.prompt_hidden,
        "provider": artwork.provider,
        "model": artwork.model,
        "seed": artwork.seed,
        "size": artwork.size,
        "generation_status": artwork.generation_status,
        "tags": list(artwork.tag_names or []),
        "like_count": artwork.like_count,
        "favorite_count": artwork.favorite_count,
        "comment_count": artwork.comment_count,
        "created_at": _when(artwork.created_at),
        "updated_at": _when(artwork.updated_at),
        "published_at": _when(artwork.published_at),
        "edited_at": _when(artwork.edited_at),
        "featured_at": _when(artwork.featured_at),
    }


def _reactions(model: type[Like] | type[Favorite], *, user: User) -> list[dict]:
    """The member's likes or favorites; the artwork's title and address only where the
    member may still see it (another's work may have been hidden or unpublished since)."""
    visible = set(
        artworks_visible_to(viewer=user)
        .filter(pk__in=model.objects.filter(user_id=user.pk).values("artwork_id"))
        .values_list("pk", "title", "slug")
    )
    shown = {pk: (title, slug) for pk, title, slug in visible}
    rows = model.objects.filter(user_id=user.pk).order_by("created_at", "id")
    out = []
    for artwork_id, created_at in rows.values_list("artwork_id", "created_at"):
        title, slug = shown.get(artwork_id, (None, None))
        out.append(
            {
                "artwork_id": artwork_id,
                "title": title,
                "url": _artwork_path(artwork_id, title, slug) if title is not None else None,
                "created_at": _when(created_at),
            }
        )
    return out


def _artwork_path(artwork_id: int, title: str, slug: str) -> str:
    return reverse("artworks:detail", args=[artwork_id, slug or Artwork.slug_for(title)])


def _collections(*, user: User) -> list[dict]:
    items: dict[int, list[dict]] = {}
    rows = CollectionItem.objects.filter(collection__owner_id=user.pk).order_by("added_at", "id")
    for collection_id, artwork_id, added_at in rows.values_list(
        "collection_id", "artwork_id", "added_at"
    ):
        items.setdefault(collection_id, []).append(
            {"artwork_id": artwork_id, "added_at": _when(added_at)}
        )
    return [
        {
            "id": c.pk,
            "name": c.name,
            "slug": c.slug,
            "description": c.description,
            "is_public": c.is_public,
            "created_at": _when(c.created_at),
            "updated_at": _when(c.updated_at),
            "items": items.get(c.pk, []),
        }
        for c in Collection.objects.filter(owner_id=user.pk).order_by("created_at", "id")
    ]


def _comments(*, user: User) -> list[dict]:
    rows = Comment.objects.filter(author_id=user.pk).order_by("created_at", "id")
    return [
        {
            "id": c.pk,
            "artwork_id": c.artwork_id,
            "parent_id": c.parent_id,
            "body": c.body,
            "created_at": _when(c.created_at),
            "hidden": c.hidden_at is not None,
        }
        for c in rows.only("id", "artwork_id", "parent_id", "body", "created_at", "hidden_at")
    ]


def _members(rows: object, *, field: str) -> list[dict]:
    return [
        {"username": username, "since": _when(created_at)}
        for username, created_at in rows.order_by("created_at").values_list(
            f"{field}__username", "created_at"
        )
    ]


def _account(user: User, *, has_avatar: bool) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "avatar": avatar_arcname(user) if has_avatar else None,
        "settings": {
            "show_mature": user.show_mature,
            "show_explicit": user.show_explicit,
            "blur_sensitive": user.blur_sensitive,
            "noai": user.noai,
            "allow_downloads": user.allow_downloads,
            "age_confirmed_at": _when(user.age_confirmed_at),
        },
    }


def export_document(*, user: User, missing: set[int], has_avatar: bool) -> dict:
    """Everything the export's JSON holds about `user`; `missing`: the artworks whose
    original storage could not give (their `file` is null), `has_avatar`: whether the zip
    holds the avatar."""
    return {
        "format": "aicommunity-export",
        "version": FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "account": _account(user, has_avatar=has_avatar),
        "artworks": [_artwork(a, missing=missing) for a in member_artworks(user=user)],
        "likes": _reactions(Like, user=user),
        "favorites": _reactions(Favorite, user=user),
        "collections": _collections(user=user),
        "comments": _comments(user=user),
        "following": _members(Follow.objects.filter(follower_id=user.pk), field="followee"),
        "followers": _members(Follow.objects.filter(followee_id=user.pk), field="follower"),
        "blocking": _members(Block.objects.filter(blocker_id=user.pk), field="blocked"),
        "muting": _members(Mute.objects.filter(muter_id=user.pk), field="muted"),
    }
