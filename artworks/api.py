"""The artworks API (blueprint §2): generate, upload, publish, unpublish, delete, detail.

Errors are JSON {"detail": ...}. An artwork the caller may not see does not exist for them
(404); an action `artworks.permissions` does not allow them on one they see is forbidden (403).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field, StrictBool, model_validator
from pydantic import ValidationError as PydanticValidationError

from accounts.api_auth import OPTIONAL_AUTH_OPENAPI, api_auth, api_optional_auth
from common import pagecache, ratelimit
from common.api import BODY_ERRORS, COMMON_ERRORS, NO_NUL, SafeText, errors, schema_problem

from . import limits, permissions, services
from . import remixes as remix_reads
from .models import Artwork
from .schemas import ArtworkOut, artwork_context, artwork_out
from .selectors import (
    artwork_get_visible,
    artwork_get_visible_cached,
    artwork_rating_shown_to,
    artwork_reaction_state,
)
from .tags import tags_clean, tags_split

router = Router(tags=["artworks"])


# The OpenAPI schema states the service's limits (services._validate_generation) so that what
# it calls valid is what the service accepts; the service itself checks them, with its own
# messages, for the website's form too.
_SIDE_LIMITS = {"minimum": services.GENERATION_MIN_SIDE, "maximum": services.GENERATION_MAX_SIDE}
_SIDE = r"(?:6[4-9]|[7-9]\d|[1-9]\d{2}|1\d{3}|20[0-3]\d|204[0-8])"  # 64 … 2048


_RATING_HELP = "general, mature or explicit (mature and explicit: seen only by members who opt in)."
# Checked by the service, whose message is in the reader's language.
_RATING_FIELD = Field(
    "general", description=_RATING_HELP, json_schema_extra={"enum": list(Artwork.Rating.values)}
)


class GenerateIn(Schema):
    # Not blank and no NUL in the schema; a blank prompt gets the service's own message.
    prompt: str = Field(
        ...,
        max_length=2000,
        pattern=NO_NUL,
        json_schema_extra={"pattern": r"^[^\x00]*[^\x00\s][^\x00]*$"},
    )
    negative_prompt: SafeText = Field("", max_length=2000)
    # Either width and height, or size "WxH".
    width: int | None = Field(None, json_schema_extra=_SIDE_LIMITS)
    height: int | None = Field(None, json_schema_extra=_SIDE_LIMITS)
    size: str | None = Field(
        None, pattern=r"^\d{2,4}x\d{2,4}$", json_schema_extra={"pattern": rf"^{_SIDE}x{_SIDE}$"}
    )
    seed: int | None = Field(None, json_schema_extra={"minimum": 0, "maximum": services.MAX_SEED})
    title: SafeText = Field("", max_length=200)
    description: SafeText = Field("", max_length=5000)
    alt_text: SafeText = Field("", max_length=300)
    # Strict: "0", "no" or "maybe" are not booleans (a form's spellings are read above).
    prompt_hidden: StrictBool = False
    rating: str = _RATING_FIELD
    # A list in JSON; in a form, one field of names separated by commas.
    tags: list[str] = Field(default_factory=list, description="Up to 10 tags.")
    remix_of: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description=(
            "The id of the artwork this one remixes: a published, public artwork generated "
            "from a prompt its author shows (else 400)."
        ),
    )


class ArtworkEditIn(Schema):
    """Only the fields sent are changed."""

    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    description: str | None = Field(None, max_length=5000, pattern=NO_NUL)
    alt_text: str | None = Field(None, max_length=300, pattern=NO_NUL)
    prompt_hidden: StrictBool | None = None
    # Checked by the service, which says what is allowed in the reader's language.
    rating: str | None = Field(
        None, description=_RATING_HELP, json_schema_extra={"enum": list(Artwork.Rating.values)}
    )
    tags: list[str] | None = Field(None, description="Replaces the artwork's tags (up to 10).")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: object) -> object:
        # Every field is optional, so without this a JSON array or scalar would read as an
        # empty edit: ninja's Schema reads any input through attribute access (DjangoGetter).
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("The body must be a JSON object.")
        return data


class RelativeOut(Schema):
    # A relative the caller may not see is `removed` with a null artwork: nothing else is told.
    removed: bool
    artwork: ArtworkOut | None


class RemixesOut(Schema):
    items: list[ArtworkOut]
    next_cursor: str | None
    ancestors: list[RelativeOut]
    ancestors_cut: bool


class DeletedOut(Schema):
    deleted: bool
    artwork_id: int


def _form_fields(properties: dict) -> dict:
    """A form field cannot be null (it is left out instead): `anyOf [X, null]` becomes X."""
    fields = {}
    for name, schema in properties.items():
        schema = dict(schema)
        options = [o for o in schema.pop("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            schema = {**options[0], **schema}
            if schema.get("default") is None:
                schema.pop("default", None)
        fields[name] = schema
    return fields


GENERATE_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": GenerateIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **_form_fields(GenerateIn.model_json_schema()["properties"]),
                        "tags": {
                            "type": "string",
                            "description": "Tags, separated by commas (up to 10).",
                        },
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "Optional reference image.",
                        },
                    },
                    "required": ["prompt"],
                }
            },
        },
        "required": True,
    }
}


def _limit_refusal(request: HttpRequest) -> Status | None:
    """429 over the creation limits (artworks.limits); 503 when they cannot count (they fail
    closed: see common.ratelimit); None to go ahead."""
    try:
        if limits.creation_refused(request):
            return Status(429, {"detail": _("You are creating very quickly. Please wait a while.")})
    except ratelimit.RateLimitUnavailable:
        return Status(503, {"detail": _("Creating is paused for a moment. Please try again soon.")})
    return None


def _detail(request: HttpRequest, artwork: Artwork) -> ArtworkOut:
    liked, favorited = artwork_reaction_state(viewer=request.user, artwork_ids=[artwork.pk])
    signed_in = request.user.is_authenticated
    return artwork_out(
        artwork,
        viewer=request.user,
        liked_ids=liked if signed_in else None,
        favorited_ids=favorited if signed_in else None,
        artworks=[artwork],
    )


def _remix_parent(request: HttpRequest, remix_of: int | None) -> Artwork | None:
    """The artwork a generation remixes; one the caller may not see is refused as missing
    (the service refuses the rest: `permissions.remix_refusal`)."""
    if remix_of is None:
        return None
    try:
        return artwork_get_visible(artwork_id=remix_of, viewer=request.user)
    except Artwork.DoesNotExist:
        raise ValidationError({"remix_of": _("No such artwork.")}) from None


def _generate_input(request: HttpRequest) -> tuple[GenerateIn, object]:
    """The body as JSON, or as multipart form fields with an optional `file`."""
    if request.content_type not in {"multipart/form-data", "application/json", ""}:
        raise HttpError(415, _("Send the body as application/json or multipart/form-data."))
    if request.content_type == "multipart/form-data":
        # Every field sent counts, empty ones too: an empty size or seed is not "absent".
        raw = dict(request.POST.items())
        reference = request.FILES.get("file")
        if "prompt_hidden" in raw:
            # A boolean in a form is "true"/"false" (or a checkbox's "on"); anything else is
            # left for the schema to refuse rather than read as "no".
            flag = raw["prompt_hidden"].lower()
            if flag in {"true", "on"}:
                raw["prompt_hidden"] = True
            elif flag == "false":
                raw["prompt_hidden"] = False
        if "tags" in raw:
            raw["tags"] = tags_split(raw["tags"])
    else:
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError(_("The body is not valid JSON.")) from None
        if not isinstance(raw, dict):
            raise ValidationError(_("The body must be a JSON object."))
        reference = None
    try:
        # JSON carries types, so they must match the schema ("64" is not an integer); form
        # fields are all text and are read as the schema's types.
        strict = True if request.content_type != "multipart/form-data" else None
        return GenerateIn.model_validate(raw, strict=strict), reference
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {schema_problem(err)}"
            for err in exc.errors()
        )
        raise ValidationError(problems) from None


@router.post(
    "/generate",
    auth=api_auth,
    # 413 (BODY_ERRORS): here, a body larger than the largest reference image.
    response={202: ArtworkOut, **BODY_ERRORS, **errors(429, 503)},
    openapi_extra=GENERATE_BODY,
    summary="Generate an artwork from a prompt (returns the draft at once)",
)
def generate(request: HttpRequest) -> Status:
    if (refusal := _limit_refusal(request)) is not None:
        return refusal
    payload, reference = _generate_input(request)
    tags = tags_clean(payload.tags)  # nothing is made when a tag is refused
    remix_of = _remix_parent(request, payload.remix_of)
    # A width of 0 is a mistake to report, not a request for the default.
    width = 1024 if payload.width is None else payload.width
    height = 1024 if payload.height is None else payload.height
    if payload.size:
        w, _sep, h = payload.size.partition("x")
        given = {"width": payload.width, "height": payload.height}
        if any(v is not None and v != int(s) for v, s in zip(given.values(), (w, h), strict=True)):
            raise ValidationError(_("Give either size or width and height, not different ones."))
        width, height = int(w), int(h)
    artwork = services.artwork_generate(
        author=request.user,
        prompt=payload.prompt,
        negative_prompt=payload.negative_prompt,
        width=width,
        height=height,
        seed=payload.seed,
        reference_image=reference,
        title=payload.title,
        description=payload.description,
        alt_text=payload.alt_text,
        prompt_hidden=payload.prompt_hidden,
        remix_of=remix_of,
        rating=payload.rating,
    )
    limits.creation_made(request)
    if tags:
        services.artwork_set_tags(artwork=artwork, actor=request.user, tags=tags)
    artwork.refresh_from_db()  # the generation may already have run (no broker)
    return Status(202, _detail(request, artwork))


@router.post(
    "/upload",
    auth=api_auth,
    # 413 (BODY_ERRORS): here, a body larger than the largest video.
    response={201: ArtworkOut, **BODY_ERRORS, **errors(429, 503)},
    summary="Upload an image or video as a new draft",
)
def upload(
    request: HttpRequest,
    file: File[UploadedFile | None] = None,
    title: str = Form("", max_length=200, pattern=NO_NUL),
    description: str = Form("", max_length=5000, pattern=NO_NUL),
    alt_text: str = Form("", max_length=300, pattern=NO_NUL),
    tags: str = Form("", pattern=NO_NUL, description="Tags, separated by commas (up to 10)."),
    rating: str = Form("general", description=_RATING_HELP),
    ai_generated: bool = Form(
        False, description="Whether AI was used to make it (the page and the files say so)."
    ),
) -> Status:
    if request.content_type != "multipart/form-data":
        raise HttpError(415, _("Send the file as multipart/form-data."))
    if file is None:
        raise ValidationError(_("Choose a file to upload (multipart field “file”)."))
    tag_names = tags_clean(tags_split(tags))
    if (refusal := _limit_refusal(request)) is not None:
        return refusal
    artwork = services.artwork_upload(
        author=request.user,
        file=file,
        title=title,
        description=description,
        alt_text=alt_text,
        rating=rating,
        ai_generated=ai_generated,
    )
    limits.creation_made(request)
    if tag_names:
        services.artwork_set_tags(artwork=artwork, actor=request.user, tags=tag_names)
    artwork.refresh_from_db()
    return Status(201, _detail(request, artwork))


def _visible(request: HttpRequest, artwork_id: int) -> Artwork:
    try:
        return artwork_get_visible(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404 from None


def _allowed(request: HttpRequest, artwork_id: int, rule: Callable[..., bool]) -> Artwork:
    """The artwork, if the caller sees it (else 404) and `rule` lets them act (else 403)."""
    artwork = _visible(request, artwork_id)
    if not rule(actor=request.user, artwork=artwork):
        raise PermissionDenied(_("You do not have permission to do that."))
    return artwork


def _change(
    request: HttpRequest,
    artwork_id: int,
    rule: Callable[..., bool],
    service: Callable[..., Artwork],
) -> Status:
    """`service` applied to the artwork by the caller, if `rule` lets them (see `_allowed`);
    the answer is the artwork as it is now."""
    artwork = service(artwork=_allowed(request, artwork_id, rule), actor=request.user)
    return Status(200, _detail(request, artwork))


@router.get(
    "/{int:artwork_id}",
    auth=api_optional_auth,
    response={200: ArtworkOut, **COMMON_ERRORS, **errors(403, 404)},
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
    summary="One artwork with its author (a draft for its author only)",
)
def detail(request: HttpRequest, artwork_id: int) -> Status:
    # Read through the cache (read only: the object may be a cached copy); the actions below
    # write, so they load the row itself.
    try:
        artwork = artwork_get_visible_cached(
            artwork_id=artwork_id, viewer=request.user, any_rating=True
        )
    except Artwork.DoesNotExist:
        raise Http404 from None
    if not artwork_rating_shown_to(artwork=artwork, viewer=request.user):
        # As the page's notice: the rating, and nothing of the work.
        message = _(
            "This artwork is rated %(rating)s: confirm your age and opt in under "
            "Settings → Content to see it."
        )
        return Status(403, {"detail": message % {"rating": artwork.get_rating_display()}})
    if artwork.remix_of_id is not None:  # `remix_of` follows the parent's visibility
        pagecache.depends_on(request, pagecache.artwork_tag(artwork.remix_of_id))
    return Status(200, _detail(request, artwork))


@router.post(
    "/{int:artwork_id}/publish",
    auth=api_auth,
    response={200: ArtworkOut, **COMMON_ERRORS, **errors(400, 404, 409)},
    summary="Publish a draft",
)
def publish(request: HttpRequest, artwork_id: int) -> Status:
    return _change(request, artwork_id, permissions.can_publish_artwork, services.artwork_publish)


@router.post(
    "/{int:artwork_id}/unpublish",
    auth=api_auth,
    response={200: ArtworkOut, **COMMON_ERRORS, **errors(404)},
    summary="Turn a published artwork back into a draft",
)
def unpublish(request: HttpRequest, artwork_id: int) -> Status:
    return _change(
        request, artwork_id, permissions.can_unpublish_artwork, services.artwork_unpublish
    )


@router.post(
    "/{int:artwork_id}/retry",
    auth=api_auth,
    response={202: ArtworkOut, **COMMON_ERRORS, **errors(400, 404, 409, 429, 503)},
    summary="Retry a failed generation",
)
def retry(request: HttpRequest, artwork_id: int) -> Status:
    if (refusal := _limit_refusal(request)) is not None:
        return refusal
    artwork = services.artwork_retry_generation(
        artwork=_allowed(request, artwork_id, permissions.can_retry_generation),
        actor=request.user,
    )
    limits.creation_made(request)
    artwork.refresh_from_db()
    return Status(202, _detail(request, artwork))


@router.delete(
    "/{int:artwork_id}",
    auth=api_auth,
    response={200: DeletedOut, **COMMON_ERRORS, **errors(404)},
    summary="Delete an artwork and its files",
)
def delete(request: HttpRequest, artwork_id: int) -> Status:
    artwork = _allowed(request, artwork_id, permissions.can_delete_artwork)
    services.artwork_delete(artwork=artwork, actor=request.user)
    return Status(200, {"deleted": True, "artwork_id": artwork_id})


@router.patch(
    "/{int:artwork_id}",
    auth=api_auth,
    response={200: ArtworkOut, **BODY_ERRORS, **errors(404)},
    summary=(
        "Edit the title, description, alt text, tags or rating, or hide or show the prompt "
        "(an author's edit of a published artwork sets edited_at)"
    ),
)
def edit(request: HttpRequest, artwork_id: int, payload: ArtworkEditIn) -> Status:
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    tags = changes.pop("tags", None)
    artwork = _visible(request, artwork_id)
    if not permissions.can_change_fields(actor=request.user, artwork=artwork, fields=changes):
        raise PermissionDenied(_("You do not have permission to do that."))
    if tags is not None:
        tags_clean(tags)  # a bad tag refuses the whole edit before anything is saved
    artwork = services.artwork_update(
        artwork=artwork, actor=request.user, changes=changes, tags=tags
    )
    return Status(200, _detail(request, artwork))


@router.get(
    "/{int:artwork_id}/remixes",
    auth=api_optional_auth,
    response={200: RemixesOut, **COMMON_ERRORS, **errors(400, 404)},
    openapi_extra=OPTIONAL_AUTH_OPENAPI,
    summary=(
        "The artwork's direct remixes the caller may see (newest first, a page at a time: "
        "pass next_cursor as cursor), and its ancestors up the remix chain, the oldest first "
        "(at most 10; ancestors_cut when there are more). An ancestor the caller may not see "
        "is {removed: true, artwork: null}; remixes the caller may not see are left out."
    ),
)
def remixes(
    request: HttpRequest,
    artwork_id: int,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(remix_reads.DEFAULT_PAGE_SIZE, ge=1, le=remix_reads.MAX_PAGE_SIZE),
) -> Status:
    try:
        artwork = artwork_get_visible_cached(artwork_id=artwork_id, viewer=request.user)
    except Artwork.DoesNotExist:
        raise Http404 from None
    try:
        page = remix_reads.artwork_remixes_page(
            artwork=artwork, viewer=request.user, cursor=cursor, limit=limit
        )
    except remix_reads.InvalidRemixCursor:
        return Status(
            400, {"detail": _("This page link is invalid; start again from the first page.")}
        )
    ancestors, cut = remix_reads.artwork_ancestors(artwork=artwork, viewer=request.user)
    shown = [*page.items, *(a.artwork for a in ancestors if a.artwork is not None)]
    liked, favorited = artwork_reaction_state(
        viewer=request.user, artwork_ids=[a.pk for a in shown]
    )
    signed_in = request.user.is_authenticated
    context = artwork_context(
        viewer=request.user,
        liked_ids=liked if signed_in else None,
        favorited_ids=favorited if signed_in else None,
        artworks=shown,
    )
    body = {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "ancestors": [{"removed": a.removed, "artwork": a.artwork} for a in ancestors],
        "ancestors_cut": cut,
    }
    return Status(200, RemixesOut.model_validate(body, context=context))
