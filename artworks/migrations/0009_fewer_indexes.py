"""Indexes nothing reads: the artwork's slug (never looked up: the id finds the artwork), and
the single-column indexes on the author of an artwork and the member of a like or favorite
(every lookup by them is served by an index that starts with them). Each was one more entry
written on every change of its row: a like wrote two of them.

Only the indexes are dropped (and made again when unapplied): altering the fields through
Django's own operation would also drop and re-add their foreign keys, which checks every row
of the table again under a lock."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (model, field, the index Django made for it): the names are the same on every backend.
_INDEXES = (
    ("artwork", "slug", "artworks_slug_754c6a11"),
    ("artwork", "user", "artworks_user_id_6101e97a"),
    ("favorite", "user", "artworks_favorite_user_id_0481d9b5"),
    ("like", "user", "artworks_like_user_id_b326bb77"),
)


def _drop(apps, schema_editor):
    quote = schema_editor.quote_name
    for _model, field, name in _INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
        if field == "slug":  # PostgreSQL's second index for LIKE lookups on a varchar
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name + '_like')}")


def _restore(apps, schema_editor):
    for model_name, field_name, name in _INDEXES:
        model = apps.get_model("artworks", model_name)
        field = model._meta.get_field(field_name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field], name=name))
        like_index = getattr(schema_editor, "_create_like_index_sql", None)
        if field_name == "slug" and like_index is not None:
            statement = like_index(model, field)
            if statement is not None:
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("artworks", "0008_trust_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_drop, _restore)],
            state_operations=[
                migrations.AlterField(
                    model_name="artwork",
                    name="slug",
                    field=models.SlugField(
                        allow_unicode=True,
                        blank=True,
                        db_index=False,
                        max_length=220,
                        verbose_name="slug",
                    ),
                ),
                migrations.AlterField(
                    model_name="artwork",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="artworks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                *(
                    migrations.AlterField(
                        model_name=reaction,
                        name="user",
                        field=models.ForeignKey(
                            db_index=False,
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="%(class)ss",
                            to=settings.AUTH_USER_MODEL,
                        ),
                    )
                    for reaction in ("favorite", "like")
                ),
            ],
        ),
    ]
