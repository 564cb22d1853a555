"""What the artwork writes share: announcing a change after commit, asking a permission
rule, the staff log, and the default title made from a prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffAction
from accounts.services import staff_action_record
from common.signals import send_on_commit
from common.text import text_clean, text_strip, title_clean  # noqa: F401 (the services' names)

from .. import permissions
from ..models import Artwork
from ..signals import ArtworkEvent, artwork_changed

if TYPE_CHECKING:
    from accounts.models import User


class ArtworkRule(Protocol):
    """A predicate of `artworks.permissions`: may `actor` do this to `artwork`?"""

    def __call__(self, *, actor: User | None, artwork: Artwork | None = None) -> bool: ...


def announce(*, artwork_id: int, user_id: int, event: str, author_id: int | None = None) -> None:
    """Send `artwork_changed` once the surrounding transaction commits. `user_id` is the
    author, or for a reaction the member who reacted (then `author_id` is the author)."""
    payload = {} if author_id is None else {"author_id": author_id}
    send_on_commit(
        artwork_changed,
        sender=Artwork,
        artwork_id=artwork_id,
        user_id=user_id,
        event=event,
        **payload,
    )


def announce_artwork_changed(*, artwork: Artwork) -> None:
    """For writes outside these services (demo data): announce an update after commit."""
    announce(artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)


_AUTHOR_ONLY_RULES = (permissions.can_publish_artwork, permissions.can_retry_generation)


def require(rule: ArtworkRule, *, artwork: Artwork, actor: User | None) -> None:
    """Raise PermissionDenied unless `rule` (a predicate of `artworks.permissions`) allows."""
    if not rule(actor=actor, artwork=artwork):
        if rule in _AUTHOR_ONLY_RULES:
            raise PermissionDenied(_("Only the author can do that."))
        raise PermissionDenied(_("You do not have permission to do that."))


def is_author(*, artwork: Artwork, actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and artwork.user_id == actor.pk


def mark_edited(artwork: Artwork, *, actor: User, changed: dict[str, object]) -> None:
    """Stamp `edited_at` (and add it to `changed`, the fields to save) when the author changes
    their published artwork: drafts are still being made, and staff corrections are logged,
    not shown as the author's edit."""
    if artwork.status == Artwork.Status.PUBLISHED and is_author(artwork=artwork, actor=actor):
        artwork.edited_at = timezone.now()
        changed["edited_at"] = artwork.edited_at


def log_staff_action(*, actor: User, artwork: Artwork, action: str, reason: str = "") -> None:
    """One staff-log entry about `artwork`, written in the caller's transaction."""
    staff_action_record(
        actor=actor,
        action=action,
        target_type=StaffAction.TargetType.ARTWORK,
        target_id=artwork.pk,
        target_repr=f"#{artwork.pk} {artwork.title}",
        reason=reason,
    )


def rating_clean(rating: object) -> str:
    """A rating as given (form, API, edit), or a clear error in the reader's language."""
    if rating not in Artwork.Rating.values:
        raise ValidationError(
            {"rating": _("Choose a rating: general, mature or explicit.")}, code="invalid"
        )
    return str(rating)


# The texts of an artwork that its author types.
TYPED_TEXTS = ("title", "description", "alt_text", "prompt", "negative_prompt")


def artwork_default_title(*, prompt: str) -> str:
    """The title of a generation that was given none: the start of its prompt."""
    return title_clean(title_clean(prompt)[:80])


def derived_from_prompt(text: str, *, prompt: str) -> bool:
    """Whether `text` (a title, an alt text) is the prompt or the default title made from it,
    which would give a hidden prompt away."""
    text, prompt = (text or "").strip(), (prompt or "").strip()
    return bool(text and prompt) and text in (prompt, artwork_default_title(prompt=prompt))
