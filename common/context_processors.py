from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}


def page_cache_csrf(request: HttpRequest) -> dict:
    """A member's page that the page cache may keep is drawn with a placeholder CSRF token
    (common.pagecache replaces it in every answer with the member's own). After Django's csrf
    processor, which it overrides then."""
    from . import pagecache

    token = pagecache.csrf_token_for_render(request)
    return {"csrf_token": token} if token else {}
