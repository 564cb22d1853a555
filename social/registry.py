"""What social shows of the apps above it, filled in by those apps from their
AppConfig.ready: social never names them, not even by a URL name.

- the Atom feed of a public collection (served by the read side), linked from its page.
"""

from __future__ import annotations

from collections.abc import Callable

_collection_feed_url: Callable[[str, str], str] | None = None


def register_collection_feed_url(build: Callable[[str, str], str]) -> None:
    """`build(username, slug)` gives the path of a collection's Atom feed."""
    global _collection_feed_url
    _collection_feed_url = build


def collection_feed_url(username: str, slug: str) -> str:
    """The path of a collection's Atom feed ("" while no app serves one)."""
    return _collection_feed_url(username, slug) if _collection_feed_url is not None else ""
