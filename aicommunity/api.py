"""The JSON API (django-ninja). Each app contributes a router; OpenAPI at /api/openapi.json.

Errors are always JSON of the form {"detail": ...}."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from artworks.api import router as artworks_router

api = NinjaAPI(
    title="AI Community API",
    version="1.0",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/artworks", artworks_router)


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
    return api.create_response(
        request, {"detail": str(exc) or "Authentication required."}, status=401
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)
