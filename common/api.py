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
