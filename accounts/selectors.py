"""Reads about members, and the rules of what staff may do to them.

Staff powers come from Django model permissions (a group such as "Moderators", or granted one
by one); `is_staff` only opens the admin's door and grants nothing by itself. Superusers hold
every permission. Each rule is one predicate, asked by the admin and by the services alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import User


def user_is_signed_in(actor: User | None) -> bool:
    """A signed-in, active account (a suspended one acts as nobody)."""
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
    )


def member_is_visible_to(*, member: User, viewer: User | None) -> bool:
    """May `viewer` see `member` (their profile, their picture)? An active member is
    everyone's; a suspended one (or one whose account is being deleted) only staff who look at
    members in the admin (`view_user` or `change_user`)."""
    if member.is_active:
        return True
    return staff_has_perm(actor=viewer, perm="accounts.view_user") or staff_has_perm(
        actor=viewer, perm="accounts.change_user"
    )


_AVATAR_OWNER_CACHE_SECONDS = 24 * 3600


def member_of_avatar(key: str) -> User | None:
    """The member whose picture is stored at `key` now, whatever their state, or None. A key
    is made afresh for each picture, so its owner is remembered (and the row read through
    the member cache: no query when both are warm); a picture since replaced is nobody's."""
    from django.core.cache import cache

    from . import member_cache
    from .models import User

    cache_key = f"avatar:owner:{key}"
    owner_id = cache.get(cache_key)
    if owner_id is None:
        owner_id = User.objects.filter(profile_pic=key).values_list("pk", flat=True).first()
        if owner_id is None:
            return None
        cache.set(cache_key, owner_id, timeout=_AVATAR_OWNER_CACHE_SECONDS)
    member = member_cache.active_member(owner_id) or User.objects.filter(pk=owner_id).first()
    if member is None or member.profile_pic.name != key:
        return None
    return member


def staff_has_perm(*, actor: User | None, perm: str) -> bool:
    """Whether `actor` holds the staff power `perm` ("app_label.codename")."""
    if not user_is_signed_in(actor):
        return False
    if actor.is_superuser:
        return True
    # The admin requires is_staff too: a permission granted to a non-staff account would be
    # a power without a place to use it, and must not open the site's staff paths either.
    return actor.is_staff and actor.has_perm(perm)


def can_suspend_user(*, actor: User | None, user: User | None = None) -> bool:
    """May `actor` suspend `user` (None: anyone at all, e.g. to offer the admin action)?

    Staff with `accounts.suspend_user` may suspend members; only a superuser may suspend a
    staff account or a superuser, and nobody suspends themselves."""
    return _may_act_on_another_account(actor=actor, user=user, perm="accounts.suspend_user")


def _may_act_on_another_account(*, actor: User | None, user: User | None, perm: str) -> bool:
    """Staff with `perm`, on anyone's account but their own; a staff account or a superuser
    only by a superuser (None: anyone at all)."""
    if not staff_has_perm(actor=actor, perm=perm):
        return False
    if user is None:
        return True
    if user.pk == actor.pk:
        return False
    return actor.is_superuser or not (user.is_staff or user.is_superuser)


def can_restore_user(*, actor: User | None, user: User | None = None) -> bool:
    """May `actor` lift `user`'s suspension? The same as suspending them: otherwise a
    moderator could undo a superuser's suspension of a staff account."""
    return can_suspend_user(actor=actor, user=user)


def can_change_user(*, actor: User | None, user: User | None = None) -> bool:
    """Edit an account in the admin (profile, password). Staff with `accounts.change_user`;
    a staff account or a superuser only by a superuser (or themselves), so that the power
    cannot be turned on the accounts above it."""
    if not staff_has_perm(actor=actor, perm="accounts.change_user"):
        return False
    if user is None or actor.is_superuser or user.pk == actor.pk:
        return True
    return not (user.is_staff or user.is_superuser)


def can_delete_user(*, actor: User | None, user: User | None = None) -> bool:
    """Delete an account in the admin (with everything of theirs, as the member's own request
    does). Staff with `accounts.delete_user`; a staff account or a superuser only by a
    superuser, and nobody deletes their own account there (the settings page is theirs)."""
    return _may_act_on_another_account(actor=actor, user=user, perm="accounts.delete_user")


def can_grant_powers(*, actor: User | None) -> bool:
    """Change who is staff or superuser, and anyone's groups and permissions: superusers
    only (anyone else could grant themselves everything)."""
    return user_is_signed_in(actor) and actor.is_superuser


# How many of an object's staff-log entries its History page lists, newest first.
STAFF_HISTORY_SHOWN = 100


def staff_actions_about(*, target_type: str, target_id: int) -> list:
    """The staff log's latest entries about one artwork, member, comment or report."""
    from .models import StaffAction

    rows = StaffAction.objects.filter(target_type=target_type, target_id=target_id)
    return list(rows.order_by("-created_at", "-id")[:STAFF_HISTORY_SHOWN])
