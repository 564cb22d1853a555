"""What the list pages show beside their cards: which profile tabs a viewer may open and the
page of each, the counts of a profile and of the landing page, and the tabs of /feed and of a
profile. Read-only. The counts use the one visibility rule (artworks.selectors), like the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NotRequired, TypedDict

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from artworks.models import Artwork
from artworks.selectors import artwork_public_q, artworks_public, artworks_visible_to

from .selectors import Page, user_artworks_page, user_favorites_page

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    Viewer = User | AnonymousUser | None

PROFILE_TABS = ("artworks", "drafts", "favorites")
OWNER_ONLY_TABS = frozenset({"drafts", "favorites"})


class Tab(TypedDict):
    key: str
    label: str
    url: str
    count: int | None
    icon: NotRequired[str]


def profile_is_owner(*, author: User, viewer: Viewer) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.pk == author.pk)


def profile_tab_open_to(*, tab: str, author: User, viewer: Viewer) -> bool:
    """Whether `tab` of `author`'s profile exists for `viewer`: drafts and favorites are the
    owner's alone (to everyone else they do not exist)."""
    if tab not in PROFILE_TABS:
        return False
    return tab not in OWNER_ONLY_TABS or profile_is_owner(author=author, viewer=viewer)


def profile_page(*, tab: str, author: User, viewer: Viewer, cursor: str | None) -> Page:
    """One page of a profile tab. Raises InvalidCursor for a cursor this site did not make."""
    if tab == "favorites":
        return user_favorites_page(owner=author, viewer=viewer, cursor=cursor)
    return user_artworks_page(author=author, viewer=viewer, drafts=tab == "drafts", cursor=cursor)


def profile_counts(*, author: User, viewer: Viewer) -> dict[str, int | None]:
    """{published, drafts, likes, favorites} of `author`'s artworks that `viewer` may see, in
    one query: published artworks (and the likes and favorites they received) are those the
    public sees; drafts count only for who may see them. Sums are None without artworks."""
    public = artwork_public_q()
    return (
        artworks_visible_to(viewer=viewer)
        .filter(user=author)
        .aggregate(
            published=Count("id", filter=public),
            drafts=Count("id", filter=Q(status=Artwork.Status.DRAFT)),
            likes=Sum("like_count", filter=public),
            favorites=Sum("favorite_count", filter=public),
        )
    )


def profile_tabs(*, author: User, is_owner: bool, counts: dict[str, int | None]) -> list[Tab]:
    """The profile's tabs: its artworks for everyone, drafts and favorites for its owner."""
    base_url = author.get_absolute_url()
    tabs: list[Tab] = [
        {"key": "artworks", "label": _("Artworks"), "url": base_url, "count": counts["published"]}
    ]
    if is_owner:
        tabs += [
            {
                "key": "drafts",
                "label": _("Drafts"),
                "url": f"{base_url}?tab=drafts",
                "count": counts["drafts"],
                "icon": "lock",
            },
            {
                "key": "favorites",
                "label": _("Favorites"),
                "url": f"{base_url}?tab=favorites",
                "count": None,
                "icon": "bookmark",
            },
        ]
    return tabs


def feed_tabs() -> list[Tab]:
    feed_url = reverse("feed:feed")
    return [
        {"key": "hot", "label": _("Hot"), "url": feed_url, "icon": "flame", "count": None},
        {
            "key": "new",
            "label": _("New"),
            "url": f"{feed_url}?tab=new",
            "icon": "clock",
            "count": None,
        },
    ]


def site_stats() -> dict[str, int | None]:
    """{artworks, creators, likes} over everything the public sees, in one query."""
    return artworks_public().aggregate(
        artworks=Count("id"), creators=Count("user_id", distinct=True), likes=Sum("like_count")
    )
