"""Reads of artworks. `artworks_visible_to` is THE visibility rule: pages, the API, the feed,
the sitemap, thumbnails and caches all ask it (or its in-memory twin `artwork_is_visible_to`).

An artwork is visible to:
- everyone whose content settings show its rating (`ratings_shown_to`: `general` for all,
  `mature` and `explicit` for members who confirmed their age and turned them on), when it is
  published, not hidden, and its author is active (not suspended);
- its author, while it is not hidden (drafts included, whatever its rating);
- staff who may view artworks (`artworks.view_artwork` or `change_artwork`, as Moderators and
  superusers do), always; `is_staff` alone sees what the public sees.

"Listed" (`artwork_listed_q`) is the first case without the rating: what the feed's index
holds, so that one index serves every viewer and each reader keeps what the rule lets its
viewer see. The artwork page alone looks past the rating (`artwork_get_visible_cached` with
`any_rating`): it shows a notice instead of the work.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Value

from accounts.models import is_avatar_key
from accounts.selectors import (
    member_is_visible_to,
    member_of_avatar,
    staff_has_perm,
    user_is_signed_in,
)

from . import storage_keys
from .models import Artwork, Favorite, Like, Tag
from .tags import tag_normalise

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def _is_signed_in(viewer: User | None) -> bool:
    return user_is_signed_in(viewer)


def artwork_staff_sees_all(viewer: User | None) -> bool:
    """Staff whose permissions let them look at every artwork (drafts and hidden ones), as
    the admin does: `view_artwork` or `change_artwork`."""
    return staff_has_perm(actor=viewer, perm="artworks.view_artwork") or staff_has_perm(
        actor=viewer, perm="artworks.change_artwork"
    )


ALL_RATINGS: frozenset[str] = frozenset(Artwork.Rating.values)
GENERAL_ONLY: frozenset[str] = frozenset({Artwork.Rating.GENERAL})


def ratings_shown_to(viewer: User | AnonymousUser | None) -> frozenset[str]:
    """The ratings whose work `viewer` sees: `general` for everyone; `mature` and `explicit`
    each for a member who confirmed their age and turned it on; all for staff who see every
    artwork (they moderate it)."""
    if not _is_signed_in(viewer):
        return GENERAL_ONLY
    if artwork_staff_sees_all(viewer):
        return ALL_RATINGS
    if viewer.age_confirmed_at is None:
        return GENERAL_ONLY
    ratings = {Artwork.Rating.GENERAL.value}
    if viewer.show_mature:
        ratings.add(Artwork.Rating.MATURE.value)
    if viewer.show_explicit:
        ratings.add(Artwork.Rating.EXPLICIT.value)
    return frozenset(ratings)


def artwork_rating_q(*, viewer: User | AnonymousUser | None) -> Q:
    ratings = ratings_shown_to(viewer)
    return Q() if ratings == ALL_RATINGS else Q(rating__in=sorted(ratings))


def artwork_listed_q() -> Q:
    """Published, not hidden, by an active author: whatever the rating (the feed's index)."""
    return Q(
        status=Artwork.Status.PUBLISHED,
        moderation=Artwork.Moderation.VISIBLE,
        user__is_active=True,
    )


def artwork_public_q(*, viewer: User | AnonymousUser | None = None) -> Q:
    """Listed, and of a rating the viewer sees (a visitor: `general` only)."""
    return artwork_listed_q() & artwork_rating_q(viewer=viewer)


def artwork_visibility_q(*, viewer: User | None) -> Q:
    if not _is_signed_in(viewer):
        return artwork_public_q()
    if artwork_staff_sees_all(viewer):
        return Q()
    own = Q(user_id=viewer.pk, moderation=Artwork.Moderation.VISIBLE)
    return artwork_public_q(viewer=viewer) | own


def artworks_visible_to(*, viewer: User | None) -> QuerySet[Artwork]:
    return Artwork.objects.filter(artwork_visibility_q(viewer=viewer)).select_related("user")


def artworks_public(*, viewer: User | AnonymousUser | None = None) -> QuerySet[Artwork]:
    """Listed artworks of the ratings `viewer` sees (without a viewer: what a visitor sees,
    `general` only). Drafts and hidden work are never here, not even the viewer's own."""
    return Artwork.objects.filter(artwork_public_q(viewer=viewer)).select_related("user")


def artworks_listed() -> QuerySet[Artwork]:
    """Every listed artwork whatever its rating: for the feed's index, never for a page."""
    return Artwork.objects.filter(artwork_listed_q()).select_related("user")


def artworks_featured(*, limit: int, viewer: User | None = None) -> list[Artwork]:
    """Featured artworks the public may see (of the ratings `viewer` sees), most recently
    featured first (the landing page pins them before the rest). A hidden artwork or one of a
    suspended author drops out here through the visibility rule and returns with its
    restoration, still featured."""
    return list(
        artworks_public(viewer=viewer)
        .filter(featured_at__isnull=False)
        .order_by("-featured_at", "-id")[: max(0, limit)]
    )


def artwork_is_visible_to(
    *, artwork: Artwork, viewer: User | None, any_rating: bool = False
) -> bool:
    """The same rule as `artwork_visibility_q`, for an artwork already in memory.
    `any_rating`: whether the artwork's page exists for the viewer, who may still not be
    shown the work itself (`artwork_rating_shown_to`)."""
    if artwork_staff_sees_all(viewer):
        return True
    if artwork.moderation != Artwork.Moderation.VISIBLE:
        return False
    if _is_signed_in(viewer) and artwork.user_id == viewer.pk:
        return True
    if not (artwork.status == Artwork.Status.PUBLISHED and artwork.user.is_active):
        return False
    return any_rating or artwork.rating in ratings_shown_to(viewer)


def artwork_rating_shown_to(*, artwork: Artwork, viewer: User | None) -> bool:
    """Whether the work itself (image, title, media) is shown to a viewer its page exists
    for: its rating is one the viewer sees, or it is theirs."""
    if _is_signed_in(viewer) and artwork.user_id == viewer.pk:
        return True
    return artwork.rating in ratings_shown_to(viewer)


def artwork_blurred_for(*, artwork: Artwork, viewer: User | None) -> bool:
    """A work that is not `general` is drawn blurred, behind a "Show" control, for a member
    who asked for it (the default), except their own work."""
    if artwork.rating == Artwork.Rating.GENERAL or not _is_signed_in(viewer):
        return False
    if artwork.user_id == viewer.pk:
        return False
    return bool(viewer.blur_sensitive)


def artwork_get_visible(*, artwork_id: int, viewer: User | None) -> Artwork:
    """The artwork if the viewer may see it; raises Artwork.DoesNotExist otherwise, so that a
    hidden or foreign draft is indistinguishable from a missing one."""
    return artworks_visible_to(viewer=viewer).get(pk=artwork_id)


def artwork_reaction_state(
    *, viewer: User | None, artwork_ids: list[int]
) -> tuple[set[int], set[int]]:
    """(liked ids, favorited ids) among artwork_ids for the viewer, in one query."""
    if not _is_signed_in(viewer) or not artwork_ids:
        return set(), set()
    liked_rows = (
        Like.objects.filter(user=viewer, artwork_id__in=artwork_ids)
        .annotate(kind=Value("like"))
        .values_list("artwork_id", "kind")
    )
    favorite_rows = (
        Favorite.objects.filter(user=viewer, artwork_id__in=artwork_ids)
        .annotate(kind=Value("favorite"))
        .values_list("artwork_id", "kind")
    )
    liked: set[int] = set()
    favorited: set[int] = set()
    for artwork_id, kind in liked_rows.union(favorite_rows, all=True):
        (liked if kind == "like" else favorited).add(artwork_id)
    return liked, favorited


def _artwork_cache_key(artwork_id: int) -> str:
    return f"artwork:detail:{int(artwork_id)}"


def artwork_get_visible_cached(
    *, artwork_id: int, viewer: User | None, any_rating: bool = False
) -> Artwork:
    """`artwork_get_visible` through the cache: for the artwork page and GET
    /api/artworks/{id}.

    The artwork (with its author) is cached once for every viewer, and the visibility rule
    is applied to the cached object on every call, so a draft or hidden artwork is still
    refused to whoever may not see it. Raises Artwork.DoesNotExist like the uncached reader.
    A hit costs no query; a miss costs one. The entry is dropped on every change announced
    through `artwork_changed` (publish, unpublish, hide, delete, reactions, media) and when
    the author's account changes (artworks.receivers); ARTWORK_CACHE_SECONDS bounds the rest.
    Callers must not save the returned object (it may be a cached copy)."""
    artwork = _artwork_cached(artwork_id)
    if not artwork_is_visible_to(artwork=artwork, viewer=viewer, any_rating=any_rating):
        raise Artwork.DoesNotExist
    return artwork


def _artwork_cached(artwork_id: int) -> Artwork:
    key = _artwork_cache_key(artwork_id)
    artwork = cache.get(key)
    if artwork is None:
        artwork = Artwork.objects.select_related("user").get(pk=artwork_id)
        cache.set(key, artwork, timeout=settings.ARTWORK_CACHE_SECONDS)
    return artwork


def artwork_cache_invalidate(*artwork_ids: int) -> None:
    """Drop cached artworks (see artwork_get_visible_cached)."""
    if artwork_ids:
        cache.delete_many(artwork_cache_keys(*artwork_ids))


def artwork_cache_keys(*artwork_ids: int) -> list[str]:
    """The cache keys of these artworks' cached copies, for a caller that drops them together
    with other cache writes (the page cache's tags)."""
    return [_artwork_cache_key(i) for i in artwork_ids]


# An artwork's uuid never changes, so uuid → id is cached for long; what may change (state,
# author, files) is read through the artwork cache above, which every change drops.
_UUID_CACHE_SECONDS = 24 * 3600


def _artwork_id_for_uuid(artwork_uuid: UUID) -> int | None:
    key = f"artwork:uuid:{artwork_uuid}"
    artwork_id = cache.get(key)
    if artwork_id is None:
        artwork_id = Artwork.objects.filter(uuid=artwork_uuid).values_list("id", flat=True).first()
        if artwork_id is None:
            return None
        cache.set(key, artwork_id, timeout=_UUID_CACHE_SECONDS)
    return artwork_id


def artwork_media_names(artwork: Artwork) -> set[str]:
    """The storage keys an artwork shows: its original, thumbnails and poster (not the
    reference image a generation was given, which is only ever read by the generation)."""
    names = {t.get("name") for t in artwork.thumbnails or []}
    names.update({artwork.original.name, artwork.poster})
    names.discard("")
    names.discard(None)
    return names


class MediaAudience(enum.Enum):
    PUBLIC = "public"  # anyone may fetch it: shared caches may keep it (briefly)
    RESTRICTED = "restricted"  # this viewer may, the public may not: nobody may cache it


class MediaAccess(NamedTuple):
    """Who may fetch a stored file, and whether its author asked AI crawlers not to train on
    their work (the answer then says so: X-Robots-Tag)."""

    audience: MediaAudience
    noai: bool = False


def media_audience(*, key: str, viewer: User | AnonymousUser | None) -> MediaAccess | None:
    """Who may fetch a stored file, by its storage key: an artwork's files follow the
    artwork's visibility rule (so a takedown takes them down at once), a member's picture
    follows the member's (gone with a suspension, as their profile is), and every other key
    is nobody's (None).

    The public case is decided before the viewer is looked at, so a public image costs no
    session read, and with the caches warm no query at all."""
    if is_avatar_key(key):
        return _avatar_access(key=key, viewer=viewer)
    artwork_uuid = storage_keys.artwork_uuid_of(key)
    if artwork_uuid is None:
        return None
    artwork_id = _artwork_id_for_uuid(artwork_uuid)
    if artwork_id is None:
        return None
    try:
        artwork = _artwork_cached(artwork_id)
    except Artwork.DoesNotExist:
        return None
    if key not in artwork_media_names(artwork):
        return None
    noai = artwork.user.noai
    if artwork_is_visible_to(artwork=artwork, viewer=None):
        return MediaAccess(MediaAudience.PUBLIC, noai)
    if artwork_is_visible_to(artwork=artwork, viewer=viewer):
        return MediaAccess(MediaAudience.RESTRICTED, noai)
    return None


def _avatar_access(*, key: str, viewer: User | AnonymousUser | None) -> MediaAccess | None:
    member = member_of_avatar(key)
    if member is None:
        return None
    if member_is_visible_to(member=member, viewer=None):
        return MediaAccess(MediaAudience.PUBLIC)
    if member_is_visible_to(member=member, viewer=viewer):
        return MediaAccess(MediaAudience.RESTRICTED)
    return None


def artwork_prompt_visible_to(*, artwork: Artwork, viewer: User | None) -> bool:
    """A prompt the author chose to hide is shown to the author and to the staff who see
    every artwork only — on pages, in the API, the feed and the sitemap alike."""
    if not artwork.prompt_hidden:
        return True
    if _is_signed_in(viewer) and viewer.pk == artwork.user_id:
        return True
    return artwork_staff_sees_all(viewer)


def artwork_drafts_visible_to(*, viewer: User | None, author: User) -> bool:
    """May `viewer` list `author`'s drafts? The visibility rule applied to a whole list: the
    author, and staff who see every artwork."""
    return (_is_signed_in(viewer) and viewer.pk == author.pk) or artwork_staff_sees_all(viewer)


def artworks_more_by_author(
    *, artwork: Artwork, viewer: User | None, limit: int = 6
) -> list[Artwork]:
    """The author's other published artworks the viewer may see, newest first (one query)."""
    return list(
        artworks_visible_to(viewer=viewer)
        .filter(user_id=artwork.user_id, status=Artwork.Status.PUBLISHED)
        .exclude(pk=artwork.pk)
        .order_by("-published_at", "-id")[:limit]
    )


TAG_SUGGESTIONS = 10


def tags_with_prefix(*, prefix: str, limit: int = TAG_SUGGESTIONS) -> list[dict[str, object]]:
    """Suggestions as a member types: the tags starting with `prefix` (normalised) that public
    work carries, the most used first, with how many. One query; none for an empty prefix."""
    start = tag_normalise(prefix)
    if not start or "\x00" in start:  # no tag holds a NUL (nor can PostgreSQL compare one)
        return []
    public = Q(artwork_rows__artwork__in=artworks_public().values("pk"))
    rows = (
        Tag.objects.filter(name__startswith=start)
        .annotate(count=Count("artwork_rows", filter=public))
        .filter(count__gt=0)
        .order_by("-count", "name")
        .values("name", "count")[: max(1, min(limit, 50))]
    )
    return list(rows)


def artworks_failed_generations(*, limit: int) -> list[Artwork]:
    """The latest generations that failed, newest first, with their authors (staff pages)."""
    return list(
        Artwork.objects.filter(generation_status=Artwork.GenerationStatus.FAILED)
        .select_related("user")
        .order_by("-updated_at", "-id")[:limit]
    )
