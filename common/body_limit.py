"""Request bodies of bounded size, refused before they are read.

The middleware compares the declared length (CONTENT_LENGTH) with what the path accepts: on
an upload endpoint (settings.UPLOAD_BODY_LIMITS) its largest file plus a margin for the other
fields, elsewhere DATA_UPLOAD_MAX_MEMORY_SIZE. A larger body is answered 413 at once; nothing
reads it. Django never reads past CONTENT_LENGTH, so a body cannot outgrow what it declared;
the upload handler also stops a file as soon as it passes the endpoint's largest file while
it streams in, so that a body within the limit cannot carry one oversize file to the end.

The refusal is JSON {"detail": …} under /api/ and an HTML page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .middleware import API_PREFIX

# Room for the form fields next to the file (title, description, prompt… a few kB) and the
# multipart boundaries.
BODY_MARGIN = 256 * 1024
REFUSED_ATTR = "body_limit_refused"
FILE_LIMIT_ATTR = "body_limit_max_file_bytes"


class UploadTooLarge(RequestDataTooBig):
    """A file passed its endpoint's limit while streaming in."""


def upload_file_limit(path_info: str) -> int | None:
    """The largest file the endpoint at `path_info` accepts; None when it takes no files."""
    try:
        view_name = resolve(path_info).view_name
    except Resolver404:
        return None
    names = settings.UPLOAD_BODY_LIMITS.get(view_name)
    if not names:
        return None
    return max(int(getattr(settings, name)) for name in names)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def too_large_response(request: HttpRequest, *, limit: int) -> HttpResponse:
    message = _("The request is too large: at most %(size)s can be sent here.") % {
        "size": filesizeformat(limit)
    }
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        small = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length is None or length <= small:
            # The common case costs no URL resolution; files here are smaller than `small`.
            return self.get_response(request)
        file_limit = upload_file_limit(request.path_info)
        if file_limit is None:
            return too_large_response(request, limit=small)
        if length > file_limit + BODY_MARGIN:
            return too_large_response(request, limit=file_limit)
        setattr(request, FILE_LIMIT_ATTR, file_limit)
        response = self.get_response(request)
        if getattr(request, REFUSED_ATTR, False):
            # The upload handler stopped the body; whatever answer the failed parse produced
            # (a 400 from CSRF or the view), the truth is 413.
            return too_large_response(request, limit=file_limit)
        return response


class BodyLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and stops the
    upload once a file passes the limit the middleware set for the endpoint."""

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        limit = getattr(self.request, FILE_LIMIT_ATTR, None)
        if limit is not None and self.received > limit:
            setattr(self.request, REFUSED_ATTR, True)
            # The next handler may have written the file so far to a temporary file, which
            # the parser does not close on an error: remove it now, not at some later GC.
            for handler in self.request.upload_handlers:
                if handler is not self:
                    handler.upload_interrupted()
            raise UploadTooLarge(f"an uploaded file passed {limit} bytes")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file
