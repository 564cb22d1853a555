"""Writes of accounts: staff moderation of members and the staff action log.

Suspension sets `is_active=False`: Django's and allauth's backends then refuse to sign the
member in, an existing session resolves to an anonymous visitor on its next request, and the
visibility rule hides the member's artworks from the public. The change is announced after
commit through `accounts.signals.user_moderated`.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import StaffAction, User
from .signals import UserEvent, user_moderated

logger = logging.getLogger(__name__)


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
        target_repr=str(target_repr)[:200],
        reason=(reason or "").strip()[:2000],
    )


def _announce(*, user_id: int, event: str) -> None:
    def send() -> None:
        for receiver, result in user_moderated.send_robust(
            sender=User, user_id=user_id, event=event
        ):
            if isinstance(result, Exception):
                logger.error(
                    "user_moderated receiver %r failed for user %s (%s): %r",
                    receiver,
                    user_id,
                    event,
                    result,
                )

    transaction.on_commit(send)


def user_suspend(*, user: User, actor: User, reason: str) -> User:
    """Suspend a member: no sign-in, no session, artworks hidden from the public. Staff
    accounts can only be suspended by a superuser, and nobody can suspend themselves."""
    require_staff(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot suspend your own account."))
    if (user.is_staff or user.is_superuser) and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can suspend a staff account."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return locked
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        staff_action_record(
            actor=actor,
            action=StaffAction.Action.USER_SUSPEND,
            target_type=StaffAction.TargetType.USER,
            target_id=locked.pk,
            target_repr=locked.username,
            reason=reason,
        )
        _announce(user_id=locked.pk, event=UserEvent.SUSPENDED)
    user.is_active = False
    return locked


def user_restore(*, user: User, actor: User) -> User:
    """Lift a suspension: the member can sign in again and their artworks return."""
    require_staff(actor)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            return locked
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        staff_action_record(
            actor=actor,
            action=StaffAction.Action.USER_RESTORE,
            target_type=StaffAction.TargetType.USER,
            target_id=locked.pk,
            target_repr=locked.username,
        )
        _announce(user_id=locked.pk, event=UserEvent.RESTORED)
    user.is_active = True
    return locked
