"""URL map. Public pages follow the blueprint's paths (no trailing slash):

/                       feed:landing        /features              feed:features
/feed                   feed:feed           /user/<username>       feed:profile
/artwork/<id>/<slug>    artworks:detail     /create                artworks:create
/artwork/<id>/report    moderation:report (before artworks:detail; "report" is a reserved slug)
/login                  sign-in             /accounts/…            allauth
/settings/profile       accounts:settings
/api/…                  JSON API (OpenAPI at /api/openapi.json)
/healthz                health checks       /admin/                staff
/sitemap.xml            sitemap index       /robots.txt            crawler rules
/i18n/setlang/          language switcher (POST)
Any page takes ?lang=en|zh-hans to show that language for one request (hreflang URLs).
"""

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve

from common.views import healthz
from feed.urls import seo_urlpatterns

from .api import api, api_not_found

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("login", LoginView.as_view(), name="login"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    # The language preference is not worth a CSRF token: without one, anonymous pages carry
    # no per-visitor token and can be cached whole (common/pagecache.py).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    *seo_urlpatterns,
    path("", include("moderation.urls")),
    path("", include("artworks.urls")),
    path("", include("feed.urls")),
]

if not settings.S3_BUCKET and settings.MEDIA_URL.startswith("/"):
    # Media on local disk (the embedded default) is served by Django itself; production puts
    # media in a bucket or behind a web server.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
