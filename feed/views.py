"""The list pages: landing, features, /feed, profiles; plus robots.txt. Each list page reads
its rows with one query through feed.selectors, whatever the number of artworks."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from artworks.models import Artwork
from artworks.selectors import (
    artwork_reaction_state,
    artworks_featured,
    artworks_public,
    artworks_visible_to,
)
from artworks.templatetags.artwork_media import artwork_image_url
from common.seo import PageMeta, absolute_url

from .selectors import (
    FEED_TABS,
    InvalidCursor,
    Page,
    feed_page,
    hot_strip,
    user_artworks_page,
    user_favorites_page,
)

PROFILE_TABS = ("artworks", "drafts", "favorites")
OWNER_ONLY_TABS = {"drafts", "favorites"}


def _preview_image(meta: PageMeta, artworks: list[Artwork]) -> PageMeta:
    """Link previews of list pages show their first artwork (or the site's card)."""
    if artworks:
        meta.image, meta.image_width, meta.image_height = artwork_image_url(artworks[0])
        meta.image_alt = artworks[0].alt_text or artworks[0].title
    if not meta.image:
        meta.image = absolute_url(settings.STATIC_URL + "img/og-default.png")
        meta.image_width, meta.image_height = 1200, 630
        meta.image_alt = settings.SITE_NAME
    return meta


def _site_jsonld() -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "inLanguage": [code for code, _name in settings.LANGUAGES],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }


def _list_context(request: HttpRequest, page: Page) -> dict:
    liked, favorited = artwork_reaction_state(
        viewer=request.user, artwork_ids=[a.id for a in page.items]
    )
    return {"page": page, "liked_ids": liked, "favorited_ids": favorited}


def _is_load_more(request: HttpRequest) -> bool:
    # htmx "load more" asks for the next cards only; a boosted or plain request gets the page.
    return bool(request.htmx) and not request.htmx.boosted


def _render_list(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if _is_load_more(request) and request.GET.get("cursor"):
        response = render(request, "feed/partials/artwork_page.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


LANDING_FEATURED = 8
LANDING_HOT = 12


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    # Staff-featured artworks are pinned first; the hot strip leaves them out so that no card
    # shows twice (it asks for as many more as were featured, in the same one query).
    featured = artworks_featured(limit=LANDING_FEATURED)
    featured_ids = {a.id for a in featured}
    strip = [a for a in hot_strip(limit=LANDING_HOT + len(featured)) if a.id not in featured_ids]
    strip = strip[:LANDING_HOT]
    stats = artworks_public().aggregate(
        artworks=Count("id"), creators=Count("user_id", distinct=True), likes=Sum("like_count")
    )
    meta = _preview_image(
        PageMeta(
            title=_("%(site)s — create, share and discover AI art") % {"site": settings.SITE_NAME},
            description=_(
                "A community for AI art: generate images from a prompt or upload your own, "
                "publish them, and discover the most loved work of other creators."
            ),
            path=reverse("feed:landing"),
            jsonld=[_site_jsonld()],
        ),
        featured + strip,
    )
    return render(
        request,
        "feed/landing.html",
        {
            "featured": featured,
            "strip": strip,
            "showcase": featured + strip,
            "stats": stats,
            "meta": meta,
        },
    )


@require_safe
def features(request: HttpRequest) -> HttpResponse:
    showcase = hot_strip(limit=8)
    meta = _preview_image(
        PageMeta(
            title=_("Features · %(site)s") % {"site": settings.SITE_NAME},
            description=_(
                "Generate and upload, keep drafts, publish, like and favorite, a hot-ranked "
                "feed, a JSON API and a server you can host yourself."
            ),
            path=reverse("feed:features"),
            jsonld=[
                {
                    "@context": "https://schema.org",
                    "@type": "WebPage",
                    "name": _("Features"),
                    "url": absolute_url(reverse("feed:features")),
                    "isPartOf": {"@type": "WebSite", "url": absolute_url("/")},
                }
            ],
        ),
        showcase,
    )
    return render(request, "feed/features.html", {"showcase": showcase, "meta": meta})


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab") or "hot"
    if tab not in FEED_TABS:
        raise Http404("No such tab.")
    cursor = request.GET.get("cursor") or None
    try:
        page = feed_page(tab=tab, cursor=cursor)
    except InvalidCursor:
        messages.error(request, _("That page link is no longer valid. Here is the first page."))
        return redirect(reverse("feed:feed") + ("?tab=new" if tab == "new" else ""))
    params = {"tab": tab if tab != "hot" else "", "cursor": cursor or ""}
    title = _("Hot AI art") if tab == "hot" else _("New AI art")
    meta = _preview_image(
        PageMeta(
            title=f"{title} · {settings.SITE_NAME}",
            description=_(
                "The most loved AI artworks of the community, ranked by likes, favorites and "
                "freshness."
            )
            if tab == "hot"
            else _("The newest AI artworks published by the community."),
            path=reverse("feed:feed"),
            params=params,
            jsonld=[
                {
                    "@context": "https://schema.org",
                    "@type": "CollectionPage",
                    "name": title,
                    "url": absolute_url(reverse("feed:feed")),
                    "isPartOf": {"@type": "WebSite", "url": absolute_url("/")},
                }
            ],
        ),
        page.items,
    )
    feed_url = reverse("feed:feed")
    feed_tabs = [
        {"key": "hot", "label": _("Hot"), "url": feed_url, "icon": "flame", "count": None},
        {
            "key": "new",
            "label": _("New"),
            "url": f"{feed_url}?tab=new",
            "icon": "clock",
            "count": None,
        },
    ]
    context = {
        **_list_context(request, page),
        "tab": tab,
        "feed_tabs": feed_tabs,
        "meta": meta,
        "heading": title,
        # The feed's grid shares its row with the sidebar: its cards' `sizes` differ.
        "card_sizes": "feed",
    }
    return _render_list(request, "feed/feed.html", context)


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    author = get_object_or_404(get_user_model(), username__iexact=username, is_active=True)
    if username != author.username:
        return redirect(author.get_absolute_url(), permanent=True)
    is_owner = request.user.is_authenticated and request.user.pk == author.pk
    tab = request.GET.get("tab") or "artworks"
    if tab not in PROFILE_TABS or (tab in OWNER_ONLY_TABS and not is_owner):
        # Someone else's drafts and favorites do not exist as far as visitors can tell.
        raise Http404("No such tab.")
    cursor = request.GET.get("cursor") or None
    try:
        if tab == "favorites":
            page = user_favorites_page(owner=author, viewer=request.user, cursor=cursor)
        else:
            page = user_artworks_page(
                author=author, viewer=request.user, drafts=tab == "drafts", cursor=cursor
            )
    except InvalidCursor:
        messages.error(request, _("That page link is no longer valid. Here is the first page."))
        url = author.get_absolute_url()
        return redirect(url + (f"?tab={tab}" if tab != "artworks" else ""))

    counts = (
        artworks_visible_to(viewer=request.user)
        .filter(user=author)
        .aggregate(
            published=Count(
                "id",
                filter=Q(status=Artwork.Status.PUBLISHED, moderation=Artwork.Moderation.VISIBLE),
            ),
            drafts=Count("id", filter=Q(status=Artwork.Status.DRAFT)),
            likes=Sum(
                "like_count",
                filter=Q(status=Artwork.Status.PUBLISHED, moderation=Artwork.Moderation.VISIBLE),
            ),
            favorites=Sum(
                "favorite_count",
                filter=Q(status=Artwork.Status.PUBLISHED, moderation=Artwork.Moderation.VISIBLE),
            ),
        )
    )
    profile_url = absolute_url(author.get_absolute_url())
    person = {
        "@type": "Person",
        "name": author.display_name,
        "alternateName": f"@{author.username}",
        "identifier": str(author.pk),
        "url": profile_url,
        "interactionStatistic": [
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/WriteAction",
                "userInteractionCount": counts["published"],
            },
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/LikeAction",
                "userInteractionCount": counts["likes"] or 0,
            },
        ],
    }
    if author.profile_pic:
        person["image"] = absolute_url(author.profile_pic.url)
    meta = _preview_image(
        PageMeta(
            title=_("%(name)s (@%(username)s) · %(site)s")
            % {
                "name": author.display_name,
                "username": author.username,
                "site": settings.SITE_NAME,
            },
            description=_("AI artworks by %(name)s (@%(username)s): %(count)s published.")
            % {
                "name": author.display_name,
                "username": author.username,
                "count": counts["published"],
            },
            path=author.get_absolute_url(),
            params={"tab": tab if tab != "artworks" else "", "cursor": cursor or ""},
            og_type="profile",
            noindex=tab in OWNER_ONLY_TABS,
            jsonld=[
                {
                    "@context": "https://schema.org",
                    "@type": "ProfilePage",
                    "url": profile_url,
                    "dateCreated": author.date_joined.isoformat(),
                    "mainEntity": person,
                }
            ],
        ),
        page.items if tab == "artworks" else [],
    )
    meta.extra_og["profile:username"] = author.username
    if author.profile_pic and tab == "artworks" and not page.items:
        meta.image = absolute_url(author.profile_pic.url)
    base_url = author.get_absolute_url()
    tabs = [
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
    context = {
        **_list_context(request, page),
        "author": author,
        "is_owner": is_owner,
        "tab": tab,
        "tabs": tabs,
        "counts": counts,
        "meta": meta,
    }
    response = _render_list(request, "feed/profile.html", context)
    if meta.noindex:
        response.headers["X-Robots-Tag"] = "noindex"
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


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
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
