"""Members' names are matched as they are written, not as English prose: on PostgreSQL the
members' vector uses the `simple` configuration (lower case, no stemming, no stop words).
With `english`, a name that is also a stop word ("Will", "Don", "Can") was left out of the
vector, and such a member could not be found. SQLite's FTS5 drops no words: nothing to do."""

from django.db import migrations


def _vector(config: str) -> list[str]:
    return [
        "ALTER TABLE search_members DROP COLUMN vector",
        f"""
        ALTER TABLE search_members ADD COLUMN vector tsvector GENERATED ALWAYS AS (
            to_tsvector('{config}'::regconfig, names)
        ) STORED
        """,
        "CREATE INDEX search_members_vector_idx ON search_members USING gin (vector)",
    ]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("feed", "0002_search_indexes")]

    operations = [migrations.RunPython(_run(_vector("simple")), _run(_vector("english")))]
