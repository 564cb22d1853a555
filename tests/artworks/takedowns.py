"""The four ways an artwork leaves the public (and how each is undone), through the services
every entry point (pages, API, admin) calls. Shared by the local-disk and S3 media tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accounts import services as account_services
from artworks import services
from artworks.models import Artwork


@dataclass(frozen=True)
class Takedown:
    name: str
    take_down: Callable[[Artwork, object], None]
    restore: Callable[[Artwork, object], None] | None
    author_still_sees: bool  # the author may still see (and fetch) it afterwards


def _unpublish(artwork, staff) -> None:
    services.artwork_unpublish(artwork=artwork, actor=artwork.user)


def _republish(artwork, staff) -> None:
    services.artwork_publish(artwork=Artwork.objects.get(pk=artwork.pk), actor=artwork.user)


TAKEDOWNS = [
    Takedown(
        "hide",
        lambda a, staff: services.artwork_hide(artwork=a, actor=staff, reason="test"),
        lambda a, staff: services.artwork_restore(artwork=a, actor=staff),
        author_still_sees=False,
    ),
    Takedown(
        "suspend the author",
        lambda a, staff: account_services.user_suspend(user=a.user, actor=staff, reason="test"),
        lambda a, staff: account_services.user_restore(user=a.user, actor=staff),
        author_still_sees=False,  # a suspended member cannot sign in
    ),
    Takedown("unpublish", _unpublish, _republish, author_still_sees=True),
    Takedown(
        "delete",
        lambda a, staff: services.artwork_delete(artwork=a, actor=staff, reason="test"),
        None,
        author_still_sees=False,
    ),
]
