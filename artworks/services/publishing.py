"""An artwork's life after creation: publish, unpublish, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffAction
from common.exceptions import StateConflict
from common.storage import delete_quietly_on_commit

from .. import permissions
from ..models import Artwork
from ..ranking import hot_score
from ..signals import ArtworkEvent
from ._base import announce, is_author, log_staff_action, require
from .media import artwork_file_names

if TYPE_CHECKING:
    from accounts.models import User


def artwork_publish(*, artwork: Artwork, actor: User) -> Artwork:
    """draft → published; `published_at` is set on the first publication and kept after, so
    unpublishing and publishing again cannot push an old artwork to the top of New."""
    require(permissions.can_publish_artwork, artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if not locked.original and locked.generation_status == Artwork.GenerationStatus.FAILED:
            raise StateConflict(
                _("The generation failed, so there is no image to publish; try again.")
            )
        if not locked.original:
            raise StateConflict(_("This artwork has no image yet; wait for it to finish."))
        if locked.status == Artwork.Status.PUBLISHED:
            return locked
        locked.status = Artwork.Status.PUBLISHED
        locked.published_at = locked.published_at or timezone.now()
        locked.hot_score = hot_score(
            like_count=locked.like_count,
            favorite_count=locked.favorite_count,
            published_at=locked.published_at,
        )
        locked.save(update_fields=["status", "published_at", "hot_score", "updated_at"])
        announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.PUBLISHED)
    return locked


def artwork_unpublish(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """published → draft, by its author, or by staff who may moderate (logged as a
    moderation action)."""
    require(permissions.can_unpublish_artwork, artwork=artwork, actor=actor)
    by_staff = not is_author(artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if locked.status == Artwork.Status.DRAFT:
            return locked
        locked.status = Artwork.Status.DRAFT
        locked.save(update_fields=["status", "updated_at"])
        if by_staff:
            log_staff_action(
                actor=actor,
                artwork=locked,
                action=StaffAction.Action.ARTWORK_UNPUBLISH,
                reason=reason,
            )
        announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.UNPUBLISHED)
    return locked


def artwork_delete(*, artwork: Artwork, actor: User, reason: str = "") -> None:
    """Delete the row and, after commit, its files: by its author, or by staff with
    `artworks.delete_artwork` (logged)."""
    require(permissions.can_delete_artwork, artwork=artwork, actor=actor)
    by_staff = not is_author(artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if by_staff:
            log_staff_action(
                actor=actor, artwork=locked, action=StaffAction.Action.ARTWORK_DELETE, reason=reason
            )
        delete_artwork_row(locked=locked)


def delete_artwork_row(*, locked: Artwork) -> None:
    """Delete a locked row; its files go after commit (read from the row: a task may have
    added thumbnails since the caller loaded it)."""
    names = artwork_file_names(artwork=locked)
    artwork_id, user_id = locked.pk, locked.user_id
    locked.delete()
    delete_quietly_on_commit(names)
    announce(artwork_id=artwork_id, user_id=user_id, event=ArtworkEvent.DELETED)
