"""Checks on account fields shared by the profile form and the services."""

from __future__ import annotations

from django.conf import settings


def username_is_reserved(username: str) -> bool:
    """Whether a username is one nobody may take (settings.ACCOUNT_USERNAME_BLACKLIST, in any
    case): the profile form and the usernames made for new members refuse it, as allauth's
    sign-up does with the same list."""
    return username.lower() in {name.lower() for name in settings.ACCOUNT_USERNAME_BLACKLIST}
