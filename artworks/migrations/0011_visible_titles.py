"""Titles written before bidi embeddings, overrides and isolates were left out of them (they
can make a title, and the author's name beside it, read in another order), or before a title
of invisible characters alone counted as blank. Apply today's rule to them: a title of nothing
else becomes the default one (the start of the prompt unless it is hidden, else "Untitled"),
as on creation; slugs stay (they never held these characters)."""

import re

from django.db import migrations

# The same rules as common.text.title_clean and artworks.services._base.artwork_default_title, frozen here.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2066\u2067\u2068\u2069\u3164"
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + _INVISIBLE
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
UNTITLED = "Untitled"


def title_clean(title: str) -> str:
    return _BIDI_CONTROLS.sub("", _CONTROL_CHARACTERS.sub("", title or "")).strip(_BLANK)


def visible_titles(apps, schema_editor):
    Artwork = apps.get_model("artworks", "Artwork")
    rows = Artwork.objects.only("id", "title", "prompt", "prompt_hidden").order_by("pk")
    for artwork in rows.iterator(chunk_size=2000):
        title = title_clean(artwork.title)
        if not title:
            default = "" if artwork.prompt_hidden else title_clean(title_clean(artwork.prompt)[:80])
            title = default or UNTITLED
        if title != artwork.title:
            artwork.title = title
            artwork.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [("artworks", "0010_strip_control_characters")]

    operations = [migrations.RunPython(visible_titles, migrations.RunPython.noop)]
