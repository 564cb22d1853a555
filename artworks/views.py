from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from common import pagecache
from common.seo import NOAI
from common.storage import media_response

from . import permissions
from .models import Artwork
from .permissions import can_download_original
from .remixes import artwork_family, artwork_parent_for, artwork_remixes_preview
from .selectors import (
    artwork_blurred_for,
    artwork_get_visible_cached,
    artwork_prompt_visible_to,
    artwork_rating_shown_to,
    artwork_reaction_state,
    artworks_more_by_author,
    tags_with_prefix,
)
from .seo import artwork_notice_meta, artwork_page_meta
from .tags import tags_split


def artwork_detail(request: HttpRequest, artwork_id: int, slug: str = "") -> HttpResponse:
    # Through the cache: a hit costs no query. The object may be a cached copy: read only.
    try:
        artwork = artwork_get_visible_cached(
            artwork_id=artwork_id, viewer=request.user, any_rating=True
        )
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    # Before the slug: the notice is shown where it was asked for, since the address that
    # spells the title would tell the viewer what the notice keeps from them.
    if not artwork_rating_shown_to(artwork=artwork, viewer=request.user):
        return _rated_notice(request, artwork)
    if slug != (artwork.slug or Artwork.slug_for(artwork.title)):
        canonical = artwork.get_absolute_url()
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{canonical}?{query}" if query else canonical, permanent=True)

    # The strip of the author's other works shows their counts: the cached page depends on
    # them; "Remix of …" shows the parent (its remixes bump this artwork's own tag).
    parent_tags = [pagecache.artwork_tag(artwork.remix_of_id)] if artwork.remix_of_id else []
    pagecache.depends_on(request, pagecache.author_tag(artwork.user_id), *parent_tags)
    more = artworks_more_by_author(artwork=artwork, viewer=request.user)
    liked, favorited = artwork_reaction_state(
        viewer=request.user, artwork_ids=[artwork.id, *(a.id for a in more)]
    )
    prompt_visible = artwork_prompt_visible_to(artwork=artwork, viewer=request.user)
    meta = artwork_page_meta(artwork, prompt_visible=prompt_visible)
    is_author = request.user.is_authenticated and request.user.pk == artwork.user_id
    can_download = can_download_original(actor=request.user, artwork=artwork)
    if is_author:
        pagecache.keep_out(request)  # owner controls, generation progress
    response = render(
        request,
        "artworks/detail.html",
        {
            "artwork": artwork,
            "more": more,
            "liked_ids": liked,
            "favorited_ids": favorited,
            "prompt_visible": prompt_visible,
            "is_author": is_author,
            "blurred": artwork_blurred_for(artwork=artwork, viewer=request.user),
            "can_download": can_download,
            "meta": meta,
            **_family_context(request, artwork),
        },
    )
    if meta.x_robots_tag:
        response.headers["X-Robots-Tag"] = meta.x_robots_tag
    if meta.noindex:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _family_context(request: HttpRequest, artwork: Artwork) -> dict[str, object]:
    """What the artwork page shows of its remix family: the parent, the first remixes and
    their number, and whether the Remix button and the Edit link are offered."""
    remixes, remix_count = artwork_remixes_preview(artwork=artwork, viewer=request.user)
    return {
        "remix_parent": artwork_parent_for(artwork=artwork, viewer=request.user),
        "remixes": remixes,
        "remix_count": remix_count,
        "remixable": permissions.artwork_is_remixable(artwork=artwork),
        "can_edit": permissions.can_edit_artwork(actor=request.user, artwork=artwork),
    }


@require_safe
def artwork_remixes(request: HttpRequest, artwork_id: int, slug: str) -> HttpResponse:
    """The family tree: the ancestors up the remix chain and the remixes a few levels down,
    each relative the viewer may not see shown as removed."""
    try:
        artwork = artwork_get_visible_cached(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    if slug != artwork.url_slug:
        return redirect("artworks:remixes", artwork.pk, artwork.url_slug, permanent=True)
    family = artwork_family(artwork=artwork, viewer=request.user)
    response = render(request, "artworks/remixes.html", {"artwork": artwork, "family": family})
    if artwork.status != Artwork.Status.PUBLISHED or artwork.is_hidden:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _rated_notice(request: HttpRequest, artwork: Artwork) -> HttpResponse:
    """The page of a work whose rating the viewer has not opted in to: a notice and the way
    to opt in (or to sign in), and nothing of the work (no title, image, author's words, nor
    the slug made of its title)."""
    response = render(
        request,
        "artworks/rated_notice.html",
        {"artwork": artwork, "meta": artwork_notice_meta(artwork)},
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def download_name(artwork: Artwork) -> str:
    """The name a downloaded original is saved under: its slug, id and stored extension."""
    ext = artwork.original.name.rsplit(".", 1)[-1] if "." in artwork.original.name else ""
    stem = f"{artwork.slug or 'artwork'}-{artwork.pk}"
    return f"{stem}.{ext}" if ext else stem


@require_safe
def download_original(request: HttpRequest, artwork_id: int) -> HttpResponse:
    """The original as an attachment, through storage (from disk, through nginx, or from the
    bucket by a signed URL). 404 for an artwork the visitor may not see, and for one whose
    author does not let visitors download (the author always may). Never kept by a cache: a
    takedown, or the author changing their mind, holds at once."""
    try:
        artwork = artwork_get_visible_cached(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404("No such artwork.") from None
    if not can_download_original(actor=request.user, artwork=artwork):
        raise Http404("No such download.")
    response = media_response(
        request, key=artwork.original.name, public=False, download_as=download_name(artwork)
    )
    if artwork.user.noai:
        response["X-Robots-Tag"] = NOAI
    return response


@require_safe
def tag_suggestions(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the create form's tag field: what it would hold with its last tag
    completed to one in use (the field is a list separated by commas)."""
    typed = request.GET.get("tags", "")[:600]
    pieces = [piece.strip() for piece in tags_split(typed)]
    ends_open = bool(pieces) and not typed.rstrip().endswith((",", "，", "、", ";", "；"))
    options = []
    if ends_open:
        head = pieces[:-1]
        options = [", ".join([*head, row["name"]]) for row in tags_with_prefix(prefix=pieces[-1])]
    return render(request, "artworks/partials/tag_options.html", {"options": options})
