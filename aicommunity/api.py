"""The JSON API (django-ninja). Each app contributes a router; OpenAPI at /api/openapi.json.

Every answer under /api/ is JSON, errors of the form {"detail": "<a sentence>"} (one schema,
`common.api.ErrorOut`): unknown paths and malformed ids too (`api_not_found`, wired after the
API in the URLconf), unparseable bodies (400), and schema violations (422, with the problems
spelled out in the sentence)."""

from __future__ import annotations

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from accounts.api import router as auth_router
from artworks.api import router as artworks_router
from artworks.reactions_api import router as reactions_router
from common.api import schema_problem
from common.exceptions import StateConflict
from feed.api import router as feed_router
from memberdata.api import router as memberdata_router
from moderation.api import router as moderation_router
from notifications.api import router as notifications_router
from social.api import router as social_router
from social.collections_api import router as collections_router
from social.comments_api import router as comments_router


class SiteNinjaAPI(NinjaAPI):
    """ninja's API, with the OpenAPI schema built once per process for each path prefix and
    language (its texts may be translated), rather than on every GET /api/openapi.json: the
    routes are all known at start, and building it cost about a second of one core each time,
    which anyone could ask for. The schema is shared: read it, do not change it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple[str, str | None], OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, translation.get_language())
        built = self._schemas.get(key)
        if built is None:
            built = self._schemas[key] = super().get_openapi_schema(path_prefix=path_prefix)
        return built


class UnsupportedBodyType(Exception):
    """A body sent to an endpoint that reads JSON, in another content type."""


def _json_content_type(content_type: str) -> bool:
    # No Content-Type at all is read as JSON, as before; `application/<anything>+json` is JSON.
    kind, _slash, subtype = content_type.lower().partition("/")
    return not content_type or (
        kind == "application" and (subtype == "json" or subtype.endswith("+json"))
    )


class JsonBodyParser(Parser):
    """ninja's JSON parser, for JSON only: a form, text or multipart body sent to an endpoint
    that reads JSON is 415 (`_http_error`), not read as JSON anyway or a vague 400."""

    def parse_body(self, request: HttpRequest) -> dict:
        if not _json_content_type(request.content_type or ""):
            raise UnsupportedBodyType(request.content_type)
        return super().parse_body(request)


api = SiteNinjaAPI(
    title="AI Community API",
    version="1.0",
    urls_namespace="api",
    docs_url="/docs",
    parser=JsonBodyParser(),
)

NOT_FOUND = gettext_noop("Not found.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": gettext(NOT_FOUND)}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(exc) or gettext("You do not have permission to do that.")},
        status=403,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # ninja's own default message is a bare "Unauthorized"; say what is needed instead.
    message = exc.message if exc.message and exc.message != "Unauthorized" else ""
    return api.create_response(
        request, {"detail": message or gettext("Authentication required.")}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja turns whatever its parser raises into a 400 "Cannot parse request body".
    if isinstance(exc.__cause__, UnsupportedBodyType):
        detail, status = gettext("Send the body as application/json."), 415
    elif isinstance(exc.__cause__, ValueError):  # JSON that does not parse (or decode)
        detail, status = gettext("The body is not valid JSON."), 400
    else:
        detail, status = str(exc), exc.status_code
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(StateConflict)
def _conflict(request: HttpRequest, exc: StateConflict) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(SchemaValidationError)
def _schema_violation(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    # ninja answers a list of pydantic errors; clients get one sentence like every other error.
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ())) or 'request'}: "
        f"{schema_problem(error)}"
        for error in exc.errors
    )
    return api.create_response(
        request, {"detail": problems or gettext("Invalid input.")}, status=422
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # e.g. multipart/form-data without a boundary, or a part's headers too large (a very long
    # filename): Django refuses to parse it, in words of its own that are not translated.
    detail = gettext(
        "The multipart body cannot be read: check its boundary and its parts' headers."
    )
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def _bad_request(request: HttpRequest, exc: BadRequest | SuspiciousOperation) -> HttpResponse:
    return api.create_response(
        request, {"detail": gettext("The request cannot be read.")}, status=400
    )


@csrf_exempt  # it changes nothing; a POST to a wrong path is a 404, not a CSRF failure
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ path no endpoint matches, including ids that are not numbers."""
    return JsonResponse({"detail": gettext(NOT_FOUND)}, status=404)


api.add_router("/auth", auth_router)
api.add_router("/artworks", artworks_router)
api.add_router("/", reactions_router)
api.add_router("/", feed_router)
api.add_router("/", social_router)
api.add_router("/", comments_router)
api.add_router("/", collections_router)
api.add_router("/", notifications_router)
api.add_router("/", memberdata_router)
api.add_router("/", moderation_router)
