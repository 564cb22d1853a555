"""Rows written before control characters were left out of what a member types (an artwork's
title, description, alt text and prompts) may still hold them: invisible, and invalid in every
page, feed and file that shows them. Leave them out here too. A title of nothing else becomes
the default one (the start of the prompt unless it is hidden, else "Untitled"), as on
creation; slugs stay (they never held control characters)."""

import re

from django.db import migrations

# The same rule as common.text.text_clean, frozen here.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TYPED_TEXTS = ("title", "description", "alt_text", "prompt", "negative_prompt")
UNTITLED = "Untitled"


def text_clean(text: str) -> str:
    return _CONTROL_CHARACTERS.sub("", text or "")


def _clean(artwork) -> list[str]:
    fields = []
    for field in TYPED_TEXTS:
        text = getattr(artwork, field)
        cleaned = text_clean(text)
        if cleaned != text:
            setattr(artwork, field, cleaned)
            fields.append(field)
    if "title" in fields and not artwork.title.strip():
        # A hidden prompt stays private: its words make no title.
        default = "" if artwork.prompt_hidden else artwork.prompt.strip()[:80].strip()
        artwork.title = default or UNTITLED
    return fields


def strip_control_characters(apps, schema_editor):
    Artwork = apps.get_model("artworks", "Artwork")
    rows = Artwork.objects.only("id", "prompt_hidden", *TYPED_TEXTS).order_by("pk")
    for artwork in rows.iterator(chunk_size=2000):
        fields = _clean(artwork)
        if fields:
            artwork.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("artworks", "0009_fewer_indexes")]

    operations = [migrations.RunPython(strip_control_characters, migrations.RunPython.noop)]
