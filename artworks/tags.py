"""Tag names: one spelling per subject. A name is Unicode NFKC (full-width letters become
plain ones), case-folded, with runs of spaces turned into one `-`, a leading `#` dropped and
invisible format characters (a zero-width space, a soft hyphen pasted with the word) left
out; Chinese and other scripts are kept as they are. Letters, digits, marks, `-`, `_` and `.` are
allowed; anything else is refused with the reason, as are an empty name, `.` and `..` (a
tag's page would be a dot segment, /tag/.., which browsers resolve to another address), a name
over TAG_MAX_LENGTH characters and more than TAGS_PER_ARTWORK tags."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import TAG_MAX_LENGTH, TAGS_PER_ARTWORK

# Between tags in a typed list: commas (Latin, full-width, ideographic) and the enumeration
# comma; spaces belong to a tag.
_SEPARATORS = re.compile(r"[,，、;；\n]+")
_SPACES = re.compile(r"\s+")
_PUNCTUATION_ALLOWED = frozenset("-_.")
_DOT_SEGMENTS = frozenset({".", ".."})


def _allowed(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM" or char in _PUNCTUATION_ALLOWED


def tag_normalise(text: str) -> str:
    """The tag name for what was typed ("" when nothing is left). Does not refuse anything:
    `tag_clean` does."""
    text = "".join(char for char in text or "" if unicodedata.category(char) != "Cf")
    name = unicodedata.normalize("NFKC", text).casefold().strip().lstrip("#").strip()
    return _SPACES.sub("-", name)


def tag_clean(text: str) -> str:
    """The normalised name, or ValidationError with the reason."""
    name = tag_normalise(text)
    if not name:
        raise ValidationError(_("A tag cannot be empty."))
    if name in _DOT_SEGMENTS:
        raise ValidationError(_("A tag cannot be “.” or “..” alone."))
    if len(name) > TAG_MAX_LENGTH:
        raise ValidationError(
            _("The tag “%(tag)s…” is too long: at most %(max)d characters.")
            % {"tag": name[:20], "max": TAG_MAX_LENGTH}
        )
    bad = sorted({char for char in name if not _allowed(char)})
    if bad:
        raise ValidationError(
            _("The tag “%(tag)s” has characters a tag cannot have: %(chars)s")
            % {"tag": name, "chars": " ".join(bad)}
        )
    return name


def tags_clean(values: Iterable[str]) -> list[str]:
    """Clean names, in the order given, each once; ValidationError (every reason) when one is
    bad or when there are more than TAGS_PER_ARTWORK."""
    names: list[str] = []
    errors: list[str] = []
    for value in values:
        try:
            name = tag_clean(value)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if name not in names:
            names.append(name)
    if len(names) > TAGS_PER_ARTWORK:
        errors.append(
            _("At most %(max)d tags per artwork (%(count)d given).")
            % {"max": TAGS_PER_ARTWORK, "count": len(names)}
        )
    if errors:
        raise ValidationError(errors)
    return names


def tags_split(text: str) -> list[str]:
    """The tags typed in one field, separated by commas; empty pieces are skipped."""
    return [piece for piece in _SEPARATORS.split(text or "") if piece.strip()]
