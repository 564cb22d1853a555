"""Who may do what to an artwork: one predicate per action, asked by the HTML views, the API,
the admin and the services alike (a rule spelled once cannot drift between them).

- The author may edit, publish, unpublish, delete and retry their own artwork, and only they
  choose whether its prompt is shown — while they can see it (a hidden artwork is out of its
  author's hands until staff restore it).
- Staff powers come from Django model permissions, never from `is_staff` alone:
  `artworks.change_artwork` edits the text, `artworks.delete_artwork` deletes,
  `artworks.moderate_artwork` hides, restores, unpublishes and features. The "Moderators"
  group holds change and moderate, not delete. Superusers hold every permission.
- Seeing an artwork (a draft, a hidden one) is the visibility rule,
  `selectors.artwork_is_visible_to`; every door asks it first (404 when it says no).

`artwork=None` asks whether the actor may do it to some artwork at all (the admin offers an
action, or not); only staff powers can answer yes then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.selectors import staff_has_perm, user_is_signed_in

from .models import Artwork
from .selectors import artwork_is_visible_to

if TYPE_CHECKING:
    from accounts.models import User

PERM_CHANGE = "artworks.change_artwork"
PERM_DELETE = "artworks.delete_artwork"
PERM_MODERATE = "artworks.moderate_artwork"

# The text of an artwork (`can_edit_artwork`); `prompt_hidden` is `can_change_prompt_visibility`,
# `rating` is `can_rate_artwork`.
TEXT_FIELDS = ("title", "description", "alt_text")


def _is_author(*, actor: User | None, artwork: Artwork | None) -> bool:
    return (
        artwork is not None
        and user_is_signed_in(actor)
        and artwork.user_id == actor.pk
        and artwork.moderation == Artwork.Moderation.VISIBLE
    )


def can_edit_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Change the title, description or alt text."""
    return _is_author(actor=actor, artwork=artwork) or staff_has_perm(actor=actor, perm=PERM_CHANGE)


def can_change_prompt_visibility(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Hide or show the prompt: the author's choice alone — no staff power reveals a prompt
    its author chose to keep private."""
    return _is_author(actor=actor, artwork=artwork)


def can_rate_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Change the rating: the author (on create and edit), or staff who moderate (logged, and
    the author is told)."""
    return _is_author(actor=actor, artwork=artwork) or staff_has_perm(
        actor=actor, perm=PERM_MODERATE
    )


_FIELD_RULES = {
    **dict.fromkeys(TEXT_FIELDS, can_edit_artwork),
    "prompt_hidden": can_change_prompt_visibility,
    "rating": can_rate_artwork,
}


def can_change_fields(
    *, actor: User | None, artwork: Artwork | None, fields: Iterable[str]
) -> bool:
    """An edit of these fields (an empty edit counts as editing the text): each field asks
    its own rule, and a field no rule covers is nobody's to change."""
    fields = set(fields) or {"title"}
    rules = {_FIELD_RULES.get(field) for field in fields}
    return None not in rules and all(rule(actor=actor, artwork=artwork) for rule in rules)


def can_publish_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Publish a draft: the author's decision alone (a draft is not staff's to publish)."""
    return _is_author(actor=actor, artwork=artwork)


def can_retry_generation(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    return _is_author(actor=actor, artwork=artwork)


def can_unpublish_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    return _is_author(actor=actor, artwork=artwork) or staff_has_perm(
        actor=actor, perm=PERM_MODERATE
    )


def can_delete_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    return _is_author(actor=actor, artwork=artwork) or staff_has_perm(actor=actor, perm=PERM_DELETE)


def can_hide_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    return staff_has_perm(actor=actor, perm=PERM_MODERATE)


def can_restore_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Undo a hide. Not the author's: they would undo the moderation of their own work."""
    return staff_has_perm(actor=actor, perm=PERM_MODERATE)


def can_feature_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Feature or stop featuring on the landing page."""
    return staff_has_perm(actor=actor, perm=PERM_MODERATE)


def remix_refusal(*, actor: User | None, artwork: Artwork) -> str:
    """Why `actor` may not start a new artwork from `artwork`'s prompt and parameters, or ""
    when they may: a signed-in member, and an artwork that `_remix_blocker` lets through."""
    if not user_is_signed_in(actor):
        return _("Sign in to remix an artwork.")
    return _remix_blocker(artwork=artwork, viewer=actor)


def can_remix_artwork(*, actor: User | None, artwork: Artwork | None = None) -> bool:
    """Start a new artwork from this one's prompt and parameters (see `remix_refusal`)."""
    return artwork is not None and not remix_refusal(actor=actor, artwork=artwork)


def artwork_is_remixable(*, artwork: Artwork) -> bool:
    """Whether any member may remix it (the Remix button, offered to visitors too: it leads
    them to sign in). The same rule as `remix_refusal` for a signed-in member."""
    return not _remix_blocker(artwork=artwork, viewer=None)


def _remix_blocker(*, artwork: Artwork, viewer: User | None) -> str:
    """What in the artwork itself refuses a remix: it must be one the public sees (published,
    not hidden, its author active), generated from a prompt its author shows. An artwork the
    viewer may not see gets the same answer as one that does not exist."""
    if not artwork_is_visible_to(artwork=artwork, viewer=viewer):
        return _("No such artwork.")
    if artwork.status != Artwork.Status.PUBLISHED:
        return _("A draft cannot be remixed. Publish it first.")
    if not artwork_is_visible_to(artwork=artwork, viewer=None):
        return _("This artwork is not public, so it cannot be remixed.")
    if artwork.source != Artwork.Source.GENERATED or not artwork.prompt:
        return _("Only artworks generated from a prompt can be remixed.")
    if artwork.prompt_hidden:
        return _("Its author keeps the prompt private, so it cannot be remixed.")
    return ""


def can_download_original(*, actor: User | None, artwork: Artwork) -> bool:
    """Download the original file (as an attachment) of an artwork the actor may see (the
    visibility rule is asked first, by every door): when its author lets visitors download
    their originals, and always for the author themself."""
    if not artwork.original:
        return False
    return artwork.user.allow_downloads or (
        user_is_signed_in(actor) and artwork.user_id == actor.pk
    )
