"""Collections in the JSON API.

- `GET /api/collections`: the caller's own collections (private ones included), or with
  `?username=` that member's collections the caller may see (public ones; all of them for
  the member themselves). Without credentials `username` is required (401 otherwise).
- `POST /api/collections` (201), `GET`, `PATCH`, `DELETE /api/collections/{id}`.
- `GET /api/collections/{id}/items`: its artworks the caller may see, the latest added first,
  cursor-paginated like the other lists.
- `POST /api/collections/{id}/items` with `{"artwork_id": …}` (201 when added, 200 when it
  was there already); `DELETE /api/collections/{id}/items/{artwork_id}`, or `DELETE
  /api/collections/{id}/items` with the same body.

A collection the caller may not see (a private one of someone else's) is 404 on every method;
one they may see but not change is 403; an artwork they may not see is 404; bad text is 400
with the reason. Writes share one rate limit per member (settings.RATE_LIMITS["collection"])
→ 429.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import Field, StrictBool, StrictInt, model_validator

from accounts.api_auth import OPTIONAL_AUTH_OPENAPI, api_auth, api_optional_auth
from artworks.models import Artwork
from artworks.schemas import ArtworkPageOut, AuthorOut, artwork_context
from artworks.selectors import artwork_reaction_state
from common import ratelimit
from common.api import BODY_ERRORS, COMMON_ERRORS, SafeText, errors
from common.seo import absolute_url

from . import services
from .collection_selectors import (
    MAX_PAGE_SIZE,
    can_edit_collection,
    collection_get_visible,
    collection_items_page,
    collection_list,
)
from .models import COLLECTION_DESCRIPTION_MAX_LENGTH, COLLECTION_NAME_MAX_LENGTH, Collection
from .page_selectors import InvalidCursor

if TYPE_CHECKING:
    from accounts.models import User

router = Router(tags=["collections"])

DEFAULT_PAGE_SIZE = 24


class CollectionOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    is_public: bool
    item_count: int = Field(validation_alias="shown_count")
    owner: AuthorOut
    url: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_url(collection: Collection) -> str:
        return absolute_url(collection.get_absolute_url())


class CollectionListOut(Schema):
    items: list[CollectionOut]


# The limits are the services' own: the text is stripped (and a name's spaces collapsed)
# before they count, so what fits here fits there. A name must keep some text once stripped
# (the schema says so; the service gives its own message for one that does not).
_NAME = {
    "min_length": 1,
    "max_length": COLLECTION_NAME_MAX_LENGTH,
    "json_schema_extra": {"pattern": r"^[^\x00]*[^\x00\s][^\x00]*$"},
}


class CollectionIn(Schema):
    name: SafeText = Field(..., **_NAME)
    description: SafeText = Field("", max_length=COLLECTION_DESCRIPTION_MAX_LENGTH)
    # Strict: "0", "no" or 0 are not booleans.
    is_public: StrictBool = True


class CollectionPatch(Schema):
    """Only the fields sent are changed."""

    name: SafeText | None = Field(None, **_NAME)
    description: SafeText | None = Field(None, max_length=COLLECTION_DESCRIPTION_MAX_LENGTH)
    is_public: StrictBool | None = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: object) -> object:
        # Every field is optional: without this a JSON array or scalar would read as an empty
        # change (ninja's Schema reads any input through attribute access).
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("The body must be a JSON object.")
        return data


class ItemIn(Schema):
    artwork_id: StrictInt


class ItemOut(Schema):
    collection_id: int
    artwork_id: StrictInt
    added: bool = False
    removed: bool = False
    item_count: int  # its artworks the caller may see, as GET /api/collections/{id} says


class CollectionDeletedOut(Schema):
    deleted: bool
    collection_id: int


def _viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _too_many() -> Status:
    return Status(429, {"detail": _("Too many changes to collections; try again later.")})


def _limited(request: HttpRequest) -> bool:
    return ratelimit.hit(scope="collection", key=ratelimit.client_key(request))


def _visible(request: HttpRequest, collection_id: int) -> Collection:
    try:
        return collection_get_visible(viewer=_viewer(request), collection_id=collection_id)
    except Collection.DoesNotExist:
        raise Http404("No such collection.") from None


def _editable(request: HttpRequest, collection_id: int) -> Collection:
    """The collection if the caller may change it: 404 if they may not see it, 403 if they
    may see but not change it."""
    collection = _visible(request, collection_id)
    if not can_edit_collection(actor=request.user, collection=collection):
        raise services.CollectionRefused(_("Only its owner can change this collection."))
    return collection


@router.get(
    "/collections",
    response={200: CollectionListOut, **COMMON_ERRORS, **errors(404)},
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def collections(request: HttpRequest, username: str | None = None) -> Status:
    """The caller's collections, or `username`'s that the caller may see; the most recently
    changed first, each with `item_count`: its artworks the caller may see."""
    viewer = _viewer(request)
    if username:
        # No username holds a NUL (nor can PostgreSQL compare one): no such member.
        members = get_user_model().objects.filter(username__iexact=username, is_active=True)
        owner = None if "\x00" in username else members.first()
        if owner is None:
            raise Http404("No such member.")
    elif viewer is None:
        raise AuthenticationError(message=_("Sign in, or say whose collections (username)."))
    else:
        owner = viewer
    return Status(200, {"items": collection_list(viewer=viewer, owner=owner)})


@router.post(
    "/collections", response={201: CollectionOut, **BODY_ERRORS, **errors(429)}, auth=api_auth
)
def collection_create(request: HttpRequest, payload: CollectionIn) -> Status:
    """A new collection of the caller's."""
    if _limited(request):
        return _too_many()
    made = services.collection_create(
        owner=request.user,
        name=payload.name,
        description=payload.description,
        is_public=payload.is_public,
    )
    return Status(201, _visible(request, made.pk))


@router.get(
    "/collections/{int:collection_id}",
    response={200: CollectionOut, **COMMON_ERRORS, **errors(404)},
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def collection_detail(request: HttpRequest, collection_id: int) -> Status:
    return Status(200, _visible(request, collection_id))


@router.patch(
    "/collections/{int:collection_id}",
    response={200: CollectionOut, **BODY_ERRORS, **errors(404, 429)},
    auth=api_auth,
)
def collection_update(request: HttpRequest, collection_id: int, payload: CollectionPatch) -> Status:
    """Change what is given: a new name gives a new slug (and address)."""
    collection = _editable(request, collection_id)
    if _limited(request):
        return _too_many()
    services.collection_update(
        actor=request.user,
        collection=collection,
        name=payload.name,
        description=payload.description,
        is_public=payload.is_public,
    )
    return Status(200, _visible(request, collection_id))


@router.delete(
    "/collections/{int:collection_id}",
    response={200: CollectionDeletedOut, **COMMON_ERRORS, **errors(404, 429)},
    auth=api_auth,
)
def collection_delete(request: HttpRequest, collection_id: int) -> Status:
    """Delete the collection (never its artworks)."""
    collection = _editable(request, collection_id)
    if _limited(request):
        return _too_many()
    services.collection_delete(actor=request.user, collection=collection)
    return Status(200, {"deleted": True, "collection_id": collection_id})


@router.get(
    "/collections/{int:collection_id}/items",
    response={200: ArtworkPageOut, **COMMON_ERRORS, **errors(400, 404)},
    auth=api_optional_auth,
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
)
def collection_items(
    request: HttpRequest,
    collection_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
) -> Status:
    """The collection's artworks the caller may see, the latest added first."""
    viewer = _viewer(request)
    collection = _visible(request, collection_id)
    try:
        page = collection_items_page(
            collection=collection, viewer=viewer, cursor=cursor or None, limit=limit
        )
    except InvalidCursor as exc:
        return Status(400, {"detail": str(exc)})
    liked = favorited = None
    if viewer is not None:
        liked, favorited = artwork_reaction_state(
            viewer=viewer, artwork_ids=[a.pk for a in page.items]
        )
    context = artwork_context(
        viewer=viewer, liked_ids=liked, favorited_ids=favorited, artworks=page.items
    )
    return Status(200, ArtworkPageOut.model_validate(page, context=context))


def _item_out(request: HttpRequest, collection_id: int, artwork_id: int, **done: bool) -> dict:
    # The count the collection shows the caller (as GET says), not its rows: a hidden artwork
    # or another member's draft in it is not theirs to count.
    collection = _visible(request, collection_id)
    return {
        "collection_id": collection_id,
        "artwork_id": artwork_id,
        "item_count": collection.shown_count,
        **done,
    }


@router.post(
    "/collections/{int:collection_id}/items",
    response={200: ItemOut, 201: ItemOut, **BODY_ERRORS, **errors(404, 429)},
    auth=api_auth,
)
def collection_item_add(request: HttpRequest, collection_id: int, payload: ItemIn) -> Status:
    """Put an artwork the caller may see in the collection (201; 200 when it was there)."""
    collection = _editable(request, collection_id)
    if _limited(request):
        return _too_many()
    try:
        added = services.collection_item_add(
            actor=request.user, collection=collection, artwork_id=payload.artwork_id
        )
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    out = _item_out(request, collection_id, payload.artwork_id, added=added)
    return Status(201 if added else 200, out)


def _remove(request: HttpRequest, collection_id: int, artwork_id: int) -> Status:
    collection = _editable(request, collection_id)
    if _limited(request):
        return _too_many()
    removed = services.collection_item_remove(
        actor=request.user, collection=collection, artwork_id=artwork_id
    )
    return Status(200, _item_out(request, collection_id, artwork_id, removed=removed))


@router.delete(
    "/collections/{int:collection_id}/items/{int:artwork_id}",
    response={200: ItemOut, **COMMON_ERRORS, **errors(404, 429)},
    auth=api_auth,
)
def collection_item_remove(request: HttpRequest, collection_id: int, artwork_id: int) -> Status:
    """Take an artwork out of the collection (`removed`: whether it was there)."""
    return _remove(request, collection_id, artwork_id)


@router.delete(
    "/collections/{int:collection_id}/items",
    response={200: ItemOut, **BODY_ERRORS, **errors(404, 429)},
    auth=api_auth,
)
def collection_item_remove_by_body(
    request: HttpRequest, collection_id: int, payload: ItemIn
) -> Status:
    """The same, with the artwork in the body: `{"artwork_id": …}`."""
    return _remove(request, collection_id, payload.artwork_id)
