"""The statements a reaction runs, built once per database connection.

A reaction adds (or removes) the member's row and moves the artwork's counter by one with it,
storing the hot score the new count leads to. The count moves only with a row that was
really added or removed, in the same transaction, so it stays exact under any concurrency.

- On PostgreSQL that is one statement, in one round trip: the artwork read through the
  visibility rule (`artworks_listed`, compiled by the ORM), the row added or removed for it,
  and the counter and score updated for a row that changed, returning the artwork and its
  new counts. PostgreSQL re-reads a row changed concurrently before updating it, so
  concurrent reactions to one artwork never lose a count. The statement is prepared once
  per connection (planning it cost as much as running it). Unless
  settings.REACTIONS_SYNCHRONOUS_COMMIT, or the caller has a transaction open, it commits
  without waiting for its log to reach the disk (aicommunity/settings/database.py says what
  that risks).
- Elsewhere (SQLite), a transaction: lock the artwork's row (the database's write lock),
  check the visibility rule, add or remove the row, store the counts.

Through the ORM, building and compiling those queries cost more than running them (about a
third of a like's time in the process), so the SQL is built once per connection from the
models' metadata and the ORM's own compiler, and run with each reaction's values. What the
ORM would do with the values is kept: the artwork is read by the ORM's compiled query (its
row lock, join and column converters), values are prepared by the fields themselves, and the
artwork comes back as a model instance (with only the fields a reaction reads; the others
load on access, as with `.only()`).

An added row is `INSERT … ON CONFLICT DO NOTHING` (the backend's own spelling): a duplicate
changes nothing and needs no savepoint.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import DEFERRED
from django.db.models.constants import OnConflict
from django.utils import timezone

from accounts.models import User
from common.querysets import CompiledRead, built_for_connection

from ..models import Artwork, Favorite, Like
from ..ranking import hot_score, hot_score_sql, hot_score_sql_params
from ..selectors import ALL_RATINGS, artwork_is_visible_to, artworks_listed

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
    "rating",
)
_COUNTS = ("like_count", "favorite_count", "hot_score")
_SENTINEL = -7_302_911  # the compiled query's placeholder value, found again in its params
_COUNTER = {Like: "like_count", Favorite: "favorite_count"}


def _positions(model: type, attnames: list[str]) -> tuple[int, list[int]]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return len(fields), [fields.index(name) for name in attnames]


def _every_field(positions: tuple[int, list[int]], values: tuple) -> list:
    """`values` (of the fields at `positions`) as a row of every concrete field, the others
    deferred: Model.from_db then takes the row as it is, rather than matching each field's
    name against the names read (a few per cent of a like's time in the process)."""
    size, at = positions
    row = [DEFERRED] * size
    for position, value in zip(at, values, strict=True):
        row[position] = value
    return row


_READ_ATTNAMES = [f.attname for f in Artwork._meta.concrete_fields if f.attname in _ARTWORK_FIELDS]
_ARTWORK_AT = _positions(Artwork, _READ_ATTNAMES)
_AUTHOR_AT = _positions(User, ["id", "is_active"])


class ReactionRows:
    """One database connection's reaction statements for one kind of reaction row."""

    def __init__(self, model: type[Like] | type[Favorite], alias: str) -> None:
        self.alias = alias
        self.counter = _COUNTER[model]
        self.connection = connections[alias]
        self.postgresql = self.connection.vendor == "postgresql"
        ops = self.connection.ops
        quote = self.quote = ops.quote_name
        self.table, self.artwork_table = quote(model._meta.db_table), quote(Artwork._meta.db_table)
        self.user_col = quote(model._meta.get_field("user").column)
        self.artwork_col = quote(model._meta.get_field("artwork").column)
        self.created_field = created = model._meta.get_field("created_at")
        self.columns = ", ".join((self.user_col, self.artwork_col, quote(created.column)))
        fields = [model._meta.get_field(n) for n in ("user", "artwork", "created_at")]
        self.on_conflict = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
        self.insert = ops.insert_statement(on_conflict=OnConflict.IGNORE)
        self.pk_col = quote(Artwork._meta.pk.column)
        # The ids the column can hold: the ORM checks a lookup against them, these statements
        # must (the database refuses a value past them: SQLite's driver with OverflowError).
        self.id_range = ops.integer_field_range(Artwork._meta.pk.get_internal_type())
        # SQLite's statements (PostgreSQL's one is built on first use, `_build_statement`).
        # Names quoted from the models' metadata; every value is a parameter.
        self.insert_sql = (
            f"{self.insert} {self.table} ({self.columns}) VALUES (%s, %s, %s) {self.on_conflict}"
        ).strip()
        self.delete_sql = (
            f"DELETE FROM {self.table} WHERE {self.user_col} = %s AND {self.artwork_col} = %s"  # noqa: S608
        )
        counts = ", ".join(f"{quote(Artwork._meta.get_field(n).column)} = %s" for n in _COUNTS)
        self.update_sql = f"UPDATE {self.artwork_table} SET {counts} WHERE {self.pk_col} = %s"  # noqa: S608
        # One compiled read per set of ratings the reacting member sees (four at most).
        self._public_reads: dict[frozenset[str], CompiledRead] = {}
        self._read_attnames = _READ_ATTNAMES
        self._lock: CompiledRead | None = None
        self._statements: dict[tuple, tuple[str, CompiledRead, int]] = {}

    def change(
        self, *, user_id: int, artwork_id: int, add: bool, ratings: frozenset[str] = ALL_RATINGS
    ) -> tuple[Artwork, bool]:
        """Add (or remove) `user_id`'s row for a listed artwork of one of `ratings` (those the
        member sees): (the artwork with its counts, whether anything changed).
        Artwork.DoesNotExist when no such artwork has that id."""
        low, high = self.id_range
        if not low <= artwork_id <= high:  # no row, as the ORM answers
            raise Artwork.DoesNotExist("Artwork matching query does not exist.")
        if self.postgresql:
            return self._change_in_one_statement(
                user_id=user_id, artwork_id=artwork_id, add=add, ratings=ratings
            )
        return self._change_in_a_transaction(
            user_id=user_id, artwork_id=artwork_id, add=add, ratings=ratings
        )

    def _artwork(self, row: tuple) -> Artwork:
        """The artwork of a converted row (its author loads on access)."""
        values = _every_field(_ARTWORK_AT, row[: len(self._read_attnames)])
        return Artwork.from_db(self.alias, None, values)

    def _created(self) -> object:
        return self.created_field.get_db_prep_save(timezone.now(), self.connection)

    # --- PostgreSQL: one statement --------------------------------------------------------

    def _change_in_one_statement(
        self, *, user_id: int, artwork_id: int, add: bool, ratings: frozenset[str]
    ) -> tuple[Artwork, bool]:
        # Unless the caller's transaction decides, this statement's own (implicit)
        # transaction commits without waiting for the disk.
        relaxed = not (settings.REACTIONS_SYNCHRONOUS_COMMIT or self.connection.in_atomic_block)
        sql, read, sentinel_at = self._statements.get(
            (add, relaxed, ratings)
        ) or self._build_statement(add=add, relaxed=relaxed, ratings=ratings)
        params = list(read.params)
        params[sentinel_at] = int(artwork_id)
        params += [user_id, self._created()] if add else [user_id]
        params += hot_score_sql_params()
        prepared = getattr(self.connection, "prepared_cursor", self.connection.cursor)
        with prepared() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise Artwork.DoesNotExist("Artwork matching query does not exist.")
        size = len(self._read_attnames) + 1
        # The statement applied the visibility rule: no author needed here.
        artwork = self._artwork(read.convert(row[:size]))
        counts = row[size:]
        changed = counts[0] is not None
        if changed:
            for name, value in zip(_COUNTS, counts, strict=True):
                setattr(artwork, name, value)
        return artwork, changed

    def _build_statement(
        self, *, add: bool, relaxed: bool, ratings: frozenset[str]
    ) -> tuple[str, CompiledRead, int]:
        read = self._public_reads.get(ratings)
        if read is None:  # one compiled read for the four statements of these ratings
            public = artworks_listed().using(self.alias).filter(pk=_SENTINEL)
            if ratings != ALL_RATINGS:
                public = public.filter(rating__in=sorted(ratings))
            read = self._public_reads[ratings] = CompiledRead.of(
                public.values_list(*self._read_attnames, "user__is_active"), self.alias
            )
        if list(read.params).count(_SENTINEL) != 1:  # pragma: no cover - a Django upgrade
            raise RuntimeError(f"unexpected parameters in the reaction's read: {read.params}")
        sentinel_at = list(read.params).index(_SENTINEL)
        names = [f"c{n}" for n in range(len(self._read_attnames) + 1)]
        artwork_id = names[self._read_attnames.index("id")]
        if add:
            changed = (
                f"{self.insert} {self.table} ({self.columns}) "  # noqa: S608
                f"SELECT %s, {artwork_id}, %s FROM target {self.on_conflict} "
                f"RETURNING {self.artwork_col}"
            )
        else:
            changed = (
                f"DELETE FROM {self.table} WHERE {self.user_col} = %s "  # noqa: S608
                f"AND {self.artwork_col} IN (SELECT {artwork_id} FROM target) "
                f"RETURNING {self.artwork_col}"
            )
        quote = self.quote
        counter = quote(Artwork._meta.get_field(self.counter).column)
        # Never below zero: a count left too low by rows removed behind the services' back
        # stays as it is rather than break the artwork's check constraint.
        moved = f"{counter} + 1" if add else f"GREATEST({counter} - 1, 0)"
        columns = {n: quote(Artwork._meta.get_field(n).column) for n in _COUNTS}
        operands = {**{n: columns[n] for n in _COUNTS[:2]}, self.counter: moved}
        score = hot_score_sql(
            likes=operands["like_count"],
            favorites=operands["favorite_count"],
            published_at=quote(Artwork._meta.get_field("published_at").column),
        )
        returning = ", ".join(columns[n] for n in _COUNTS)
        # Names quoted from the models' metadata; every value is a parameter.
        # set_config(…, true) is SET LOCAL: it ends with the statement's transaction.
        relax = "relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), "
        sql = (
            f"WITH {relax if relaxed else ''}target ({', '.join(names)}) AS ({read.sql}), "  # noqa: S608
            f"changed AS ({changed}), "
            f"counted AS (UPDATE {self.artwork_table} SET {counter} = {moved}, "
            f"{columns['hot_score']} = {score} "
            f"WHERE {self.pk_col} IN (SELECT {self.artwork_col} FROM changed) "
            f"RETURNING {returning}) "
            "SELECT target.*, counted.* "
            f"FROM {'relaxed, ' if relaxed else ''}target LEFT JOIN counted ON TRUE"
        )
        self._statements[add, relaxed, ratings] = (sql, read, sentinel_at)
        return self._statements[add, relaxed, ratings]

    # --- elsewhere: a transaction ---------------------------------------------------------

    def _change_in_a_transaction(
        self, *, user_id: int, artwork_id: int, add: bool, ratings: frozenset[str]
    ) -> tuple[Artwork, bool]:
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            # Concurrent reactions to one artwork serialise on its row (no lost updates).
            lock = self._lock or self._compile_lock()
            cursor.execute(lock.sql, [int(artwork_id)])
            row = cursor.fetchone()
            if row is None:
                raise Artwork.DoesNotExist("Artwork matching query does not exist.")
            row = lock.convert(row)
            artwork = self._artwork(row)
            # The author as far as the visibility rule reads them; the rest loads on access.
            author = _every_field(_AUTHOR_AT, (artwork.user_id, row[len(self._read_attnames)]))
            artwork.user = User.from_db(self.alias, None, author)
            listed = artwork_is_visible_to(artwork=artwork, viewer=None, any_rating=True)
            if not listed or artwork.rating not in ratings:
                raise Artwork.DoesNotExist  # only listed work the member sees takes reactions
            if add:
                cursor.execute(self.insert_sql, [user_id, artwork.pk, self._created()])
            else:
                cursor.execute(self.delete_sql, [user_id, artwork.pk])
            if cursor.rowcount <= 0:
                return artwork, False
            count = getattr(artwork, self.counter)
            setattr(artwork, self.counter, count + 1 if add else max(count - 1, 0))
            artwork.hot_score = hot_score(
                like_count=artwork.like_count,
                favorite_count=artwork.favorite_count,
                published_at=artwork.published_at,
            )
            cursor.execute(self.update_sql, [*(getattr(artwork, n) for n in _COUNTS), artwork.pk])
        return artwork, True

    def _compile_lock(self) -> CompiledRead:
        # Compiled inside the first reaction's transaction: the ORM refuses a row lock outside.
        # of=("self",): lock the artwork only. Locking the joined author row too would make
        # every reaction to any of an author's artworks wait on one row (and block the
        # author's own account writes, such as a sign-in).
        rows = (
            Artwork.objects.using(self.alias)
            .select_for_update(of=("self",))
            .filter(pk=_SENTINEL)
            .values_list(*self._read_attnames, "user__is_active")
        )
        self._lock = CompiledRead.of(rows, self.alias)
        if list(self._lock.params) != [_SENTINEL]:  # pragma: no cover - a Django upgrade
            raise RuntimeError(f"unexpected parameters in the reaction lock: {self._lock.params}")
        return self._lock


def reaction_rows(model: type[Like] | type[Favorite]) -> ReactionRows:
    """This thread's connection's statements for `model`'s rows, built on first use and kept
    with the connection object."""
    alias = router.db_for_write(model)
    return built_for_connection(
        connections[alias],
        f"artworks.reaction_rows.{model._meta.label_lower}",
        lambda: ReactionRows(model, alias),
    )
