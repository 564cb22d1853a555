"""Why a provider's generation failed, in words its author reads in their own language.

A reason outlives the request that made it (a worker stores it; the author reads it later, in
either language), so it is stored in English and translated when shown, as the site's own
reasons are (gettext_noop message ids). A provider's reason names the service and the parts
its answer gave (a status, a format, the provider's own explanation): it is made from one of
the formats below, and `reason_shown` finds the format a stored reason was made from and fills
the translated one with the same parts. A reason made from none is shown as it is.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

NOT_CONFIGURED = gettext_noop(
    "%(service)s is not configured (WORKERS_AI_ACCOUNT_ID and WORKERS_AI_API_TOKEN)."
)
TIMED_OUT = gettext_noop("%(service)s did not answer in time. Try again later.")
UNREACHABLE = gettext_noop("%(service)s could not be reached. Try again later.")
BUSY = gettext_noop("%(service)s is busy (too many requests). Try again in a few minutes.")
SERVER_ERROR = gettext_noop("%(service)s had an error (HTTP %(status)s). Try again later.")
QUOTA_USED_UP = gettext_noop("%(service)s refused: the account's quota is used up (HTTP 429).")
BAD_CREDENTIALS = gettext_noop("%(service)s refused the credentials (HTTP %(status)s).")
UNKNOWN_MODEL = gettext_noop("%(service)s does not know this model (HTTP 404).")
REJECTED = gettext_noop("%(service)s rejected the request (HTTP %(status)s).")
COULD_NOT_MAKE = gettext_noop("%(service)s could not make the image.")
ANSWER_TOO_LARGE = gettext_noop("%(service)s sent an answer larger than this site accepts.")
ANSWER_UNREADABLE = gettext_noop("%(service)s sent an answer that could not be read.")
NO_IMAGE_DATA = gettext_noop("%(service)s sent an answer without image data.")
PICTURE_TOO_LARGE = gettext_noop(
    "%(service)s returned a picture of %(width)s × %(height)s pixels larger than this site "
    "accepts (at most %(max)s megapixels)."
)
PICTURE_TOO_LARGE_UNSIZED = gettext_noop(
    "%(service)s returned a picture larger than this site accepts (at most %(max)s megapixels)."
)
NOT_AN_IMAGE = gettext_noop("%(service)s returned something that is not an image.")
UNSUPPORTED_FORMAT = gettext_noop(
    "%(service)s returned an image in an unsupported format (%(format)s)."
)

# Formats after which the provider's own explanation may follow (in its words, untranslated).
_WITH_DETAIL = (QUOTA_USED_UP, BAD_CREDENTIALS, UNKNOWN_MODEL, REJECTED, COULD_NOT_MAKE)
FORMATS = (
    NOT_CONFIGURED,
    TIMED_OUT,
    UNREACHABLE,
    BUSY,
    SERVER_ERROR,
    *_WITH_DETAIL,
    ANSWER_TOO_LARGE,
    ANSWER_UNREADABLE,
    NO_IMAGE_DATA,
    PICTURE_TOO_LARGE,
    PICTURE_TOO_LARGE_UNSIZED,
    NOT_AN_IMAGE,
    UNSUPPORTED_FORMAT,
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def reason(fmt: str, *, detail: str = "", **parts: object) -> str:
    """A reason to store (English): `fmt` filled in, then the provider's `detail`, if any."""
    return f"{fmt % parts} {detail}".strip()


def _pattern(fmt: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(fmt)  # literal, name, literal, name, …, literal
    regex = "".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)" for i, piece in enumerate(pieces)
    )
    if fmt in _WITH_DETAIL:
        regex += r"(?: (?P<detail>.+))?"
    return re.compile(regex, flags=re.S)


_PATTERNS = [(fmt, _pattern(fmt)) for fmt in FORMATS]


def reason_shown(stored: str) -> str:
    """A stored reason in the active language: a message id translated, a provider's reason
    made again from its translated format."""
    if not stored:
        return ""  # gettext("") would answer the catalog's header
    translated = gettext(stored)
    if translated != stored:
        return translated
    for fmt, pattern in _PATTERNS:
        match = pattern.fullmatch(stored)
        if match is None:
            continue
        parts = match.groupdict()
        detail = parts.pop("detail", None) or ""
        parts["service"] = gettext(parts["service"])  # the providers' SERVICE, a message id
        return reason(gettext(fmt), detail=detail, **parts)
    return stored
