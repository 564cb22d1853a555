"""The list pages: landing, features, /feed, profiles; plus robots.txt. Each list page reads
its rows with one query through feed.selectors, whatever the number of artworks."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from artworks.selectors import artwork_reaction_state
from common import pagecache, ratelimit
from common.redirects import first_page_again, moved_permanently
from common.seo import absolute_url

from . import seo
from .page_selectors import (
    FEED_PAGE_TABS,
    OWNER_ONLY_TABS,
    TAG_TABS,
    feed_tab_open_to,
    feed_tab_page,
    feed_tabs,
    following_suggestions,
    profile_counts,
    profile_is_owner,
    profile_page,
    profile_tab_open_to,
    profile_tabs,
    search_follow_states,
    search_tabs,
    showcase_strips,
    site_stats,
    tag_find,
    tag_tabs,
)
from .search import SEARCH_TYPES, search_page, search_problem_message
from .search_text import QUERY_MAX_LENGTH
from .selectors import InvalidCursor, Page, tag_artworks_page


def _list_context(request: HttpRequest, page: Page) -> dict[str, object]:
    liked, favorited = artwork_reaction_state(
        viewer=request.user, artwork_ids=[a.id for a in page.items]
    )
    return {"page": page, "liked_ids": liked, "favorited_ids": favorited}


def _is_load_more(request: HttpRequest) -> bool:
    # htmx "load more" asks for the next cards only; a boosted or plain request gets the page.
    return bool(request.htmx) and not request.htmx.boosted


def _render_list(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    if _is_load_more(request) and request.GET.get("cursor"):
        response = render(request, "feed/partials/artwork_page.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _restart(request: HttpRequest, path: str, *, tab: str, default_tab: str) -> HttpResponse:
    """Back to the first page of the tab, for a cursor that is not (or no longer) ours."""
    return first_page_again(request, path + (f"?tab={tab}" if tab != default_tab else ""))


def _sign_in_first(request: HttpRequest, next_url: str) -> HttpResponse:
    """To the sign-in page, and back to `next_url` after it."""
    login = f"{settings.LOGIN_URL}?{urlencode({'next': next_url})}"
    if request.htmx:
        # "Load more" behind a session that has expired meanwhile: a full navigation.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login
        return response
    return redirect(login)


LANDING_FEATURED = 8
LANDING_HOT = 12


@require_safe
def tag(request: HttpRequest, name: str) -> HttpResponse:
    """A tag's public artworks, Hot or New; `/tag/Sunset` leads to `/tag/sunset`."""
    found = tag_find(name=name)
    if found is None:
        raise Http404("No such tag.")
    if name != found.name:
        return redirect(found.get_absolute_url() + _query(request), permanent=True)
    tab = request.GET.get("tab") or "hot"
    if tab not in TAG_TABS:
        raise Http404("No such tab.")
    cursor = request.GET.get("cursor") or None
    try:
        page = tag_artworks_page(tag=found, tab=tab, cursor=cursor, viewer=request.user)
    except InvalidCursor:
        return _restart(request, found.get_absolute_url(), tab=tab, default_tab="hot")
    meta = seo.tag_meta(tag=found, tab=tab, cursor=cursor, items=page.items)
    context = {
        **_list_context(request, page),
        "tag": found,
        "tab": tab,
        "tabs": tag_tabs(tag=found),
        "meta": meta,
    }
    response = _render_list(request, "feed/tag.html", context)
    if meta.noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """/search?q=…&type=artworks|users: results for everyone alike, never indexed by search
    engines, never kept in the page cache (its URLs are endless)."""
    kind = request.GET.get("type") or "artworks"
    if kind not in SEARCH_TYPES:
        kind = "artworks"
    q = request.GET.get("q", "")
    if q and ratelimit.hit(scope="search", key=ratelimit.client_key(request)):
        return render(request, "429.html", status=429)
    cursor = request.GET.get("cursor") or None
    try:
        page = search_page(q=q, kind=kind, viewer=request.user, cursor=cursor)
    except InvalidCursor:
        query = urlencode({"q": q, "type": kind})
        return first_page_again(request, f"{reverse('feed:search')}?{query}")
    if kind == "users":
        states = search_follow_states(viewer=request.user, page=page)
        context = {"page": page, "follow_states": states}
        partial = "social/partials/member_page.html"
    else:
        context = _list_context(request, page)
        partial = "feed/partials/artwork_page.html"
    context.update(
        search=page.query,
        max_length=QUERY_MAX_LENGTH,
        problem_message=search_problem_message(page.query),
        kind=kind,
        tabs=search_tabs(query=page.query.text, kind=kind),
        meta=seo.search_meta(query=page.query.text, kind=kind, searched=page.query.searchable),
    )
    if _is_load_more(request) and cursor:
        response = render(request, partial, context)
    else:
        response = render(request, "feed/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _query(request: HttpRequest) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    # Staff-featured artworks are pinned first; the hot strip leaves them out so that no card
    # shows twice.
    featured, strip = showcase_strips(
        viewer=request.user, featured_limit=LANDING_FEATURED, hot_limit=LANDING_HOT
    )
    # A member's own liked and kept state on the cards (one query; none for a visitor).
    liked, favorited = artwork_reaction_state(
        viewer=request.user, artwork_ids=[a.id for a in featured + strip]
    )
    context = {
        "featured": featured,
        "strip": strip,
        "liked_ids": liked,
        "favorited_ids": favorited,
        "showcase": featured + strip,
        "stats": site_stats(),
        "meta": seo.landing_meta(featured + strip),
    }
    return render(request, "feed/landing.html", context)


@require_safe
def features(request: HttpRequest) -> HttpResponse:
    _featured, showcase = showcase_strips(viewer=request.user, featured_limit=0, hot_limit=8)
    context = {"showcase": showcase, "meta": seo.features_meta(showcase)}
    return render(request, "feed/features.html", context)


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab") or "hot"
    if tab not in FEED_PAGE_TABS:
        raise Http404("No such tab.")
    if not feed_tab_open_to(tab=tab, viewer=request.user):
        return _sign_in_first(request, f"{reverse('feed:feed')}?tab={tab}")
    cursor = request.GET.get("cursor") or None
    try:
        page = feed_tab_page(tab=tab, viewer=request.user, cursor=cursor)
    except InvalidCursor:
        return _restart(request, reverse("feed:feed"), tab=tab, default_tab="hot")
    # A member's own tab (following) is kept in the page cache for them alone, like their copy
    # of every feed page: a follow or unfollow bumps their member tag, a publication `lists`.
    meta = seo.feed_meta(tab=tab, cursor=cursor, items=page.items)
    context = {
        **_list_context(request, page),
        "tab": tab,
        "feed_tabs": feed_tabs(viewer=request.user),
        "suggestions": following_suggestions(
            tab=tab, viewer=request.user, page=page, cursor=cursor
        ),
        # The suggestions leave out whom the viewer follows: their buttons need no query.
        "suggested_followed_ids": frozenset(),
        "meta": meta,
        "heading": seo.feed_title(tab),
        # The feed's grid shares its row with the sidebar: its cards' `sizes` differ.
        "card_sizes": "feed",
    }
    response = _render_list(request, "feed/feed.html", context)
    if meta.noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(get_user_model(), username__iexact=username, is_active=True)
    if username != author.username:
        return moved_permanently(request, author.get_absolute_url())
    tab = request.GET.get("tab") or "artworks"
    if not profile_tab_open_to(tab=tab, author=author, viewer=request.user):
        raise Http404("No such tab.")
    cursor = request.GET.get("cursor") or None
    try:
        page = profile_page(tab=tab, author=author, viewer=request.user, cursor=cursor)
    except InvalidCursor:
        return _restart(request, author.get_absolute_url(), tab=tab, default_tab="artworks")
    counts = profile_counts(author=author, viewer=request.user)
    is_owner = profile_is_owner(author=author, viewer=request.user)
    if is_owner:
        pagecache.keep_out(request)  # their drafts, generation progress and owner controls
    meta = seo.profile_meta(author=author, tab=tab, cursor=cursor, counts=counts, items=page.items)
    context = {
        **_list_context(request, page),
        "author": author,
        "is_owner": is_owner,
        "tab": tab,
        "tabs": profile_tabs(author=author, is_owner=is_owner, counts=counts),
        "counts": counts,
        "meta": meta,
    }
    response = _render_list(request, "feed/profile.html", context)
    if meta.x_robots_tag:
        response.headers["X-Robots-Tag"] = meta.x_robots_tag
    if tab in OWNER_ONLY_TABS:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index, on SITE_URL (django's own index view uses the sites framework's
    domain). Large sections are split into pages of Sitemap.limit URLs."""
    from .sitemaps import SITEMAPS

    locations = []
    for section, sitemap_class in SITEMAPS.items():
        url = absolute_url(reverse("sitemap-section", kwargs={"section": section}))
        pages = sitemap_class().paginator.num_pages
        locations.append(url)
        locations += [f"{url}?p={page}" for page in range(2, pages + 1)]
    return render(
        request,
        "sitemap_index.xml",
        {"locations": locations},
        content_type="application/xml; charset=utf-8",
    )


# Crawlers that gather pages and pictures to train AI models (or answer with them), turned away
# by robots.txt when ROBOTS_BLOCK_AI_CRAWLERS is on. Search engines' own crawlers (Googlebot,
# Bingbot, Applebot) are not here: Google-Extended and Applebot-Extended are the tokens those
# companies read for AI training alone.
AI_CRAWLERS = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "Bytespider",
    "PerplexityBot",
    "Applebot-Extended",
    "meta-externalagent",
    "FacebookBot",
    "Amazonbot",
    "cohere-ai",
    "Diffbot",
    "ImagesiftBot",
    "Omgilibot",
    "Timpibot",
)


def _ai_crawler_rules() -> list[str]:
    if not settings.ROBOTS_BLOCK_AI_CRAWLERS:
        return []
    return [*(f"User-agent: {name}" for name in AI_CRAWLERS), "Disallow: /", ""]


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        *_ai_crawler_rules(),
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /accounts/",
        "Disallow: /login",
        "Disallow: /i18n/",
        "Disallow: /create",
        "Allow: /",
        "",
        f"Sitemap: {absolute_url(reverse('sitemap-index'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
