"""A member's data in the JSON API: `POST /api/me/export` (ask for an export; 409 while one
is being built; 429 past `RATE_LIMIT_DATA_EXPORTS_PER_DAY`), `GET /api/me/export` (the
latest one's state, size, expiry and, once ready, its download URL),
`GET /api/me/export/{uuid}/download` (the zip: its member alone, 404 for anyone else and
after expiry), and `DELETE /api/me` (the account, confirmed by
`{"password": …}`, or `{"username": …}` for a member who signed up with Google alone and has
no password; answers 202 while the deletion runs in the background, 429 after too many
tries)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.contrib.auth import logout as django_logout
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import BaseModel

from accounts.api_auth import api_auth
from accounts.leaving import confirms_password
from common.api import BODY_ERRORS, COMMON_ERRORS, SafeText, errors

from . import selectors, services, views
from .models import DataExport

router = Router(tags=["your data"])


class ExportOut(Schema):
    id: UUID
    state: str  # "pending" | "building" | "ready" | "failed" | "expired"
    size: int | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    download_url: str | None


class ExportStateOut(Schema):
    export: ExportOut | None


class DeleteMeIn(BaseModel):  # pydantic's own: a body that is not a JSON object is refused (422)
    password: SafeText = ""
    username: SafeText = ""


class DeletingOut(Schema):
    deleting: bool


def _export_out(request: HttpRequest, export: DataExport | None) -> dict:
    if export is None:
        return {"export": None}
    ready = export.state == DataExport.State.READY
    state = "expired" if ready and not export.is_downloadable else export.state
    url = reverse("api:export_download", args=[export.uuid]) if export.is_downloadable else None
    return {
        "export": {
            "id": export.uuid,
            "state": state,
            "size": export.size if ready else None,
            "created_at": export.created_at,
            "finished_at": export.finished_at,
            "expires_at": export.expires_at,
            "download_url": request.build_absolute_uri(url) if url else None,
        }
    }


@router.post(
    "/me/export",
    response={202: ExportStateOut, **COMMON_ERRORS, **errors(409, 429)},
    auth=api_auth,
)
def export_ask(request: HttpRequest) -> Status:
    """Ask for an export of your data, built in the background (409 while one is; 429 past
    a few a day)."""
    try:
        export = services.export_request(user=request.user)
    except services.ExportRateLimited as exc:
        return Status(429, {"detail": str(exc)})
    return Status(202, _export_out(request, export))


@router.get("/me/export", response={200: ExportStateOut, **COMMON_ERRORS}, auth=api_auth)
def export_state(request: HttpRequest) -> Status:
    """Your latest export: its state and, once ready and until it expires, where to get it."""
    return Status(200, _export_out(request, selectors.export_latest(user=request.user)))


@router.get(
    "/me/export/{uuid:export_id}/download",
    response={200: None, **COMMON_ERRORS, **errors(404)},
    auth=api_auth,
    url_name="export_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The zip",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_download(request: HttpRequest, export_id: UUID) -> HttpResponse:
    """The zip of your export (application/zip); 404 for anyone else and after it expires."""
    return views.export_download(request, export_uuid=str(export_id))


@router.delete("/me", response={202: DeletingOut, **BODY_ERRORS, **errors(429)}, auth=api_auth)
def delete_me(request: HttpRequest, payload: DeleteMeIn) -> Status:
    """Delete your account and everything in it, for good (400 with a wrong confirmation:
    nothing changes; 429 after five tries in five minutes). You are signed out at once; the
    deletion runs in the background."""
    user = request.user
    confirmation = payload.password if confirms_password(user) else payload.username
    try:
        services.account_deletion_request(user=user, confirmation=confirmation)
    except services.DeletionRateLimited as exc:
        return Status(429, {"detail": str(exc)})
    if getattr(request, "access_token", None) is None:
        django_logout(request)
    return Status(202, {"deleting": True})
