"""Deleting a member's account, asked for on /settings/delete (or `DELETE /api/me`).

Asking deactivates the account at once (no sign-in, every session refused, their work hidden)
and queues the deletion; the task then removes, in one transaction, their likes and favorites
(the counts on others' artworks moving down with them, announced as unlikes are, so the feed
follows), their artworks (each announced as a deletion; the files go after commit), their
exports' files and avatar, and the account row, whose cascade takes every other row that is
theirs (follows, blocks, mutes, comments, collections, notifications, reports, email
addresses, Google links); after commit, every session (browsers and API sign-ins) is ended.
The username and the email address are free again once the row is gone."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.leaving import (
    confirms_password,
    deletion_confirmed,
    user_deactivate_for_deletion,
    user_sessions_end,
)
from accounts.models import StaffAction, User
from accounts.selectors import can_delete_user, user_is_signed_in
from accounts.services import staff_action_record
from artworks.models import Artwork
from artworks.services import delete_artwork_row, member_reactions_remove
from common import ratelimit
from common.storage import delete_quietly_on_commit
from common.tasks import BrokerDown, enqueue, run_beside_requests

from ..models import AccountDeletion, DataExport

logger = logging.getLogger(__name__)


class DeletionRateLimited(Exception):
    """More confirmations than settings.RATE_LIMITS["account_delete"] allows."""

    message = gettext_lazy("Too many attempts to confirm. Wait a few minutes and try again.")


def account_deletion_request(*, user: User, confirmation: str) -> AccountDeletion:
    """Check the confirmation (the password, or the username of a member without one),
    deactivate the account and queue its deletion. A wrong confirmation changes nothing.
    DeletionRateLimited, before any check, once the member has tried too often."""
    if not user_is_signed_in(user):
        raise PermissionDenied(_("Sign in to delete your account."))
    if ratelimit.hit(scope="account_delete", key=ratelimit.member_key(user.pk)):
        raise DeletionRateLimited(DeletionRateLimited.message)
    if not deletion_confirmed(user=user, confirmation=confirmation or ""):
        if confirms_password(user):
            raise ValidationError(_("That is not your password. Nothing was deleted."))
        raise ValidationError(_("That is not your username. Nothing was deleted."))
    with transaction.atomic():
        user_deactivate_for_deletion(user=user)
        deletion, _created = AccountDeletion.objects.get_or_create(user_id=user.pk)
        _enqueue_delete(user.pk)
    user.is_active = False
    return deletion


def account_delete_by_staff(*, user: User, actor: User, reason: str = "") -> AccountDeletion:
    """Staff delete a member's account (the admin's delete): what the member's own request
    does without its confirmation (deactivated at once, then deleted with everything of theirs
    in the background), logged in the staff log. `can_delete_user` decides who may."""
    if not can_delete_user(actor=actor, user=user):
        raise PermissionDenied(_("You do not have permission to do that."))
    with transaction.atomic():
        user_deactivate_for_deletion(user=user)
        deletion, _created = AccountDeletion.objects.get_or_create(user_id=user.pk)
        staff_action_record(
            actor=actor,
            action=StaffAction.Action.USER_DELETE,
            target_type=StaffAction.TargetType.USER,
            target_id=user.pk,
            target_repr=user.username,
            reason=reason,
        )
        _enqueue_delete(user.pk)
    user.is_active = False
    return deletion


def _enqueue_delete(user_id: int) -> None:
    from ..tasks import delete_account  # tasks import services

    # Without a broker (MEMBER_DATA_IN_BACKGROUND_THREAD), or with it down, a thread of this
    # process runs it; with that setting off and the broker down, the row stays and beat runs
    # it later (account_deletions_resume). The account is deactivated meanwhile.
    enqueue(
        delete_account,
        user_id,
        on_broker_down=partial(_delete_beside_requests, user_id)
        if settings.MEMBER_DATA_IN_BACKGROUND_THREAD
        else BrokerDown.LEAVE_PENDING,
        fallback_without_broker=settings.MEMBER_DATA_IN_BACKGROUND_THREAD,
    )


def _delete_beside_requests(user_id: int) -> None:
    run_beside_requests(partial(account_delete, user_id=user_id), what="account deletion")


def account_delete(*, user_id: int) -> bool:
    """Delete the account of a member who asked for it, and everything of theirs.
    Idempotent: False when there is no such pending deletion (done already)."""
    if not AccountDeletion.objects.filter(user_id=user_id).update(attempts=F("attempts") + 1):
        return False
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or not AccountDeletion.objects.filter(user_id=user_id).exists():
            return False
        member_reactions_remove(user_id=user_id)
        artworks = Artwork.objects.select_for_update().filter(user_id=user_id).order_by("pk")
        for artwork in artworks:
            delete_artwork_row(locked=artwork)
        files = list(DataExport.objects.filter(user_id=user_id).values_list("file", flat=True))
        files.append(user.profile_pic.name if user.profile_pic else "")
        delete_quietly_on_commit(files)
        user.delete()
        transaction.on_commit(lambda: user_sessions_end(user_id=user_id))
    logger.info("account %s deleted at its member's request", user_id)
    return True


def account_deletions_resume() -> int:
    """Beat: run again the deletions still pending after ACCOUNT_DELETION_RETRY_MINUTES
    (their task was lost: a broker outage, a worker that died). Returns how many."""
    from ..tasks import delete_account

    cutoff = timezone.now() - timedelta(minutes=settings.ACCOUNT_DELETION_RETRY_MINUTES)
    pending = list(
        AccountDeletion.objects.filter(requested_at__lt=cutoff).values_list("user_id", flat=True)
    )
    for user_id in pending:
        enqueue(delete_account, user_id, after_commit=False)
    return len(pending)
