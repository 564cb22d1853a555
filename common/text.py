"""What members type, made fit to show: no control characters (invisible, invalid in HTML and
XML), and where a text stands beside another (a title, a display name) no bidi embeddings,
overrides or isolates. Shared by artworks' texts and members' display names."""

from __future__ import annotations

import re

# Control characters (tab and line breaks aside): invisible, invalid in HTML and XML.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Characters that show nothing: zero-width space, non-joiner and joiner, the bidi marks, word
# joiner, byte order mark, Arabic letter mark, the bidi embeddings, overrides and isolates,
# Hangul filler. With whitespace, what a text of nothing else is made of: a blank one.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2066\u2067\u2068\u2069\u3164"
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + _INVISIBLE
# Bidi embeddings, overrides and isolates: in a title they can make it, and the author's name
# beside it, read in another order.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text_clean(text: str) -> str:
    """`text` without control characters, which no page, feed or file can show."""
    return _CONTROL_CHARACTERS.sub("", text or "")


def text_strip(text: str) -> str:
    """`text_clean(text)` without whitespace or invisible characters at either end: blank
    when it has nothing else (a zero-width joiner inside an emoji sequence stays). What an
    artwork's texts are stored as: a blank alt text lets the title describe the picture."""
    return text_clean(text).strip(_BLANK)


def title_clean(title: str) -> str:
    """`text_strip(title)`, also without bidi embeddings, overrides and isolates."""
    return text_strip(_BIDI_CONTROLS.sub("", text_clean(title)))
