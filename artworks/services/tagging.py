"""An artwork's tags: set by whoever may edit its text (the author; staff correcting them,
logged)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffAction

from .. import permissions
from ..models import Artwork, ArtworkTag, Tag
from ..signals import ArtworkEvent
from ..tags import tags_clean
from ._base import announce, is_author, log_staff_action, mark_edited
from .editing import artwork_edit

if TYPE_CHECKING:
    from accounts.models import User


def artwork_set_tags(
    *, artwork: Artwork, actor: User, tags: Iterable[str], reason: str = ""
) -> list[str]:
    """Replace the artwork's tags with `tags` (typed names: normalised, each once, in the
    order given). Raises ValidationError (nothing saved) for a bad name or too many, and
    PermissionDenied unless the actor may edit the artwork's text. Returns the names."""
    names = tags_clean(tags)
    if not permissions.can_edit_artwork(actor=actor, artwork=artwork):
        raise PermissionDenied(_("You do not have permission to do that."))
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if locked.tag_names == names:
            return names
        _write_rows(locked, names)
        locked.tag_names = names
        changed: dict[str, object] = {"tag_names": names}
        mark_edited(locked, actor=actor, changed=changed)
        locked.save(update_fields=[*changed, "updated_at"])
        if not is_author(artwork=locked, actor=actor):
            log_staff_action(
                actor=actor,
                artwork=locked,
                action=StaffAction.Action.ARTWORK_EDIT,
                reason=reason or _("Changed: %s") % "tags",
            )
        announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
    return names


def _write_rows(artwork: Artwork, names: list[str]) -> None:
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    ArtworkTag.objects.filter(artwork=artwork).delete()
    ArtworkTag.objects.bulk_create(
        [
            ArtworkTag(artwork=artwork, tag_id=ids[name], position=position)
            for position, name in enumerate(names)
        ]
    )


def artwork_update(
    *,
    artwork: Artwork,
    actor: User,
    changes: dict[str, object],
    tags: Iterable[str] | None = None,
) -> Artwork:
    """The edit form's and PATCH's whole change: `artwork_edit` with `changes`, and
    `artwork_set_tags` when `tags` is given, in one transaction — a refused field or tag
    leaves everything as it was. Returns the artwork as it is now."""
    with transaction.atomic():
        artwork = artwork_edit(artwork=artwork, actor=actor, changes=changes)
        if tags is not None:
            artwork_set_tags(artwork=artwork, actor=actor, tags=tags)
            artwork.refresh_from_db()
    return artwork
