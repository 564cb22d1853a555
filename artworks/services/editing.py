"""Changing an artwork's text, and whether its prompt is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffAction
from common.signals import send_on_commit

from .. import permissions
from ..models import Artwork
from ..signals import ArtworkEvent, artwork_moderated
from ._base import (
    announce,
    derived_from_prompt,
    is_author,
    log_staff_action,
    mark_edited,
    rating_clean,
    text_strip,
    title_clean,
)

if TYPE_CHECKING:
    from accounts.models import User

TEXT_FIELDS = permissions.TEXT_FIELDS
# What `artwork_edit` changes: the text, the author's choice to show the prompt, the rating.
EDITABLE_FIELDS = (*TEXT_FIELDS, "prompt_hidden", "rating")


def artwork_edit(
    *, artwork: Artwork, actor: User, changes: dict[str, object], reason: str = ""
) -> Artwork:
    """Change an artwork's text (the author; staff correcting e.g. an abusive title, logged)
    and whether its prompt is shown (the author alone).

    Hiding the prompt also replaces what was made from it — a default title (and the slug
    made from it; the old slug then redirects to the new one) or an alt text that repeats it
    — unless this same edit sets them: otherwise the words would stay on every page, in the
    API, the sitemap and link previews. The change is announced, so caches drop the old text.
    A published artwork changed by its author is marked edited (`edited_at`); a draft is not,
    nor a correction by staff.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %s") % ", ".join(sorted(unknown))
        )
    changes = {f: text_strip(v) if f in TEXT_FIELDS else v for f, v in changes.items()}
    if "title" in changes:
        changes["title"] = title_clean(changes["title"])
    if "title" in changes and not changes["title"]:
        raise ValidationError({"title": _("Give the artwork a title.")})
    if "rating" in changes:  # an unknown rating is refused before anything else
        changes = {**changes, "rating": rating_clean(changes["rating"])}
    if not permissions.can_change_fields(actor=actor, artwork=artwork, fields=changes):
        raise PermissionDenied(_("You do not have permission to do that."))
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        changed = {f: v for f, v in changes.items() if getattr(locked, f) != v}
        if not changed:
            return locked
        for field, value in changed.items():
            setattr(locked, field, value)
        _follow_text_changes(locked, changes=changes, changed=changed)
        locked.full_clean(exclude=["original", "user"])
        mark_edited(locked, actor=actor, changed=changed)
        locked.save(update_fields=[*changed, "updated_at"])
        if not is_author(artwork=locked, actor=actor):
            logged = reason or _("Changed: %s") % ", ".join(sorted(set(changed) - {"slug"}))
            log_staff_action(
                actor=actor, artwork=locked, action=StaffAction.Action.ARTWORK_EDIT, reason=logged
            )
            # The author is told, as by `artwork_rate`, with the reason staff typed (if any).
            if "rating" in changed:
                send_on_commit(
                    artwork_moderated,
                    sender=Artwork,
                    artwork_id=locked.pk,
                    author_id=locked.user_id,
                    actor_id=actor.pk,
                    event=ArtworkEvent.RATED,
                    reason=reason,
                )
        announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
    return locked


def _follow_text_changes(
    locked: Artwork, *, changes: dict[str, object], changed: dict[str, object]
) -> None:
    """What follows from the edit: a trimmed title, the words a newly hidden prompt would
    give away, the slug of a new title. Records each in `changed`."""
    if "title" in changed:
        locked.title = (locked.title or "").strip()[:200] or locked.title
    if changed.get("prompt_hidden"):
        if "title" not in changes and derived_from_prompt(locked.title, prompt=locked.prompt):
            locked.title = _("Untitled")
            changed["title"] = locked.title
        if "alt_text" not in changes and derived_from_prompt(locked.alt_text, prompt=locked.prompt):
            locked.alt_text = ""  # pages fall back to the (neutral) title
            changed["alt_text"] = locked.alt_text
    if "title" in changed:
        locked.slug = Artwork.slug_for(locked.title)
        changed["slug"] = locked.slug
