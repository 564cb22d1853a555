"""Display names written before control characters and bidi embeddings, overrides and isolates
were left out of them (they can turn the "(@username)" shown beside a name around, and a
control character is invalid in every page and feed that shows the name). Apply today's rule
to them; a name of nothing else becomes blank, and the username stands in for it, as for any
member without a display name."""

import re

from django.db import migrations

# The same rule as common.text.title_clean (which accounts.services.display_name_clean
# applies), frozen here.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2066\u2067\u2068\u2069\u3164"
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + _INVISIBLE
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def name_clean(name: str) -> str:
    return _BIDI_CONTROLS.sub("", _CONTROL_CHARACTERS.sub("", name or "")).strip(_BLANK)


def clean_display_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(name="").only("id", "name").order_by("pk").iterator(chunk_size=2000):
        name = name_clean(user.name)
        if name != user.name:
            user.name = name
            user.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_profile_pic_index")]

    operations = [migrations.RunPython(clean_display_names, migrations.RunPython.noop)]
