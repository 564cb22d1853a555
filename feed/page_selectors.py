"""What the list pages show beside their cards: which profile and feed tabs a viewer may open
and the page of each, the counts of a profile and of the landing page, the tabs of /feed and of
a profile, and the creators the following tab suggests. Read-only. The counts use the one
visibility rule (artworks.selectors), like the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NotRequired, TypedDict
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in
from artworks.models import Artwork, ArtworkTag, Tag
from artworks.selectors import (
    artwork_listed_q,
    artworks_featured,
    artworks_listed,
    artworks_public,
    artworks_visible_to,
)
from artworks.tags import tag_normalise
from social.selectors import FollowStates, creators_to_follow, follow_states, muted_by

from .selectors import (
    FEED_TABS,
    Page,
    feed_page,
    following_page,
    hot_strip,
    user_artworks_page,
    user_favorites_page,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .search import SearchPage

    Viewer = User | AnonymousUser | None

PROFILE_TABS = ("artworks", "drafts", "favorites")
OWNER_ONLY_TABS = frozenset({"drafts", "favorites"})
FOLLOWING = "following"
FEED_PAGE_TABS = (*FEED_TABS, FOLLOWING)
MEMBER_FEED_TABS = frozenset({FOLLOWING})
FOLLOWING_SUGGESTIONS = 6
# Feed pages read at most for one page of a member who mutes someone (feed_tab_page).
MUTED_PAGES_READ = 10


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
    one query: published artworks (and the likes and favorites they received) are the listed
    ones the viewer sees, as the Artworks tab lists them (a visitor: `general` only; the
    author and an opted-in member: their rated work too); drafts count only for who may see
    them. Sums are None without artworks."""
    public = artwork_listed_q()
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
    """The profile's tabs: its artworks for everyone, drafts and favorites for its owner, and
    the member's collections (a page of their own, social's)."""
    base_url = author.get_absolute_url()
    tabs: list[Tab] = [
        {"key": "artworks", "label": _("Artworks"), "url": base_url, "count": counts["published"]}
    ]
    collections: Tab = {
        "key": "collections",
        "label": _("Collections"),
        "url": reverse("social:collections", args=[author.username]),
        "count": None,
        "icon": "folder",
    }
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
    return [*tabs, collections]


def feed_tab_open_to(*, tab: str, viewer: Viewer) -> bool:
    """Whether `viewer` may read `tab` of the feed: the following tab is a member's own (a
    visitor is asked to sign in). The page and the API both ask this."""
    return tab not in MEMBER_FEED_TABS or user_is_signed_in(viewer)


def muted_ids(*, viewer: Viewer) -> set[int]:
    """The members `viewer` mutes: one query, and none for a visitor or a member who mutes
    nobody (their count says so)."""
    if not (user_is_signed_in(viewer) and viewer.muting_count):
        return set()
    return set(muted_by(viewer_id=viewer.pk).values_list("muted_id", flat=True))


def showcase_strips(
    *, viewer: Viewer, featured_limit: int, hot_limit: int
) -> tuple[list[Artwork], list[Artwork]]:
    """The home page's strips: the staff's picks, then the hot work not among them, both
    of the ratings `viewer` sees and without the work of members they mute (the strips are
    the Hot feed's first rows; a muted member leaves them as they leave the feeds). The hot
    strip is read with as many more rows as were featured, in one query."""
    muted = muted_ids(viewer=viewer)
    picks = artworks_featured(limit=featured_limit, viewer=viewer) if featured_limit else []
    featured = [a for a in picks if a.user_id not in muted]
    featured_ids = {a.id for a in featured}
    hot = hot_strip(limit=hot_limit + len(featured), viewer=viewer)
    strip = [a for a in hot if a.id not in featured_ids and a.user_id not in muted]
    return featured, strip[:hot_limit]


def feed_tab_page(
    *, tab: str, viewer: Viewer, cursor: str | None, limit: int | None = None
) -> Page:
    """One page of a feed tab (one query; one more for a member who mutes someone: their work
    leaves the page, which keeps its cursor). A page left empty by the muting is followed by
    the next ones (a query each, up to MUTED_PAGES_READ in all) until one keeps a card: an
    empty page says the feed has nothing and offers no link to the rest. Raises InvalidCursor
    for a cursor this site did not make."""
    if tab == FOLLOWING:
        return following_page(viewer=viewer, cursor=cursor, limit=limit)
    page = feed_page(tab=tab, cursor=cursor, limit=limit, viewer=viewer)
    muted = muted_ids(viewer=viewer)
    if muted:
        items = [a for a in page.items if a.user_id not in muted]
        for _read in range(MUTED_PAGES_READ - 1):
            if items or not page.next_cursor:
                break
            page = feed_page(tab=tab, cursor=page.next_cursor, limit=limit, viewer=viewer)
            items = [a for a in page.items if a.user_id not in muted]
        page = Page(items=items, next_cursor=page.next_cursor)
    return page


def following_suggestions(
    *, tab: str, viewer: Viewer, page: Page, cursor: str | None
) -> list[User]:
    """Creators to follow, for the first page of the following tab when it has nothing to show
    (one query); nothing anywhere else."""
    if tab != FOLLOWING or page.items or cursor or not user_is_signed_in(viewer):
        return []
    return creators_to_follow(viewer=viewer, limit=FOLLOWING_SUGGESTIONS)


def feed_tabs(*, viewer: Viewer = None) -> list[Tab]:
    """The tabs of /feed: Hot and New for everyone, Following for members."""
    feed_url = reverse("feed:feed")
    tabs: list[Tab] = [
        {"key": "hot", "label": _("Hot"), "url": feed_url, "icon": "flame", "count": None},
        {
            "key": "new",
            "label": _("New"),
            "url": f"{feed_url}?tab=new",
            "icon": "clock",
            "count": None,
        },
    ]
    if user_is_signed_in(viewer):
        tabs.append(
            {
                "key": FOLLOWING,
                "label": _("Following"),
                "url": f"{feed_url}?tab={FOLLOWING}",
                "icon": "user",
                "count": None,
            }
        )
    return tabs


def site_stats() -> dict[str, int | None]:
    """{artworks, creators, likes} over everything the public sees, in one query."""
    return artworks_public().aggregate(
        artworks=Count("id"), creators=Count("user_id", distinct=True), likes=Sum("like_count")
    )


TAG_TABS = ("hot", "new")


def tag_find(*, name: str) -> Tag | None:
    """The tag named `name` once normalised, when listed work carries it (None otherwise):
    `/tag/Sunset` and `/tag/sunset` are one tag. A tag that only drafts, hidden work or a
    suspended member's work carry is theirs to know of, and is as missing as one nobody used.
    (Work of any rating counts: a visitor sees that a tag has nothing for them, as its
    artwork's page says it exists.) One query."""
    listed = ArtworkTag.objects.filter(
        tag_id=OuterRef("pk"), artwork_id__in=artworks_listed().values("pk")
    )
    return Tag.objects.filter(Exists(listed), name=tag_normalise(name)).first()


def tag_tabs(*, tag: Tag) -> list[Tab]:
    url = tag.get_absolute_url()
    return [
        {"key": "hot", "label": _("Hot"), "url": url, "icon": "flame", "count": None},
        {"key": "new", "label": _("New"), "url": f"{url}?tab=new", "icon": "clock", "count": None},
    ]


def search_tabs(*, query: str, kind: str) -> list[Tab]:
    """The tabs of /search: artworks and creators, each keeping the query."""
    url = reverse("feed:search")
    return [
        {
            "key": key,
            "label": label,
            "url": f"{url}?{urlencode({'q': query, 'type': key})}",
            "icon": icon,
            "count": None,
        }
        for key, label, icon in (
            ("artworks", _("Artworks"), "image"),
            ("users", _("Creators"), "user"),
        )
    ]


def search_follow_states(*, viewer: Viewer, page: SearchPage) -> FollowStates:
    """Whom among the members found the viewer follows, and who stands in a block with them,
    for their buttons (one query; none for a visitor)."""
    return follow_states(viewer=viewer, user_ids=[member.pk for member in page.items])
