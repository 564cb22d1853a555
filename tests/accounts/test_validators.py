"""The one reserved-username check (the profile form and new members' usernames ask it)."""

from __future__ import annotations

from django.test import override_settings

from accounts.validators import username_is_reserved


@override_settings(ACCOUNT_USERNAME_BLACKLIST=["admin", "Feed"])
def test_reserved_names_in_any_case() -> None:
    assert username_is_reserved("admin")
    assert username_is_reserved("ADMIN")
    assert username_is_reserved("feed")
    assert not username_is_reserved("ada")
