"""Artworks whose prompt was hidden after the fact (staff could tick the box in the admin)
kept the default title made from the prompt, its slug, and an alt text repeating it. Give
them the neutral title that `artwork_edit` now gives when a prompt is hidden; the old slug
redirects to the new one (a wrong slug always answers 301)."""

from django.db import migrations
from django.utils.text import slugify

NEUTRAL_TITLE = "Untitled"


def _derived(text: str, prompt: str) -> bool:
    # The same rule as artworks.services._base.derived_from_prompt, frozen here.
    text, prompt = (text or "").strip(), (prompt or "").strip()
    return bool(text and prompt) and text in (prompt, prompt[:80].strip())


def neutralise(apps, schema_editor):
    Artwork = apps.get_model("artworks", "Artwork")
    hidden = Artwork.objects.filter(prompt_hidden=True).exclude(prompt="")
    for artwork in hidden.only("id", "title", "slug", "alt_text", "prompt").iterator():
        fields = []
        if _derived(artwork.title, artwork.prompt):
            artwork.title = NEUTRAL_TITLE
            artwork.slug = slugify(NEUTRAL_TITLE, allow_unicode=True)
            fields += ["title", "slug"]
        if _derived(artwork.alt_text, artwork.prompt):
            artwork.alt_text = ""
            fields.append("alt_text")
        if fields:
            artwork.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("artworks", "0003_featured_at_and_moderate_permission")]

    operations = [migrations.RunPython(neutralise, migrations.RunPython.noop)]
