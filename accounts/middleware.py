"""Django's AuthenticationMiddleware, with the member found through `member_cache` (the same
checks as Django's own `get_user`, without a query while the kept row is current)."""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import member_cache


def _member(request: HttpRequest) -> object:
    if not hasattr(request, "_cached_user"):
        request._cached_user = member_cache.session_member(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthentication):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # its checks, and `request.auser`
        request.user = SimpleLazyObject(lambda: _member(request))
