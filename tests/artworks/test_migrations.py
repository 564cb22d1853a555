"""Data migrations of artworks, run on rows as they were before the change they follow."""

import importlib

import pytest
from django.apps import apps

from artworks.models import Artwork
from artworks.services._base import text_clean, title_clean
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


def test_titles_written_before_the_title_rule_follow_it():
    """Bidi controls leave a title; one of invisible characters alone gets the default title
    (never the words of a hidden prompt). Other titles are not written."""
    migration = importlib.import_module("artworks.migrations.0011_visible_titles")
    samples = ["\u202egnp.exe\u202c", "\u200b\u2060", " 星空 👩\u200d👩\u200d👧 e\u0301 ", "a\x01b"]
    for sample in samples:
        assert migration.title_clean(sample) == title_clean(sample)
    reversed_ = ArtworkFactory(title="\u202egnp.exe\u202c by \u2067someone\u2069")
    invisible = ArtworkFactory(title="\u200b\ufeff", prompt="\u200b a kite")
    hidden = ArtworkFactory(title="\u200b", prompt="my secret", prompt_hidden=True)
    kept = ArtworkFactory(title="星空 👩\u200d👩\u200d👧 café\u0301")
    before = Artwork.objects.get(pk=kept.pk).updated_at
    migration.visible_titles(apps, None)
    assert Artwork.objects.get(pk=reversed_.pk).title == "gnp.exe by someone"
    assert Artwork.objects.get(pk=invisible.pk).title == "a kite"
    assert Artwork.objects.get(pk=hidden.pk).title == "Untitled"
    kept_row = Artwork.objects.get(pk=kept.pk)
    assert (kept_row.title, kept_row.updated_at) == ("星空 👩\u200d👩\u200d👧 café\u0301", before)


def test_a_blank_title_left_by_control_characters_keeps_a_hidden_prompt_private():
    migration = importlib.import_module("artworks.migrations.0010_strip_control_characters")
    hidden = ArtworkFactory(title="\x01", prompt="my secret", prompt_hidden=True)
    migration.strip_control_characters(apps, None)
    assert Artwork.objects.get(pk=hidden.pk).title == "Untitled"
