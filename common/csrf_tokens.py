"""A member's CSRF token for a page kept in the page cache: masked exactly as Django masks it
(`django.middleware.csrf`), drawn for less.

Every answer from a member's kept copy carries a fresh masked token (the mask is what keeps
the secret out of reach of compression side channels such as BREACH). Django draws its
32-character mask one character at a time, each from the system's random source, and finds
each character's place by scanning the alphabet: a tenth of a cached signed-in page's time.
Here the mask's characters come from one 32-byte read (a 256-bit number written in base 62:
every character uniform but for a bias below 2⁻⁶⁵) and places from a table. The token is the
mask followed by the secret shifted by the mask, which Django's own check unmasks
(tests/common/test_csrf_tokens.py holds the two together). A request without a secret yet (a
browser's first page, or a client that keeps no cookies) gets a new one drawn the same way,
and set as Django sets it (the CSRF cookie goes out with the answer).
"""

from __future__ import annotations

import os

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_BASE = len(CSRF_ALLOWED_CHARS)
_PLACE = {char: place for place, char in enumerate(CSRF_ALLOWED_CHARS)}


def _draw() -> list[int]:
    """CSRF_SECRET_LENGTH places in the alphabet, uniform, from one read of the random source."""
    number = int.from_bytes(os.urandom(32), "big")
    places = []
    for _ in range(CSRF_SECRET_LENGTH):
        number, place = divmod(number, _BASE)
        places.append(place)
    return places


def masked_csrf_token(request: HttpRequest) -> str:
    """What `get_token(request)` returns, with the same side effects: the CSRF cookie is sent
    again (renewing its expiry), and a request without a usable secret is given a new one."""
    secret = request.META.get("CSRF_COOKIE")
    if (
        not isinstance(secret, str)
        or len(secret) != CSRF_SECRET_LENGTH
        or not all(char in _PLACE for char in secret)
    ):
        secret = "".join(CSRF_ALLOWED_CHARS[place] for place in _draw())
        request.META["CSRF_COOKIE"] = secret  # as Django's _add_new_csrf_cookie
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _draw()
    return "".join(CSRF_ALLOWED_CHARS[place] for place in mask) + "".join(
        CSRF_ALLOWED_CHARS[(_PLACE[char] + place) % _BASE]
        for char, place in zip(secret, mask, strict=True)
    )
