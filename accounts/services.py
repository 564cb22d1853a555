"""Account writes: usernames for new members, profile edits, avatars; staff moderation of
members and the staff action log.

Suspension sets `is_active=False`: Django's and allauth's backends then refuse to sign the
member in, an existing session resolves to an anonymous visitor on its next request, and the
visibility rule hides the member's artworks from the public. Every session of theirs (each
browser, each API sign-in with its refresh tokens) is then ended by a task, so that lifting
the suspension brings none of them back. The change is announced after
commit through `accounts.signals.user_moderated`.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import unicodedata
from importlib import import_module
from typing import Protocol
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from common import pagecache
from common.images import (
    TooManyPixels,
    open_image,
    photo_format,
    reduce_in_strips,
    upright_transposition,
)
from common.signals import send_on_commit
from common.storage import delete_quietly, delete_quietly_on_commit
from common.tasks import BrokerDown, enqueue
from common.text import text_clean, text_strip, title_clean

from .models import StaffAction, User
from .registry import restore_refusal
from .selectors import can_restore_user, can_suspend_user
from .signals import UserEvent, user_moderated
from .validators import username_is_reserved

logger = logging.getLogger(__name__)

AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Google serves profile pictures from these hosts; nothing else is fetched on a user's behalf.
AVATAR_REMOTE_HOST_SUFFIX = ".googleusercontent.com"


# --- Usernames ------------------------------------------------------------------------------


def _username_base(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-_").lower()
    return base[:24].strip("-")


def _username_available(username: str) -> bool:
    if username_is_reserved(username):
        return False
    return not User.objects.filter(username__iexact=username).exists()


def username_suggest(*, name: str = "", email: str = "") -> str:
    """A free, URL-safe username (see accounts.models.USERNAME_PATTERN) derived from the
    display name, else the email's local part, else "member"."""
    candidates = [_username_base(name), _username_base(email.split("@", 1)[0])]
    base = next((c for c in candidates if len(c) >= 3), "")
    if not base:
        base = next((c for c in candidates if c), "member")
        base = base if len(base) >= 3 else f"{base}-member".strip("-")
    if _username_available(base):
        return base
    for n in range(2, 10):
        candidate = f"{base}-{n}"
        if _username_available(candidate):
            return candidate
    while True:  # a crowded name: a random suffix is practically always free
        candidate = f"{base}-{secrets.token_hex(3)}"
        if _username_available(candidate):
            return candidate


# --- Avatars ---------------------------------------------------------------------------------


def avatar_render(data: bytes) -> bytes:
    """Validate an uploaded image by decoding it, and re-encode it as a square WebP without
    metadata. Raises ValidationError with a message fit for the user."""
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            _("The image is too large (at most %(mb)d MB).")
            % {"mb": settings.AVATAR_MAX_BYTES // (1024 * 1024)}
        )
    size = settings.AVATAR_SIZE
    try:
        image = open_image(io.BytesIO(data), max_pixels=settings.UPLOAD_MAX_PIXELS)
        image_format = photo_format(image)
        if image_format not in AVATAR_FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."))
        transposition = upright_transposition(image)
        if image_format == "JPEG":
            image.draft("RGB", (2 * size, 2 * size))  # decode at a reduced scale (DCT scaling)
        image.load()
    except TooManyPixels as exc:
        raise ValidationError(_("The image has too many pixels.")) from exc
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("That file is not an image we can read.")) from exc

    # Only a square of `size` survives: shrink (in strips) before turning, so that a large
    # picture is held in full once.
    factor = min(image.size) // (2 * size)
    image = reduce_in_strips(image, factor if factor >= 2 else 1, flatten=False)
    if transposition is not None:
        image = image.transpose(transposition)
    image = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, "WEBP", quality=85, method=4)  # no exif= argument: metadata is dropped
    return buf.getvalue()


def _replace_avatar(*, user: User, webp: bytes | None) -> None:
    old_name = user.profile_pic.name if user.profile_pic else ""
    if webp is None:
        user.profile_pic = ""
    else:
        # upload_to gives users/avatars/<uuid>.webp; storage is default_storage.
        user.profile_pic.save("avatar.webp", ContentFile(webp), save=False)
    new_name = user.profile_pic.name if user.profile_pic else ""
    if old_name and old_name != new_name:
        # Only once the new state is committed: a rollback must leave the old file in place.
        delete_quietly_on_commit([old_name])


def avatar_replaced(*, user: User, previous: str) -> None:
    """Staff replaced or cleared a member's picture in the admin: the previous file leaves
    storage once the change is committed, as when the member changes it themselves."""
    if previous and previous != (user.profile_pic.name if user.profile_pic else ""):
        delete_quietly_on_commit([previous])


def display_name_clean(name: str) -> str:
    """A display name as stored: without control characters, and without bidi embeddings,
    overrides and isolates, which could turn the "(@username)" shown beside it around.
    Raises when what was typed shows nothing at all (blank stays allowed: the username then
    stands in for it)."""
    cleaned = title_clean(name)
    if not cleaned and (name or "").strip():
        raise ValidationError(
            {"name": _("Use at least one visible character, or leave the name blank.")}
        )
    return cleaned


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    username: str,
    name: str,
    avatar: bytes | None = None,
    remove_avatar: bool = False,
    allow_downloads: bool | None = None,
    noai: bool | None = None,
) -> User:
    """Change the signed-in member's own username, display name and avatar, and (when given)
    whether visitors may download their originals and whether AI crawlers are asked not to
    train on their work. Saving the member drops every cached page that shows them
    (artworks.receivers), so their pages and media answer with the new choice at once."""
    username = username.strip()
    if username.lower() != user.username.lower() and not _username_available(username):
        raise ValidationError({"username": _("That username is taken.")})
    name = display_name_clean(name)
    webp = avatar_render(avatar) if avatar is not None else None
    user.username = username
    user.name = name
    # Only what changes here is written: the rest of the row as the request read it may have
    # moved since (a suspension, a new follower, a new password).
    changed = ["username", "name", "profile_pic"]
    if allow_downloads is not None:
        user.allow_downloads = allow_downloads
        changed.append("allow_downloads")
    if noai is not None:
        user.noai = noai
        changed.append("noai")
    new_file = ""
    try:
        if webp is not None:
            _replace_avatar(user=user, webp=webp)
            new_file = user.profile_pic.name
        elif remove_avatar and user.profile_pic:
            _replace_avatar(user=user, webp=None)
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
    except Exception:
        if new_file:
            delete_quietly([new_file])
        raise
    return user


def user_fetch_remote_avatar(*, user_id: int, url: str) -> bool:
    """Copy a Google profile picture into our storage, once. Any failure (slow network, not an
    image, unexpected host) leaves the user without an avatar; it never raises."""
    parsed = urlparse(url or "")
    if parsed.scheme != "https" or not (parsed.hostname or "").endswith(AVATAR_REMOTE_HOST_SUFFIX):
        logger.info("Not fetching avatar from unexpected URL %r", url)
        return False
    user = User.objects.filter(pk=user_id).first()
    if user is None or user.profile_pic:
        return False
    try:
        with requests.get(url, timeout=settings.AVATAR_FETCH_TIMEOUT, stream=True) as response:
            response.raise_for_status()
            data = response.raw.read(settings.AVATAR_MAX_BYTES + 1, decode_content=True)
        webp = avatar_render(data)
    except (requests.RequestException, ValidationError, OSError) as exc:
        logger.warning("Could not copy the Google avatar of user %s: %s", user_id, exc)
        return False
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.profile_pic:
            return False
        _replace_avatar(user=user, webp=webp)
        user.save(update_fields=["profile_pic"])
    return True


# --- Moderation ---------------------------------------------------------------------------


def user_update_content_settings(
    *,
    user: User,
    age_confirmed: bool,
    show_mature: bool,
    show_explicit: bool,
    blur_sensitive: bool,
) -> User:
    """The member's choice of which ratings they see (artworks.selectors.ratings_shown_to) and
    whether those are blurred. Mature or explicit work needs the member's confirmation that
    they are 18 or older (its time is kept; withdrawing it turns both off). Their own kept
    pages drop at commit: they showed the old choice."""
    if (show_mature or show_explicit) and not age_confirmed:
        raise ValidationError(
            {"age_confirmed": _("Confirm that you are 18 or older to see mature or explicit work.")}
        )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not age_confirmed:
            user.age_confirmed_at = None
        elif locked.age_confirmed_at is None:
            user.age_confirmed_at = timezone.now()
        else:
            user.age_confirmed_at = locked.age_confirmed_at
        user.show_mature = show_mature
        user.show_explicit = show_explicit
        user.blur_sensitive = blur_sensitive
        user.save(
            update_fields=["age_confirmed_at", "show_mature", "show_explicit", "blur_sensitive"]
        )
        member = pagecache.member_tag(user.pk)
        transaction.on_commit(lambda: pagecache.bump_tags(member))
    return user


def sessions_clear_expired() -> None:
    """Delete the sessions past their expiry (`manage.py clearsessions`): Django never does
    it by itself, and every sign-in that was not signed out leaves its row behind."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def require_staff(actor: User | None) -> None:
    """Moderation services are for active staff only."""
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
    ):
        raise PermissionDenied(_("Only staff can do that."))


def staff_action_record(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    target_repr: str,
    reason: str = "",
) -> StaffAction:
    """Write one log entry; call it inside the transaction of the change it records."""
    return StaffAction.objects.create(
        actor=actor,
        actor_username=actor.username,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=text_clean(str(target_repr))[:200],
        reason=text_strip(reason or "")[:2000],
    )


class MemberRule(Protocol):
    """A predicate of `accounts.selectors`: may `actor` do this to `user`?"""

    def __call__(self, *, actor: User | None, user: User | None = None) -> bool: ...


def _require_member_power(rule: MemberRule, *, actor: User, user: User, staff_message: str) -> None:
    if not rule(actor=actor, user=user):
        if (user.is_staff or user.is_superuser) and not actor.is_superuser:
            raise PermissionDenied(staff_message)
        raise PermissionDenied(_("You do not have permission to do that."))


def user_suspend(*, user: User, actor: User, reason: str) -> User:
    """Suspend a member: no sign-in, no session, artworks hidden from the public. Staff
    accounts can only be suspended by a superuser, and nobody can suspend themselves."""
    require_staff(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot suspend your own account."))
    _require_member_power(
        can_suspend_user,
        actor=actor,
        user=user,
        staff_message=_("Only a superuser can suspend a staff account."),
    )
    return _set_active(user=user, actor=actor, active=False, reason=reason)


def user_restore(*, user: User, actor: User) -> User:
    """Lift a suspension: the member can sign in again and their artworks return. It takes
    the same power as the suspension (`can_restore_user`)."""
    require_staff(actor)
    refusal = restore_refusal(user.pk)
    if refusal:
        raise ValidationError(refusal)
    _require_member_power(
        can_restore_user,
        actor=actor,
        user=user,
        staff_message=_("Only a superuser can restore a staff account."),
    )
    return _set_active(user=user, actor=actor, active=True)


def _set_active(*, user: User, actor: User, active: bool, reason: str = "") -> User:
    """Suspend (`active=False`) or restore a member, logged and announced; doing it again
    changes nothing."""
    if active:
        action, event = StaffAction.Action.USER_RESTORE, UserEvent.RESTORED
    else:
        action, event = StaffAction.Action.USER_SUSPEND, UserEvent.SUSPENDED
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        staff_action_record(
            actor=actor,
            action=action,
            target_type=StaffAction.TargetType.USER,
            target_id=locked.pk,
            target_repr=locked.username,
            reason=reason,
        )
        send_on_commit(user_moderated, sender=User, user_id=locked.pk, event=event)
        if not active:
            _sessions_end_later(locked.pk)
    user.is_active = active
    return locked


def _sessions_end_later(user_id: int) -> None:
    """End every session of the member after commit: a task, since every live session is
    read to find theirs; with the broker down, here (a restoration must not revive them)."""
    from .tasks import end_sessions  # tasks import services

    enqueue(end_sessions, user_id, on_broker_down=BrokerDown.RUN_HERE)


def user_email_replace_primary(*, user: User, old_email: str) -> None:
    """Staff changed `user.email` in the admin: the new address becomes the member's primary,
    confirmed one (staff vouch for what they type, as an operator does), and the address it
    replaces stops signing them in. Other addresses the member added stay theirs. Otherwise
    `User.email` and allauth's addresses, which sign-in and password reset read, disagree."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        if old_email and old_email.lower() != (user.email or "").lower():
            EmailAddress.objects.filter(user=user, email__iexact=old_email).delete()
        user_email_mark_verified(user=user)


def user_email_mark_verified(*, user: User) -> None:
    """Record `user.email` as verified and primary, for accounts whose address is known to be
    theirs without a confirmation mail (the demo community). With mandatory verification an
    unverified member is asked to confirm their address at sign-in."""
    from allauth.account.models import EmailAddress

    if not user.email:
        return
    with transaction.atomic():
        EmailAddress.objects.filter(user=user, primary=True).exclude(
            email__iexact=user.email
        ).update(primary=False)
        updated = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
            verified=True, primary=True
        )
        if not updated:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
