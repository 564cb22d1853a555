"""A member leaving: the check that it is really them, their account deactivated at once,
and every session (each browser, each API sign-in) ended.

Deactivation is what a suspension does (`is_active=False`: no sign-in, an existing session
resolves to a visitor, the visibility rule hides their work), announced the same way
(`user_moderated`, event LEAVING), and the password is made unusable so that no session's
authentication hash still matches. The deletion itself is the job of the app that knows every
table (`memberdata`)."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from common.signals import send_on_commit

from .models import User
from .signals import UserEvent, user_moderated

# Sessions read per query while looking for a member's.
_SESSION_BATCH = 500


def confirms_password(user: User) -> bool:
    """Whether `user` confirms who they are with their password; a member who signed up
    with Google alone has none (no usable password) and types their username instead."""
    return user.has_usable_password()


def deletion_confirmed(*, user: User, confirmation: str) -> bool:
    """Whether `confirmation` is `user`'s password, or for a member without a usable
    password their username (letter case aside)."""
    if confirms_password(user):
        return bool(confirmation) and user.check_password(confirmation)
    return confirmation.strip().casefold() == user.username.casefold()


def user_deactivate_for_deletion(*, user: User) -> User:
    """Deactivate the account and make its password unusable, in the caller's transaction;
    readers are told after commit. Doing it again changes nothing more."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.is_active = False
        locked.set_unusable_password()
        locked.save(update_fields=["is_active", "password"])
        send_on_commit(user_moderated, sender=User, user_id=locked.pk, event=UserEvent.LEAVING)
    return locked


def _session_store() -> type[SessionBase]:
    from django.conf import settings

    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def user_sessions_end(*, user_id: int) -> int:
    """Delete every live session signed in as `user_id`: each browser's, and each API
    sign-in's (its refresh tokens live in it, so they stop working too). Sessions are kept by
    key, not by member, so every live one is read (a background task's work, in batches).
    Returns how many were ended."""
    store = _session_store()
    wanted = str(user_id)
    ended = 0
    last_key = ""
    while True:
        batch = list(
            Session.objects.filter(expire_date__gt=timezone.now(), session_key__gt=last_key)
            .order_by("session_key")
            .values_list("session_key", "session_data")[:_SESSION_BATCH]
        )
        if not batch:
            return ended
        for key, data in batch:
            if str(store().decode(data).get("_auth_user_id", "")) == wanted:
                store(session_key=key).delete()  # the row and any cached copy
                ended += 1
        last_key = batch[-1][0]
