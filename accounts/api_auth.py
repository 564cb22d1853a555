"""Authentication for the JSON API.

Endpoints accept the site's own session (with CSRF, so pages and htmx can call them) and a
`Authorization: Bearer <access token>` JWT for app clients. Both set `request.user`.

- `api_auth`: a signed-in user is required (401 JSON otherwise).
- `api_optional_auth`: anonymous callers are let through as AnonymousUser.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import django_auth


def _anonymous(request: HttpRequest):
    # Lets anonymous callers through for endpoints that merely personalise their answer.
    request.user = getattr(request, "user", None) or AnonymousUser()
    return AnonymousUser()


api_auth: list = [django_auth]
api_optional_auth: list = [*api_auth, _anonymous]
