"""Staff moderation of artworks: hide, restore, feature, unfeature. Each change writes one
staff-log entry in its transaction and is announced after commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffAction
from common.signals import send_on_commit

from .. import permissions
from ..models import Artwork
from ..signals import ArtworkEvent, artwork_moderated
from ._base import ArtworkRule, announce, log_staff_action, rating_clean, require

if TYPE_CHECKING:
    from accounts.models import User

Changes = dict[str, object]


@dataclass(frozen=True)
class _Moderation:
    """A staff change: the fields it sets (or what it makes of the locked row), the rule that
    allows it, its staff-log action and its event; `check` refuses a row (it raises)."""

    changes: Changes | Callable[[Artwork], Changes]
    rule: ArtworkRule
    action: str
    event: str
    check: Callable[[Artwork], None] | None = None


def _require_featurable(artwork: Artwork) -> None:
    if artwork.status != Artwork.Status.PUBLISHED or artwork.is_hidden:
        raise ValidationError(_("Only published, visible artworks can be featured."))


_HIDE = _Moderation(
    changes={"moderation": Artwork.Moderation.HIDDEN},
    rule=permissions.can_hide_artwork,
    action=StaffAction.Action.ARTWORK_HIDE,
    event=ArtworkEvent.HIDDEN,
)
_RESTORE = _Moderation(
    changes={"moderation": Artwork.Moderation.VISIBLE},
    rule=permissions.can_restore_artwork,
    action=StaffAction.Action.ARTWORK_RESTORE,
    event=ArtworkEvent.RESTORED,
)
_FEATURE = _Moderation(
    changes=lambda locked: {"featured_at": locked.featured_at or timezone.now()},
    rule=permissions.can_feature_artwork,
    action=StaffAction.Action.ARTWORK_FEATURE,
    event=ArtworkEvent.FEATURED,
    check=_require_featurable,
)
_UNFEATURE = _Moderation(
    changes={"featured_at": None},
    rule=permissions.can_feature_artwork,
    action=StaffAction.Action.ARTWORK_UNFEATURE,
    event=ArtworkEvent.UNFEATURED,
)


def artwork_hide(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Hide an artwork from everyone but staff — its author included — wherever it appears."""
    return _moderate(_HIDE, artwork=artwork, actor=actor, reason=reason)


def artwork_restore(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Undo `artwork_hide`: the artwork is back wherever its status allows."""
    return _moderate(_RESTORE, artwork=artwork, actor=actor, reason=reason)


def artwork_feature(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Pin an artwork first on the landing page (`artworks_featured`). Featuring an artwork
    that is already featured keeps its original date."""
    return _moderate(_FEATURE, artwork=artwork, actor=actor, reason=reason)


def artwork_unfeature(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Take an artwork off the landing page's featured place."""
    return _moderate(_UNFEATURE, artwork=artwork, actor=actor, reason=reason)


def artwork_rate(*, artwork: Artwork, actor: User, rating: str, reason: str = "") -> Artwork:
    """Staff set an artwork's rating (a wrong one reported, or seen): logged as an edit, and
    the author is told (`artwork_moderated`, RATED). The same rating again changes nothing."""
    rating = rating_clean(rating)
    previous = Artwork.Rating(artwork.rating).label
    change = _Moderation(
        changes={"rating": rating},
        rule=permissions.can_rate_artwork,
        action=StaffAction.Action.ARTWORK_EDIT,
        event=ArtworkEvent.RATED,
    )
    typed = (reason or "").strip()
    logged = typed or _("Rating: %(old)s → %(new)s") % {
        "old": previous,
        "new": Artwork.Rating(rating).label,
    }
    return _moderate(change, artwork=artwork, actor=actor, reason=logged, told=typed)


def _moderate(
    moderation: _Moderation,
    *,
    artwork: Artwork,
    actor: User,
    reason: str = "",
    told: str | None = None,
) -> Artwork:
    """Check the rule, lock, apply the changes unless already in place (idempotent: no log,
    no event then), log, announce after commit. `told`: the reason the author is given, when
    it is not the logged one (a made-up one is in the staff's language: the author gets only
    what staff typed)."""
    require(moderation.rule, artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        changes = moderation.changes
        if callable(changes):
            changes = changes(locked)
        if all(getattr(locked, field) == value for field, value in changes.items()):
            return locked
        if moderation.check is not None:
            moderation.check(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*changes, "updated_at"])
        log_staff_action(actor=actor, artwork=locked, action=moderation.action, reason=reason)
        announce(artwork_id=locked.pk, user_id=locked.user_id, event=moderation.event)
        send_on_commit(
            artwork_moderated,
            sender=Artwork,
            artwork_id=locked.pk,
            author_id=locked.user_id,
            actor_id=actor.pk,
            event=moderation.event,
            reason=reason if told is None else told,
        )
    return locked
