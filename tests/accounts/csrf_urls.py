"""A URLconf for one test: a POST endpoint behind `api_auth`, to check that session callers
need CSRF and bearer callers do not."""

from django.urls import include, path
from ninja import NinjaAPI

from accounts.api_auth import api_auth
from aicommunity.urls import urlpatterns as site_urlpatterns

probe_api = NinjaAPI(urls_namespace="probe_api", docs_url=None)


@probe_api.post("/write", auth=api_auth)
def write(request):
    return {"user": request.user.username}


urlpatterns = [path("probe/", include(probe_api.urls[:2])), *site_urlpatterns]
