"""The JSON API (django-ninja). Each app contributes a router; OpenAPI at /api/openapi.json.

Errors are always JSON of the form {"detail": ...}."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from accounts.api import router as auth_router
from artworks.api import router as artworks_router
from artworks.reactions_api import router as reactions_router
from feed.api import router as feed_router

api = NinjaAPI(
    title="AI Community API",
    version="1.0",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "You do not have permission to do that."}, status=403
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    # ninja's own default message is a bare "Unauthorized"; say what is needed instead.
    message = exc.message if exc.message and exc.message != "Unauthorized" else ""
    return api.create_response(
        request, {"detail": message or "Authentication required."}, status=401
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


api.add_router("/auth", auth_router)
api.add_router("/artworks", artworks_router)
api.add_router("/", reactions_router)
api.add_router("/", feed_router)
