"""The search documents (feed.search): one row per artwork and per member, with the text that
search matches, written by feed.services.search_index after every announced change.

The full-text index beside them is the database's own and is made by the migration, not
declared here: on PostgreSQL a generated `vector` column (English stemming, weighted by
field) with a GIN index; on SQLite an FTS5 table per document table (porter stemming), kept
in step by triggers. See feed/migrations/0001_initial.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from artworks.models import Artwork


class ArtworkSearch(models.Model):
    """What search may match in an artwork: title, tags, description and its prompt when the
    prompt is public. A hidden prompt is never written here; `prompt_included` records whether
    this row carries the prompt, so that a row written before the prompt was hidden is left
    out of results until it is written again."""

    artwork = models.OneToOneField(
        Artwork, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    prompt_included = models.BooleanField(default=False)

    class Meta:
        db_table = "search_artworks"

    def __str__(self) -> str:
        return f"search document of artwork {self.artwork_id}"


class MemberSearch(models.Model):
    """What search may match in a member: their username and display name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    names = models.TextField(blank=True)

    class Meta:
        db_table = "search_members"

    def __str__(self) -> str:
        return f"search document of member {self.user_id}"
