"""Small query pieces shared by the apps: for their admins, and compiled hot reads."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")

# The attribute of a connection object (django.db.connections[alias]) that holds what is
# built for it: see `built_for_connection`.
_BUILT = "_aic_built"


def count_per_row(rows: QuerySet, *, per: str) -> Coalesce:
    """How many of `rows` belong to each row of the outer query, for an `annotate`: `rows`
    is filtered on `per` against an OuterRef. A correlated subquery, evaluated only for the
    rows fetched (a page of an admin list); 0 where there are none."""
    counts = rows.order_by().values(per).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class CompiledRead:
    """A read query's SQL compiled once, run again with other values by its owner (a hot
    lookup whose building and compiling cost more than running it), and the converters the
    ORM would apply to each row (SQLite's datetimes, for one). Bound to one connection."""

    sql: str
    params: tuple
    compiler: SQLCompiler
    converters: dict

    @classmethod
    def of(cls, rows: QuerySet, alias: str) -> CompiledRead:
        compiler = rows.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, *_ in compiler.select])
        # A choice (Artwork.Status.PUBLISHED) as its plain value: the driver then finds its
        # adapter by the value's own type, not by walking the enum's classes on every run.
        params = tuple(p.value if isinstance(p, enum.Enum) else p for p in params)
        return cls(sql, params, compiler, converters)

    def convert(self, row: tuple) -> tuple:
        """A fetched row's values as the ORM would give them."""
        if not self.converters:
            return row
        return next(iter(self.compiler.apply_converters([row], self.converters)))


def built_for_connection(connection: BaseDatabaseWrapper, name: str, build: Callable[[], T]) -> T:
    """What `build()` returns, built once per connection object and kept on that object:
    compiled reads and statements bound to it (their converters are). Django gives each
    thread its own connection objects; a thread that ends (a request under runserver, a
    background job of the embedded default) takes what was built for it along, where a
    registry of the process's would keep every one of them, and their connections, alive."""
    built = connection.__dict__.get(_BUILT)
    if built is None:
        built = connection.__dict__[_BUILT] = {}
    value = built.get(name)
    if value is None:
        value = built[name] = build()
    return value
