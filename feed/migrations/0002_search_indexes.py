"""The full-text indexes of the search documents, in the database's own kind, and the
documents of what exists already.

PostgreSQL: generated tsvector columns on each document table (English configuration:
stemming and stop words), each with a GIN index; for artworks one per relevance tier (title;
title and tags; all). The columns are the database's, not the model's: PostgreSQL alone
writes them.

SQLite: an FTS5 table per document table (external content: it stores only the index), with
the porter stemmer, kept in step with its table by triggers, so every write of a document —
the services', a bulk insert's — reaches the index in the same statement. (A later migration
that makes Django rebuild a document table drops these triggers: recreate them there.)
"""

from django.db import migrations

PG_SQL = [
    # One vector per relevance tier (feed.search): the title; title and tags; everything. Each
    # has its own statistics, so the planner knows how rare a word is in titles alone.
    """
    ALTER TABLE search_artworks
        ADD COLUMN vector_title tsvector GENERATED ALWAYS AS (
            to_tsvector('english'::regconfig, title)
        ) STORED,
        ADD COLUMN vector_head tsvector GENERATED ALWAYS AS (
            to_tsvector('english'::regconfig, title || ' ' || tags)
        ) STORED,
        ADD COLUMN vector tsvector GENERATED ALWAYS AS (
            to_tsvector('english'::regconfig, title || ' ' || tags || ' ' || body)
        ) STORED
    """,
    "CREATE INDEX search_artworks_title_idx ON search_artworks USING gin (vector_title)",
    "CREATE INDEX search_artworks_head_idx ON search_artworks USING gin (vector_head)",
    "CREATE INDEX search_artworks_vector_idx ON search_artworks USING gin (vector)",
    """
    ALTER TABLE search_members ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, names)
    ) STORED
    """,
    "CREATE INDEX search_members_vector_idx ON search_members USING gin (vector)",
]
PG_REVERSE = [
    "ALTER TABLE search_artworks DROP COLUMN vector_title, DROP COLUMN vector_head, "
    "DROP COLUMN vector",
    "ALTER TABLE search_members DROP COLUMN vector",
]


def _fts5_sql(table: str, key: str, columns: list[str]) -> list[str]:
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{key}, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{key}, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
        f"content_rowid='{key}', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    ]


SQLITE_SQL = [
    *_fts5_sql("search_artworks", "artwork_id", ["title", "tags", "body"]),
    *_fts5_sql("search_members", "user_id", ["names"]),
]
SQLITE_REVERSE = [
    f"DROP {kind} IF EXISTS {name}"
    for table in ("search_artworks", "search_members")
    for kind, name in (
        ("TRIGGER", f"{table}_ai"),
        ("TRIGGER", f"{table}_ad"),
        ("TRIGGER", f"{table}_au"),
        ("TABLE", f"{table}_fts"),
    )
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def _documents(apps, schema_editor):
    from feed.search_text import index_text

    Artwork = apps.get_model("artworks", "Artwork")
    ArtworkSearch = apps.get_model("feed", "ArtworkSearch")
    User = apps.get_model("accounts", "User")
    MemberSearch = apps.get_model("feed", "MemberSearch")
    for artwork in Artwork.objects.iterator(chunk_size=1000):
        visible_prompt = "" if artwork.prompt_hidden else artwork.prompt
        ArtworkSearch.objects.update_or_create(
            artwork_id=artwork.pk,
            defaults={
                "title": index_text(artwork.title),
                "tags": index_text(" ".join(artwork.tag_names or [])),
                "body": index_text(f"{artwork.description}\n{visible_prompt}"),
                "prompt_included": bool(visible_prompt),
            },
        )
    for user in User.objects.iterator(chunk_size=1000):
        MemberSearch.objects.update_or_create(
            user_id=user.pk, defaults={"names": index_text(f"{user.username} {user.name}")}
        )


class Migration(migrations.Migration):
    dependencies = [("feed", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_SQL, "sqlite": SQLITE_SQL}),
            _run({"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.RunPython(_documents, migrations.RunPython.noop),
    ]
