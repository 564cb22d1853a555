from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import atom, views
from .sitemaps import SITEMAPS

app_name = "feed"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("features", views.features, name="features"),
    path("feed", views.feed, name="feed"),
    path("search", views.search, name="search"),
    path("feed.atom", atom.NewArtworksFeed(), name="atom"),
    path("tag/<str:name>", views.tag, name="tag"),
    path("tag/<str:name>/feed.atom", atom.TagArtworksFeed(), name="tag_atom"),
    path("user/<str:username>", views.profile, name="profile"),
    path("user/<str:username>/feed.atom", atom.MemberArtworksFeed(), name="profile_atom"),
    path(
        "user/<str:username>/collections/<str:slug>/feed.atom",
        atom.CollectionArtworksFeed(),
        name="collection_atom",
    ),
]

# Outside the namespace: django's sitemap view reverses itself by its plain name.
seo_urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "sitemap_images.xml"},
        name="sitemap-section",
    ),
]
