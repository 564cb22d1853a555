"""The middleware an app's call to the JSON API goes through: fewer layers than a browser's.

A call to the API that carries `Authorization: Bearer …` is judged by its token alone
(accounts/api_auth.py): no session, CSRF token or session member takes part in it, and it
never sees a static file, an anonymous visitor's cached page, a flash message or one of
allauth's browser flows. The middleware that serve those (settings.BEARER_API_SKIPPED_MIDDLEWARE)
cost a like about a tenth of its time in the process, for nothing. `BearerApiLaneMiddleware`
goes first in MIDDLEWARE and sends such a call down a chain of its own: every other middleware,
the same classes in the same order, loaded as Django's handler loads MIDDLEWARE, so the
answer's headers (security, CSP, language, request id, `Cache-Control: private`) are what
they would have been. Everything else goes down the whole chain, as before.

The token's endpoints themselves (/api/auth/: sign-in, refresh, sign-out, Google) take the
whole chain whatever they carry: they make and end sessions.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from .handlers import RememberingResolve
from .middleware import API_PREFIX

_WHOLE_CHAIN_PREFIX = f"{API_PREFIX}auth/"


def bearer_api_call(request: HttpRequest) -> bool:
    """A call to the JSON API (outside /api/auth/) that presents a bearer token."""
    path = request.path_info
    if not path.startswith(API_PREFIX) or path.startswith(_WHOLE_CHAIN_PREFIX):
        return False
    scheme = request.META.get("HTTP_AUTHORIZATION", "")[:7]
    return scheme.lower() == "bearer "


def lane_middleware(middleware: list[str], skipped: list[str], lane: str) -> list[str]:
    """The middleware after `lane` in `middleware`, less `skipped`, in their order."""
    if lane not in middleware:
        raise ImproperlyConfigured(f"{lane} is not in MIDDLEWARE")
    unknown = sorted(set(skipped) - set(middleware))
    if unknown:
        raise ImproperlyConfigured(f"BEARER_API_SKIPPED_MIDDLEWARE names no middleware: {unknown}")
    after = middleware[middleware.index(lane) + 1 :]
    return [path for path in after if path not in skipped]


class _LaneHandler(RememberingResolve, BaseHandler):
    """Django's handler with the lane's middleware, loaded as BaseHandler.load_middleware
    loads MIDDLEWARE for a synchronous handler (the site's middleware is synchronous)."""

    def __init__(self, middleware: list[str]) -> None:
        self._view_middleware, self._exception_middleware = [], []
        self._template_response_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(middleware):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler


class BearerApiLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        lane = f"{type(self).__module__}.{type(self).__qualname__}"
        self.lane = _LaneHandler(
            lane_middleware(
                list(settings.MIDDLEWARE), list(settings.BEARER_API_SKIPPED_MIDDLEWARE), lane
            )
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not bearer_api_call(request):
            return self.get_response(request)
        # Until the token names the member (what the skipped AuthenticationMiddleware would
        # have said for a request without a session).
        request.user = AnonymousUser()
        return self.lane._middleware_chain(request)
