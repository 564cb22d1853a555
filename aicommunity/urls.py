"""URL map. Public pages follow the blueprint's paths (no trailing slash):

/                       feed:landing        /features              feed:features
/feed                   feed:feed           /user/<username>       feed:profile
/user/<username>/followers, /following      social:followers, social:following
/user/<username>/follow, /unfollow          social:follow, social:unfollow (POST)
/artwork/<id>/<slug>    artworks:detail     /create                artworks:create
/artwork/<id>/report    moderation:report (before artworks:detail; "report" is a reserved slug)
/login                  sign-in             /accounts/…            allauth
/settings/profile       accounts:settings
/notifications          notifications:index /settings/notifications notifications:preferences
/settings/export        memberdata:export   /settings/delete       memberdata:delete
/api/…                  JSON API (OpenAPI at /api/openapi.json)
/healthz                health checks       /admin/                staff
/metrics                Prometheus (allowed networks or METRICS_TOKEN only)
/sitemap.xml            sitemap index       /robots.txt            crawler rules
/media/<storage key>    stored files, through the visibility rule (artworks/media_views.py)
/i18n/setlang/          language switcher (POST)
Any page takes ?lang=en|zh-hans to show that language for one request (hreflang URLs).
"""

import re
from urllib.parse import urlsplit

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from artworks.media_views import media
from common.observability.exposition import metrics_view
from common.views import healthz
from feed.urls import seo_urlpatterns

from .api import api, api_not_found

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
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
    path("", include("social.urls")),
    path("", include("notifications.urls")),
    path("", include("memberdata.urls")),
    path("", include("feed.urls")),
]

# Stored media, wherever they are stored (disk or bucket): a permission-checked view, never a
# plain file server, so a takedown takes the files down too.
urlpatterns += [
    re_path(
        rf"^{re.escape(urlsplit(settings.MEDIA_URL).path.lstrip('/'))}(?P<key>.+)$",
        media,
        name="media",
    )
]
