"""The statements a reaction runs, built once per database connection.

A like is four statements: lock the artwork's row, add (or remove) the member's row, count the
rows, store the counts. Through the ORM, building and compiling those queries cost more than
running them (about a third of a like's time in the process), so the SQL is built once per
connection from the models' metadata and the ORM's own compiler, and run with each reaction's
values. What the ORM would do with the values is kept: the lock query is the ORM's compiled
query (its row lock, join and column converters), values are prepared by the fields
themselves, and the artwork comes back as a model instance (with only the fields a reaction
reads; the others load on access, as with `.only()`).

On PostgreSQL the transaction commits without waiting for its log to reach the disk unless
settings.REACTIONS_SYNCHRONOUS_COMMIT (aicommunity/settings/database.py says what that risks).

An added row is `INSERT … ON CONFLICT DO NOTHING` (the backend's own spelling): a duplicate
changes nothing and needs no savepoint; the row count says whether the row was new.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, router
from django.db.models.constants import OnConflict
from django.utils import timezone

from accounts.models import User
from common.querysets import CompiledRead

from ..models import Artwork, Favorite, Like

# What a reaction reads and its answers show (counts, state, the page's address): the row's
# large fields (prompt, placeholder, thumbnails) cost more to load than the write.
_ARTWORK_FIELDS = (
    "id",
    "user_id",
    "status",
    "moderation",
    "title",
    "slug",
    "like_count",
    "favorite_count",
    "hot_score",
    "published_at",
)
_SENTINEL = -7_302_911  # the compiled query's placeholder value, found again in its params


class ReactionRows:
    """One database connection's reaction statements for one kind of reaction row."""

    def __init__(self, model: type[Like] | type[Favorite], alias: str) -> None:
        self.alias = alias
        self.connection = connections[alias]
        ops = self.connection.ops
        quote = ops.quote_name
        table, artwork_table = quote(model._meta.db_table), quote(Artwork._meta.db_table)
        user_col = quote(model._meta.get_field("user").column)
        artwork_col = quote(model._meta.get_field("artwork").column)
        created = model._meta.get_field("created_at")
        self.created_field = created
        columns = ", ".join((user_col, artwork_col, quote(created.column)))
        fields = [model._meta.get_field(n) for n in ("user", "artwork", "created_at")]
        suffix = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
        self.insert_sql = (
            f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({columns}) "
            f"VALUES (%s, %s, %s) {suffix}"
        ).strip()
        # Names quoted from the models' metadata; every value is a parameter.
        self.delete_sql = f"DELETE FROM {table} WHERE {user_col} = %s AND {artwork_col} = %s"  # noqa: S608
        self.count_sql = f"SELECT COUNT(*) FROM {table} WHERE {artwork_col} = %s"  # noqa: S608
        counts = ", ".join(
            f"{quote(Artwork._meta.get_field(n).column)} = %s"
            for n in ("like_count", "favorite_count", "hot_score")
        )
        pk = quote(Artwork._meta.pk.column)
        self.update_sql = f"UPDATE {artwork_table} SET {counts} WHERE {pk} = %s"  # noqa: S608
        self._lock: CompiledRead | None = None
        self._lock_attnames = [
            f.attname for f in Artwork._meta.concrete_fields if f.attname in _ARTWORK_FIELDS
        ]
        self.postgresql = self.connection.vendor == "postgresql"

    def lock(self, artwork_id: int) -> Artwork:
        """The artwork's row, locked until the transaction ends (the database's write lock
        on SQLite), with its author's active flag; Artwork.DoesNotExist when there is none."""
        lock = self._lock or self._compile_lock()
        with self.connection.cursor() as cursor:
            if self.postgresql and not settings.REACTIONS_SYNCHRONOUS_COMMIT:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")  # this transaction's own
            cursor.execute(lock.sql, [int(artwork_id)])
            row = cursor.fetchone()
        if row is None:
            raise Artwork.DoesNotExist("Artwork matching query does not exist.")
        row = lock.convert(row)
        artwork = Artwork.from_db(self.alias, self._lock_attnames, row[:-1])
        # The author as far as the visibility rule reads them; anything else loads on access.
        artwork.user = User.from_db(self.alias, ["id", "is_active"], (artwork.user_id, row[-1]))
        return artwork

    def _compile_lock(self) -> CompiledRead:
        # Compiled inside the first reaction's transaction: the ORM refuses a row lock outside.
        # of=("self",): lock the artwork only. Locking the joined author row too would make
        # every reaction to any of an author's artworks wait on one row (and block the
        # author's own account writes, such as a sign-in).
        rows = (
            Artwork.objects.using(self.alias)
            .select_for_update(of=("self",))
            .filter(pk=_SENTINEL)
            .values_list(*self._lock_attnames, "user__is_active")
        )
        self._lock = CompiledRead.of(rows, self.alias)
        if list(self._lock.params) != [_SENTINEL]:  # pragma: no cover - a Django upgrade
            raise RuntimeError(f"unexpected parameters in the reaction lock: {self._lock.params}")
        return self._lock

    def add(self, *, user_id: int, artwork_id: int) -> bool:
        created = self.created_field.get_db_prep_save(timezone.now(), self.connection)
        return self._run(self.insert_sql, [user_id, artwork_id, created]) > 0

    def remove(self, *, user_id: int, artwork_id: int) -> bool:
        return self._run(self.delete_sql, [user_id, artwork_id]) > 0

    def count(self, *, artwork_id: int) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(self.count_sql, [artwork_id])
            return cursor.fetchone()[0]

    def store_counts(self, artwork: Artwork) -> None:
        self._run(
            self.update_sql,
            [artwork.like_count, artwork.favorite_count, artwork.hot_score, artwork.pk],
        )

    def _run(self, sql: str, params: list) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount


# Per connection object (one per thread and database, kept for the process's life, as
# accounts.models keeps the member lookup) and kind of row.
_BY_CONNECTION: dict = {}


def reaction_rows(model: type[Like] | type[Favorite]) -> ReactionRows:
    alias = router.db_for_write(model)
    connection = connections[alias]
    per_model = _BY_CONNECTION.get(connection)
    if per_model is None:
        per_model = _BY_CONNECTION[connection] = {}
    rows = per_model.get(model)
    if rows is None:
        rows = per_model[model] = ReactionRows(model, alias)
    return rows
