"""Lists in the JSON API (blueprint §2): GET /api/feed, /api/users/{id}/artworks and
/api/users/{id}/favorites. Cursor-paginated: pass `next_cursor` back as `cursor`; a cursor
this API did not make is 400. A signed-in viewer gets `isLiked` / `is_favorite` on every
item; for anonymous callers they are null. `GET /api/feed?tab=following` is the caller's
own (401 without credentials)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from accounts.api_auth import OPTIONAL_AUTH_OPENAPI, api_auth, api_optional_auth
from artworks.models import TAG_MAX_LENGTH
from artworks.schemas import ArtworkOut, ArtworkPageOut, artwork_context
from artworks.selectors import artwork_drafts_visible_to, artwork_reaction_state, tags_with_prefix
from common import ratelimit
from common.api import COMMON_ERRORS, errors

from .page_selectors import feed_tab_open_to, feed_tab_page, tag_find
from .search import SearchType, search_page, search_problem_message
from .selectors import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursor,
    Page,
    tag_artworks_page,
    user_artworks_page,
    user_favorites_page,
)

if TYPE_CHECKING:
    from accounts.models import User

router = Router(tags=["feed"])


_LIST_RESPONSES = {200: ArtworkPageOut, **COMMON_ERRORS, **errors(400, 404)}


def _viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _page_out(page: Page, viewer: User | None) -> ArtworkPageOut:
    """Two queries at most beyond the page itself: none for anonymous callers, one for the
    viewer's likes and favorites."""
    liked = favorited = None
    if viewer is not None:
        liked, favorited = artwork_reaction_state(
            viewer=viewer, artwork_ids=[a.pk for a in page.items]
        )
    context = artwork_context(
        viewer=viewer, liked_ids=liked, favorited_ids=favorited, artworks=page.items
    )
    return ArtworkPageOut.model_validate(page, context=context)


def _bad_cursor(exc: InvalidCursor) -> Status:
    return Status(400, {"detail": str(exc)})


def _active_user(user_id: int) -> User:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404("No such user.")
    return user


@router.get(
    "/feed", response=_LIST_RESPONSES, auth=api_optional_auth, openapi_extra=OPTIONAL_AUTH_OPENAPI
)
def feed(
    request: HttpRequest,
    tab: Literal["hot", "new", "following"] = "hot",
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status:
    """The feed: `tab=hot` (hot score), `tab=new` (newest published) or `tab=following` (the
    newest published work of the members the caller follows; signed-in callers only, 401
    otherwise)."""
    viewer = _viewer(request)
    if not feed_tab_open_to(tab=tab, viewer=viewer):
        return Status(401, {"detail": _("Sign in to see the work of the members you follow.")})
    try:
        page = feed_tab_page(tab=tab, viewer=viewer, cursor=cursor or None, limit=limit)
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    return Status(200, _page_out(page, viewer))


@router.get(
    "/users/{int:user_id}/artworks",
    response=_LIST_RESPONSES,
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def user_artworks(
    request: HttpRequest,
    user_id: int,
    status: Literal["published", "draft"] = "published",
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status:
    """A user's published artworks, newest first; `status=draft` lists their drafts, for the
    user themselves (and staff) only."""
    author = _active_user(user_id)
    viewer = _viewer(request)
    drafts = status == "draft"
    if drafts and not artwork_drafts_visible_to(viewer=viewer, author=author):
        return Status(403, {"detail": _("Only the author can see their drafts.")})
    try:
        page = user_artworks_page(
            author=author, viewer=viewer, drafts=drafts, cursor=cursor or None, limit=limit
        )
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    return Status(200, _page_out(page, viewer))


@router.get("/users/{int:user_id}/favorites", response=_LIST_RESPONSES, auth=api_auth)
def user_favorites(
    request: HttpRequest,
    user_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status:
    """A user's favorites, most recently favorited first: for that user only."""
    viewer = _viewer(request)
    if viewer is None or viewer.pk != user_id:
        return Status(403, {"detail": _("Favorites are private to their owner.")})
    try:
        page = user_favorites_page(owner=viewer, viewer=viewer, cursor=cursor or None, limit=limit)
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    return Status(200, _page_out(page, viewer))


class TagOut(Schema):
    name: str
    count: int  # the public artworks carrying it


class TagListOut(Schema):
    items: list[TagOut]


@router.get(
    "/tags",
    response={200: TagListOut, **COMMON_ERRORS},
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def tags(request: HttpRequest, prefix: str = Query("", max_length=TAG_MAX_LENGTH)) -> Status:
    """Tags that start with `prefix` (normalised as tags are), the most used first: what the
    forms suggest as a member types. An empty prefix gives none."""
    return Status(200, {"items": tags_with_prefix(prefix=prefix)})


@router.get(
    "/tags/{name}/artworks",
    response=_LIST_RESPONSES,
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def tag_artworks(
    request: HttpRequest,
    name: str,
    tab: Literal["hot", "new"] = "hot",
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status:
    """The public artworks with a tag (its name in any case or width): `tab=hot` by hot
    score, `tab=new` newest first. 404 for a tag no published, visible work carries."""
    found = tag_find(name=name)
    if found is None:
        return Status(404, {"detail": _("No such tag.")})
    try:
        page = tag_artworks_page(
            tag=found, tab=tab, cursor=cursor or None, limit=limit, viewer=_viewer(request)
        )
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    return Status(200, _page_out(page, _viewer(request)))


class MemberOut(Schema):
    id: int
    username: str
    name: str = Field(validation_alias="display_name")
    profile_pic: str | None = None
    follower_count: int
    page_url: str = Field(validation_alias="get_absolute_url")


class _SearchOut(Schema):
    query: str  # as searched: control characters removed, trimmed
    type: SearchType
    next_cursor: str | None


class SearchArtworksOut(_SearchOut):
    items: list[ArtworkOut]


class SearchMembersOut(_SearchOut):
    items: list[MemberOut]


@router.get(
    "/search",
    response={200: SearchArtworksOut | SearchMembersOut, **COMMON_ERRORS, **errors(400, 429)},
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def search(
    request: HttpRequest,
    q: str = "",
    type: SearchType = "artworks",
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status | JsonResponse:
    """Search public artworks (`type=artworks`: title, tags, description, public prompt) or
    creators (`type=users`: username, display name), best match first, then by hot score
    (creators: by followers). Every word must match; English words match their other forms
    ("sunsets" finds "sunset"), and Chinese matches within text (日落 finds 一只猫在日落时分).
    400 for a query with nothing to search (empty, one letter) or over 100 characters; 429
    over RATE_LIMIT_SEARCHES_PER_MINUTE (60) searches a minute from one client."""
    if ratelimit.hit(scope="search", key=ratelimit.client_key(request)):
        return Status(
            429, {"detail": _("Too many searches in a short time; try again in a minute.")}
        )
    viewer = _viewer(request)
    try:
        page = search_page(q=q, kind=type, viewer=viewer, cursor=cursor or None, limit=limit)
    except InvalidCursor as exc:
        return _bad_cursor(exc)
    if not page.query.searchable:
        return Status(400, {"detail": search_problem_message(page.query)})
    found = {
        "query": page.query.text,
        "type": type,
        "items": page.items,
        "next_cursor": page.next_cursor,
    }
    # Answered as validated here: ninja would validate the union of the two shapes again,
    # without the artworks' context.
    if type == "users":
        return JsonResponse(SearchMembersOut.model_validate(found).model_dump(mode="json"))
    liked = favorited = None
    if viewer is not None:
        liked, favorited = artwork_reaction_state(
            viewer=viewer, artwork_ids=[a.pk for a in page.items]
        )
    context = artwork_context(
        viewer=viewer, liked_ids=liked, favorited_ids=favorited, artworks=page.items
    )
    body = SearchArtworksOut.model_validate(found, context=context)
    return JsonResponse(body.model_dump(mode="json"))
