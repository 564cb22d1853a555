"""Collections on the pages: a member's list (`/user/<username>/collections`, where the owner
also makes one), a collection's page (`/user/<username>/collections/<slug>`, where the owner
renames, describes, deletes it and takes artworks out), and the save control of the artwork
page (`/artwork/<id>/collections/save`, `…/new`).

Every write is a plain POST form with CSRF that comes back to the page without JavaScript
(with the outcome as a message); the save control also answers htmx with itself, swapped in
place. The rules are `social.collection_selectors`' (asked by the services): a collection the
viewer may not see is a 404 (a private one included), a refusal a 403 with its reason, bad
input a form error. Writes share the API's "collection" rate limit (429).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from artworks.models import Artwork
from artworks.selectors import artwork_get_visible_cached, artwork_reaction_state
from common import pagecache, ratelimit
from common.redirects import first_page_again, moved_permanently, safe_next_url, sign_in_first

from . import seo, services
from .collection_display import member_tabs, save_panel_context
from .collection_selectors import (
    can_edit_collection,
    can_view_collection,
    collection_find,
    collection_items_page,
    collection_list,
)
from .models import Collection
from .page_selectors import InvalidCursor

if TYPE_CHECKING:
    from accounts.models import User

SAVE_PARTIAL = "social/partials/collection_save.html"


def _too_many() -> str:
    return _("Too many changes to collections in a short time; try again later.")


def _member(username: str) -> User:
    return get_object_or_404(get_user_model(), username__iexact=username, is_active=True)


def _limited(request: HttpRequest) -> bool:
    return ratelimit.hit(scope="collection", key=ratelimit.client_key(request))


def _is_owner(request: HttpRequest, owner: User) -> bool:
    return request.user.is_authenticated and request.user.pk == owner.pk


def _checked(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("1", "on", "true")


@require_http_methods(["GET", "HEAD", "POST"])
def collections(request: HttpRequest, username: str) -> HttpResponse:
    """The member's collections the viewer may see; POST: the owner makes a new one."""
    owner = _member(username)
    if username != owner.username:
        return moved_permanently(request, reverse("social:collections", args=[owner.username]))
    is_owner = _is_owner(request, owner)
    form: dict[str, object] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return sign_in_first(request, request.path)
        if not is_owner:
            raise PermissionDenied(_("Only its owner can make collections here."))
        if _limited(request):
            return render(request, "429.html", status=429)
        try:
            collection = services.collection_create(
                owner=owner,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                is_public=not _checked(request, "private"),
            )
        except ValidationError as error:
            form = {"errors": error.messages, "data": request.POST}
        else:
            messages.success(request, _("Collection “%(name)s” made.") % {"name": collection.name})
            return redirect(collection.get_absolute_url())
    if is_owner:
        pagecache.keep_out(request)  # the form and the private collections
    else:
        pagecache.depends_on(request, pagecache.collections_tag(owner.pk))
    rows = collection_list(viewer=request.user, owner=owner)
    meta = seo.collection_list_meta(owner=owner, collections=rows)
    context = {
        "owner": owner,
        "is_owner": is_owner,
        "collections": rows,
        "form": form,
        "meta": meta,
        "tabs": member_tabs(owner),
    }
    response = render(request, "social/collections.html", context, status=400 if form else 200)
    if meta.noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    if is_owner:
        response["Cache-Control"] = "private, no-store"
    return response


def _load_more(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted and bool(request.GET.get("cursor"))


@require_safe
def collection(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """A collection's artworks that the viewer may see, the latest added first."""
    owner = _member(username)
    is_owner = _is_owner(request, owner)
    if is_owner:
        pagecache.keep_out(request)  # owner controls
    else:
        pagecache.depends_on(request, pagecache.collections_tag(owner.pk))
    try:
        found = collection_find(viewer=request.user, owner=owner, slug=slug)
    except Collection.DoesNotExist:
        raise Http404("No such collection.") from None
    if username != owner.username:
        return moved_permanently(request, found.get_absolute_url())
    cursor = request.GET.get("cursor") or None
    try:
        page = collection_items_page(collection=found, viewer=request.user, cursor=cursor)
    except InvalidCursor:
        return first_page_again(request, found.get_absolute_url())
    liked, favorited = artwork_reaction_state(
        viewer=request.user, artwork_ids=[a.pk for a in page.items]
    )
    meta = seo.collection_meta(collection=found, cursor=cursor, items=page.items)
    context = {
        "owner": owner,
        "collection": found,
        "is_owner": is_owner,
        "page": page,
        "liked_ids": liked,
        "favorited_ids": favorited,
        "meta": meta,
        "tabs": member_tabs(owner),
    }
    template = "social/partials/collection_page.html" if _load_more(request) else None
    response = render(request, template or "social/collection.html", context)
    patch_vary_headers(response, ["HX-Request"])
    if meta.noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    if is_owner:
        response["Cache-Control"] = "private, no-store"
    return response


def _owned(request: HttpRequest, username: str, slug: str) -> Collection:
    """The collection `slug` for its owner to change: 404 when the viewer may not see it (a
    private one of someone else's), 403 with why when they may see it but not change it (as
    the API answers)."""
    owner = _member(username)
    found = Collection.objects.select_related("owner").filter(owner=owner, slug=slug).first()
    if found is None or not can_view_collection(viewer=request.user, collection=found):
        raise Http404("No such collection.")
    if not can_edit_collection(actor=request.user, collection=found):
        raise PermissionDenied(_("Only its owner can change this collection."))
    return found


def _owner_write(request: HttpRequest, username: str) -> HttpResponse | None:
    """Sign in first, or slow down; None when the write may go on."""
    if not request.user.is_authenticated:
        return sign_in_first(request, reverse("social:collections", args=[username]))
    if _limited(request):
        return render(request, "429.html", status=429)
    return None


@require_POST
def collection_edit(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    stop = _owner_write(request, username)
    if stop is not None:
        return stop
    found = _owned(request, username, slug)
    try:
        found = services.collection_update(
            actor=request.user,
            collection=found,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
            is_public=not _checked(request, "private"),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Collection saved."))
    return redirect(found.get_absolute_url())


@require_POST
def collection_delete(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    stop = _owner_write(request, username)
    if stop is not None:
        return stop
    found = _owned(request, username, slug)
    services.collection_delete(actor=request.user, collection=found)
    messages.success(request, _("Collection “%(name)s” deleted.") % {"name": found.name})
    return redirect(reverse("social:collections", args=[found.owner.username]))


@require_POST
def collection_remove(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """Take one artwork (`artwork`) out of the collection."""
    stop = _owner_write(request, username)
    if stop is not None:
        return stop
    found = _owned(request, username, slug)
    try:
        artwork_id = int(request.POST.get("artwork", ""))
    except ValueError:
        raise Http404("No such artwork.") from None
    if services.collection_item_remove(actor=request.user, collection=found, artwork_id=artwork_id):
        messages.success(request, _("Taken out of “%(name)s”.") % {"name": found.name})
    return redirect(safe_next_url(request) or found.get_absolute_url())


# --- the save control of the artwork page -------------------------------------------------


def _visible_artwork(request: HttpRequest, artwork_id: int) -> Artwork:
    try:
        return artwork_get_visible_cached(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None


def _ids(values: list[str]) -> set[int]:
    return {int(value) for value in values if value.isdigit()}


def _save_answer(
    request: HttpRequest,
    artwork: Artwork,
    *,
    status: int = 200,
    error: str = "",
    done: str = "",
    new_name: str = "",
) -> HttpResponse:
    """With htmx: the control itself, in its new state; else back to the artwork page."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        back = safe_next_url(request) or artwork.get_absolute_url()
        return redirect(back if "#" in back else f"{back}#save-{artwork.pk}")
    context = save_panel_context(
        request=request, artwork=artwork, error=error, done=done, new_name=new_name
    )
    response = render(request, SAVE_PARTIAL, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def artwork_save(request: HttpRequest, artwork_id: int) -> HttpResponse:
    """The artwork is in the member's collections ticked (`collection`) and out of the others
    the control showed (`shown`)."""
    if not request.user.is_authenticated:
        return sign_in_first(request, safe_next_url(request) or f"/artwork/{artwork_id}")
    artwork = _visible_artwork(request, artwork_id)
    if _limited(request):
        return _save_answer(request, artwork, status=429, error=_too_many())
    try:
        services.artwork_collections_set(
            actor=request.user,
            artwork_id=artwork.pk,
            shown=_ids(request.POST.getlist("shown")),
            chosen=_ids(request.POST.getlist("collection")),
        )
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None
    except services.CollectionRefused as refusal:
        return _save_answer(request, artwork, status=403, error=refusal.message)
    except ValidationError as error:
        return _save_answer(request, artwork, status=400, error=" ".join(error.messages))
    return _save_answer(request, artwork, done=_("Your collections are saved."))


@require_POST
def artwork_save_new(request: HttpRequest, artwork_id: int) -> HttpResponse:
    """A new collection (`name`, `private`) holding the artwork."""
    if not request.user.is_authenticated:
        return sign_in_first(request, safe_next_url(request) or f"/artwork/{artwork_id}")
    artwork = _visible_artwork(request, artwork_id)
    name = request.POST.get("name", "")
    if _limited(request):
        return _save_answer(request, artwork, status=429, error=_too_many(), new_name=name)
    try:
        made = services.collection_create_with(
            owner=request.user,
            name=name,
            is_public=not _checked(request, "private"),
            artwork_id=artwork.pk,
        )
    except Artwork.DoesNotExist:
        raise Http404(_("No such artwork.")) from None
    except services.CollectionRefused as refusal:
        return _save_answer(request, artwork, status=403, error=refusal.message, new_name=name)
    except ValidationError as error:
        message = " ".join(error.messages)
        return _save_answer(request, artwork, status=400, error=message, new_name=name)
    done = _("Saved to the new collection “%(name)s”.") % {"name": made.name}
    return _save_answer(request, artwork, done=done)
