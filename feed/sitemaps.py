"""sitemap.xml: the public pages, every published and visible artwork (with its image),
every creator with at least one such artwork, every tag such an artwork carries and every
public collection of an active member that holds one. Drafts,
hidden artworks, suspended users and private tabs are never listed: the rows come from the
one visibility rule."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.models import Site
from django.db.models import QuerySet
from django.urls import reverse

from artworks.models import Artwork, ArtworkTag, Tag
from artworks.selectors import artworks_public
from social.models import Collection, CollectionItem

if TYPE_CHECKING:
    from accounts.models import User
from artworks.images import artwork_image_url


class SiteSitemap(Sitemap):
    """URLs on SITE_URL (not the sites framework's example.com)."""

    limit = 5000

    def get_domain(self, site: Site | None = None) -> str:
        return urlparse(settings.SITE_URL).netloc

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlparse(settings.SITE_URL).scheme or "https"


class PagesSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["feed:landing", "feed:features", "feed:feed"]

    def location(self, item: str) -> str:
        return reverse(item)

    def priority(self, item: str) -> float:
        return 1.0 if item == "feed:landing" else 0.8


class ArtworkSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self) -> QuerySet[Artwork]:
        return (
            artworks_public()
            .only(
                "id",
                "slug",
                "title",
                "kind",
                "original",
                "poster",
                "thumbnails",
                "width",
                "height",
                "updated_at",
                "published_at",
                "user__is_active",
            )
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Artwork) -> datetime:
        return item.updated_at

    def get_urls(
        self, page: int = 1, site: Site | None = None, protocol: str | None = None
    ) -> list[dict]:
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["image"] = artwork_image_url(url["item"])[0]
        return urls


class UserSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[User]:
        creators = artworks_public().values("user_id")
        return (
            get_user_model()
            .objects.filter(is_active=True, id__in=creators)
            .only("id", "username")
            .order_by("id")
        )


class TagSitemap(SiteSitemap):
    """Every tag that public work carries (a tag only drafts or hidden work carry is left
    out)."""

    changefreq = "daily"
    priority = 0.5

    def items(self) -> QuerySet[Tag]:
        public = ArtworkTag.objects.filter(artwork__in=artworks_public().values("pk"))
        return Tag.objects.filter(pk__in=public.values("tag_id")).only("name").order_by("name")


class CollectionSitemap(SiteSitemap):
    """Public collections (never a private one) of active members holding public work."""

    changefreq = "weekly"
    priority = 0.4

    def items(self) -> QuerySet[Collection]:
        public = CollectionItem.objects.filter(artwork__in=artworks_public().values("pk"))
        return (
            Collection.objects.filter(
                is_public=True, owner__is_active=True, pk__in=public.values("collection_id")
            )
            .select_related("owner")
            .only("id", "slug", "updated_at", "owner__username")
            .order_by("id")
        )

    def lastmod(self, item: Collection) -> datetime:
        return item.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "artworks": ArtworkSitemap,
    "users": UserSitemap,
    "tags": TagSitemap,
    "collections": CollectionSitemap,
}
