"""What accounts shows of the apps above it, filled in by those apps (from their
AppConfig.ready or admin module): accounts is the lowest app and never names them, not even by
a URL name or a model label.

- the public page of a member (`User.get_absolute_url`), served by the read side;
- the admin page of a staff-log entry's target (an artwork, a report), which the admin of the
  app owning the target serves;
- more pages of a member's settings (the members they block or mute), as tabs beside
  accounts' own;
- why an inactive account may not be made active again (it is being deleted), which the
  restoration of a suspended member asks.
"""

from __future__ import annotations

from collections.abc import Callable

_profile_url: Callable[[str], str] | None = None
_target_admin_url_names: dict[str, str] = {}
_settings_pages: dict[str, object] = {}
_restore_refusals: list[Callable[[int], str | None]] = []


def register_profile_url(build: Callable[[str], str]) -> None:
    """`build(username)` gives the path of a member's public page."""
    global _profile_url
    _profile_url = build


def profile_url(username: str) -> str:
    """The path of a member's public page ("" while no app serves one)."""
    return _profile_url(username) if _profile_url is not None else ""


def register_staff_target_admin(target_type: str, url_name: str) -> None:
    """The admin change view (its URL name, taking the target's id) of a staff-log target
    type (`StaffAction.TargetType`)."""
    _target_admin_url_names[target_type] = url_name


def staff_target_admin_url_name(target_type: str) -> str | None:
    return _target_admin_url_names.get(target_type)


def register_settings_page(url_name: str, label: object) -> None:
    """A page of the member's settings (its URL name, taking no argument, and its tab's
    label, lazily translated), shown after accounts' own tabs."""
    _settings_pages[url_name] = label


def settings_pages() -> list[tuple[str, object]]:
    """(URL name, label) of the settings pages other apps registered, in registration order."""
    return list(_settings_pages.items())


def register_restore_refusal(refusal: Callable[[int], str | None]) -> None:
    """`refusal(user_id)`: why the inactive account may not be made active again (a sentence
    for staff), or None."""
    _restore_refusals.append(refusal)


def restore_refusal(user_id: int) -> str | None:
    """The first reason an app gives not to make the account active again, or None."""
    for refusal in _restore_refusals:
        reason = refusal(user_id)
        if reason:
            return reason
    return None
