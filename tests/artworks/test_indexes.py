"""The artworks' and reactions' indexes: none that another index covers or that nothing reads
(each is one more entry to write on every like), and every lookup by author or member still
served by one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from artworks.models import Artwork, Favorite, Like

pytestmark = pytest.mark.django_db(transaction=True)

# Dropped by artworks 0009: an index of their own for these columns.
_DROPPED = {
    Artwork: {"artworks_slug_754c6a11", "artworks_slug_754c6a11_like", "artworks_user_id_6101e97a"},
    Like: {"artworks_like_user_id_b326bb77"},
    Favorite: {"artworks_favorite_user_id_0481d9b5"},
}


def _indexes(model: type) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: info["columns"] for name, info in found.items() if info["index"]}


@pytest.mark.parametrize("model", [Artwork, Like, Favorite], ids=lambda m: m.__name__)
def test_no_index_of_its_own_for_the_author_member_or_slug(model):
    indexes = _indexes(model)
    assert not _DROPPED[model] & set(indexes)
    # Nothing is indexed on the slug; lookups by author or member start an index.
    assert not any(columns[:1] == ["slug"] for columns in indexes.values())
    leading_user = [name for name, columns in indexes.items() if columns[:1] == ["user_id"]]
    assert leading_user, indexes
    assert not any(columns == ["user_id"] for columns in indexes.values())


def test_every_other_index_is_still_there():
    assert {"artworks_feed_hot_idx", "artworks_feed_new_idx", "artworks_user_created_idx"} <= set(
        _indexes(Artwork)
    )
    assert {"artworks_like_user_idx", "artworks_like_artwork_id_b06589a4"} <= set(_indexes(Like))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_lookups_by_author_and_member_use_an_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in (
            "SELECT id FROM artworks WHERE user_id = 1",
            "SELECT id FROM artworks_like WHERE user_id = 1",
            "SELECT id FROM artworks_favorite WHERE user_id = 1",
        ):
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan and "Seq Scan" not in plan, (sql, plan)


def test_the_migration_drops_them_and_unapplied_makes_them_again():
    executor = MigrationExecutor(connection)
    before, after = [("artworks", "0008_trust_fields")], [("artworks", "0009_fewer_indexes")]
    try:
        executor.migrate(before)
        assert _DROPPED[Like] <= set(_indexes(Like))
        assert "artworks_user_id_6101e97a" in _indexes(Artwork)
        if connection.vendor == "postgresql":
            assert "artworks_slug_754c6a11_like" in _indexes(Artwork)
        executor.loader.build_graph()
        executor.migrate(after)
        assert not _DROPPED[Like] & set(_indexes(Like))
        assert not _DROPPED[Artwork] & set(_indexes(Artwork))
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
