"""What every JSON API endpoint shares: one error shape, {"detail": "<a sentence>"}, and the
statuses each kind of endpoint can answer, so that each one is declared in the OpenAPI schema.

- 400: a body that cannot be parsed, multipart without a boundary, a bad cursor
- 401: no or bad credentials (also on endpoints where signing in is optional: a bad token)
- 403: a signed-in session without a CSRF token, or not allowed
- 404: no such thing (also for malformed ids in the path)
- 409: not in a state that allows it (retrying a generation that did not fail)
- 413: a body larger than the endpoint takes (common.body_limit: every body, before it is read)
- 415: a body in a content type the endpoint does not read
- 422: well-formed input that breaks the declared schema (a missing field, a limit out of range)
- 429: rate limited
"""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext, gettext_noop
from ninja import Schema
from pydantic import Field

# Text that can be stored: PostgreSQL text cannot hold NUL characters, so they are refused at
# the door (as Django's form fields do) instead of failing at the database with a 500.
NO_NUL = r"^[^\x00]*$"
SafeText = Annotated[str, Field(pattern=NO_NUL)]


class ErrorOut(Schema):
    detail: str


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


# Every endpoint can be reached with credentials that turn out bad (401), by a session without
# a CSRF token or with too few rights (403), and with parameters that break the schema (422).
COMMON_ERRORS = errors(401, 403, 422)
# Endpoints that read a body also answer unparseable bodies, foreign content types and bodies
# over the request body limit.
BODY_ERRORS = errors(400, 401, 403, 413, 415, 422)


# pydantic's words for the schema violations a client meets (its message templates, with its
# placeholders; a plural in the plural alone), so that they can be said in the caller's
# language. In English, and for any other error, pydantic's own message stands.
PYDANTIC_MESSAGES = {
    "missing": gettext_noop("Field required"),
    "string_type": gettext_noop("Input should be a valid string"),
    "int_type": gettext_noop("Input should be a valid integer"),
    "int_parsing": gettext_noop(
        "Input should be a valid integer, unable to parse string as an integer"
    ),
    "int_from_float": gettext_noop(
        "Input should be a valid integer, got a number with a fractional part"
    ),
    "bool_type": gettext_noop("Input should be a valid boolean"),
    "bool_parsing": gettext_noop("Input should be a valid boolean, unable to interpret input"),
    "greater_than_equal": gettext_noop("Input should be greater than or equal to {ge}"),
    "less_than_equal": gettext_noop("Input should be less than or equal to {le}"),
    "string_too_short": gettext_noop("String should have at least {min_length} characters"),
    "string_too_long": gettext_noop("String should have at most {max_length} characters"),
    "too_long": gettext_noop(
        "{field_type} should have at most {max_length} items after validation, not {actual_length}"
    ),
    "list_type": gettext_noop("Input should be a valid list"),
    "model_attributes_type": gettext_noop(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "literal_error": gettext_noop("Input should be {expected}"),
    "enum": gettext_noop("Input should be {expected}"),
    "model_type": gettext_noop("Input should be a valid dictionary or instance of {class_name}"),
    # A validator's own sentence (ValueError), itself in the catalog.
    "value_error": gettext_noop("Value error, {error}"),
    "uuid_parsing": gettext_noop("Input should be a valid UUID, {error}"),
    "string_pattern_mismatch": gettext_noop("String should match pattern '{pattern}'"),
}


def schema_problem(error: dict) -> str:
    """One pydantic error in the caller's language where it has a translation."""
    template = PYDANTIC_MESSAGES.get(error.get("type", ""))
    said = gettext(template) if template is not None else template
    if said is None or said == template:
        return error["msg"]
    context = dict(error.get("ctx", {}))
    if "error" in context and error.get("type") == "value_error":
        context["error"] = gettext(str(context["error"]))
    try:
        return said.format(**context)
    except (KeyError, IndexError, ValueError):
        return error["msg"]
