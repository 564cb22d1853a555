"""Data migrations of artworks, run on rows as they were before the change they follow."""

import importlib

import pytest
from django.apps import apps

from artworks.models import Artwork
from artworks.services._base import text_clean
from tests.factories import ArtworkFactory

pytestmark = pytest.mark.django_db


def test_control_characters_written_before_the_fix_are_left_out():
    """Rows written before text_clean may hold control characters; the data migration leaves
    them out by the same rule (tab and line breaks stay), and touches nothing else."""
    migration = importlib.import_module("artworks.migrations.0010_strip_control_characters")
    every_character = "".join(map(chr, range(0x100)))
    assert migration.text_clean(every_character) == text_clean(every_character)
    dirty = ArtworkFactory(
        title="Bell\x07",
        description="a\tb\nc\x08\r\n",
        alt_text="a\x0bb",
        prompt="a boat\x01 at\x1b dawn",
        negative_prompt="fog\x7f",
    )
    blank = ArtworkFactory(title="\x01\x02", prompt="\x1bharbour", slug="artwork")
    clean = ArtworkFactory(title="星空 下的猫 🐈", description="line\nbreak")
    before = Artwork.objects.get(pk=clean.pk).updated_at
    migration.strip_control_characters(apps, None)
    dirty.refresh_from_db()
    assert (dirty.title, dirty.description, dirty.alt_text) == ("Bell", "a\tb\nc\r\n", "ab")
    assert (dirty.prompt, dirty.negative_prompt) == ("a boat at dawn", "fog")
    blank.refresh_from_db()
    assert (blank.title, blank.prompt) == ("harbour", "harbour")
    clean.refresh_from_db()
    assert (clean.title, clean.description) == ("星空 下的猫 🐈", "line\nbreak")
    assert clean.updated_at == before


def test_the_control_character_migration_unapplies_as_a_no_op():
    migration = importlib.import_module("artworks.migrations.0010_strip_control_characters")
    (operation,) = migration.Migration.operations
    assert operation.reversible
