"""Per-process memos of what settings decide, forgotten when one of those settings changes
(override_settings, pytest-django's `settings`), so that a changed setting is used at once.

    @cleared_on_change("ROOT_URLCONF")
    @functools.lru_cache(maxsize=4096)
    def _resolved(urlconf, path): ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.signals import setting_changed

Memo = TypeVar("Memo", bound=Callable)


def cleared_on_change(*names: str, prefix: str | None = None) -> Callable[[Memo], Memo]:
    """Clear the decorated functools cache when a setting named in `names`, or one starting
    with `prefix`, changes."""

    def decorate(memo: Memo) -> Memo:
        def forget(*, setting: str, **kwargs: object) -> None:
            if setting in names or (prefix is not None and setting.startswith(prefix)):
                memo.cache_clear()  # type: ignore[attr-defined]

        uid = f"{memo.__module__}.{memo.__qualname__}"
        setting_changed.connect(forget, weak=False, dispatch_uid=uid)
        return memo

    return decorate
