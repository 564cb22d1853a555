"""The one door to stored media (MEDIA_URL + storage key), on local disk and in a bucket
alike: every request asks the visibility rule, so hiding, unpublishing or deleting an
artwork, or suspending its author, takes its original, thumbnails and poster down at every
URL a page or the API ever gave, at once (README "Media and takedowns")."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from accounts.models import User
from accounts.tokens import user_for_access_token
from common.seo import NOAI
from common.storage import media_not_found, media_response

from .selectors import MediaAudience, media_audience


def _viewer(request: HttpRequest) -> User | AnonymousUser:
    """The member a bearer token speaks for (an app client, to which the API gave these URLs:
    its own drafts, work it opted in to), else the session's; a bad token is nobody."""
    scheme, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return user_for_access_token(token.strip()) or AnonymousUser()
    return request.user


@require_safe
def media(request: HttpRequest, key: str) -> HttpResponse:
    # The viewer stays lazy: media_audience reads the session or the token only for
    # non-public media.
    access = media_audience(key=key, viewer=SimpleLazyObject(lambda: _viewer(request)))
    if access is None:
        return media_not_found()
    response = media_response(request, key=key, public=access.audience is MediaAudience.PUBLIC)
    if access.noai:
        # On the redirect to a bucket too: nginx keeps it on an X-Accel-Redirect answer, and a
        # crawler reads it before it follows a redirect.
        response["X-Robots-Tag"] = NOAI
    return response
