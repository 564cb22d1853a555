"""The one reserved-username check (the profile form and new members' usernames ask it)."""

from __future__ import annotations

from pytest_django.fixtures import SettingsWrapper

from accounts.validators import username_is_reserved


def test_reserved_names_in_any_case(settings: SettingsWrapper) -> None:
    settings.ACCOUNT_USERNAME_BLACKLIST = ["admin", "Feed"]
    assert username_is_reserved("admin")
    assert username_is_reserved("ADMIN")
    assert username_is_reserved("feed")
    assert not username_is_reserved("ada")
