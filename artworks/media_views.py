"""The one door to stored media (MEDIA_URL + storage key), on local disk and in a bucket
alike: every request asks the visibility rule, so hiding, unpublishing or deleting an
artwork, or suspending its author, takes its original, thumbnails and poster down at every
URL a page or the API ever gave, at once (README "Media and takedowns")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from common.seo import NOAI
from common.storage import media_not_found, media_response

from .selectors import MediaAudience, media_audience


@require_safe
def media(request: HttpRequest, key: str) -> HttpResponse:
    # request.user stays lazy: media_audience reads the session only for non-public media.
    access = media_audience(key=key, viewer=request.user)
    if access is None:
        return media_not_found()
    response = media_response(request, key=key, public=access.audience is MediaAudience.PUBLIC)
    if access.noai:
        # On the redirect to a bucket too: nginx keeps it on an X-Accel-Redirect answer, and a
        # crawler reads it before it follows a redirect.
        response["X-Robots-Tag"] = NOAI
    return response
