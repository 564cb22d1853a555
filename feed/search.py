"""Search: the one selector behind /search and GET /api/search.

`search_page` finds public artworks (by title, tags, description and public prompt) or
members (by username and display name) for a query, best match first, then by hot score (for
members: by followers), ties by id; one query for a page, whatever the number of matches.

The documents it matches (feed.models) are written by feed.services.search_index; the query's
words come from feed.search_text, the same on every database. Only the matching differs:
PostgreSQL's full-text search over the documents' generated `vector` column (GIN index,
English stemming, ts_rank), or SQLite's FTS5 tables (porter stemming, bm25). Visibility is the
one rule (artworks.selectors.artworks_public): drafts, hidden artworks and suspended members'
work are never results, whoever asks; nor are suspended members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.selectors import user_is_signed_in
from artworks.selectors import artworks_public
from social.selectors import muted_by

from .search_text import (
    QUERY_MAX_LENGTH,
    SearchQuery,
    fts5_match_text,
    search_query_parse,
    tsquery_text,
)
from .selectors import clamp_limit, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

SearchType = Literal["artworks", "users"]
SEARCH_TYPES: tuple[SearchType, ...] = ("artworks", "users")

# A document written while the prompt was public stays out of results once the prompt is
# hidden, until it is written again without it (feed.receivers does so after commit).
_PROMPT_GUARD = "(NOT search_artworks.prompt_included OR NOT artworks.prompt_hidden)"


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    kind: SearchType
    items: list
    next_cursor: str | None


@dataclass(frozen=True)
class _Match:
    """How one database matches one document table: the tables to join, the conditions,
    and the relevance (higher is better) as SQL, each with its parameters."""

    tables: list[str]
    key_column: str  # the document's key, joined to its row's id
    where: list[str]
    params: list[object]
    rank_sql: str
    rank_params: list[object]


def _postgres_match(table: str, key: str, query: SearchQuery, _weights: str) -> _Match:
    tsquery = "to_tsquery('english'::regconfig, %s)"
    text = tsquery_text(query)
    return _Match(
        tables=[table],
        key_column=f"{table}.{key}",
        where=[f"{table}.vector @@ {tsquery}"],
        params=[text],
        # float8: the cursor carries the value back and compares it exactly.
        rank_sql=f"ts_rank({table}.vector, {tsquery})::float8",
        rank_params=[text],
    )


def _sqlite_match(table: str, key: str, query: SearchQuery, weights: str) -> _Match:
    fts = f"{table}_fts"
    return _Match(
        tables=[fts, table],
        key_column=f"{table}.{key}",
        where=[f"{fts}.rowid = {table}.{key}", f"{fts} MATCH %s"],
        params=[fts5_match_text(query)],
        rank_sql=f"(-bm25({fts}, {weights}))",  # bm25 is lower for better matches
        rank_params=[],
    )


def _match(table: str, key: str, query: SearchQuery, weights: str) -> _Match:
    backend = _postgres_match if connection.vendor == "postgresql" else _sqlite_match
    return backend(table, key, query, weights)


def _ranked(
    rows: QuerySet,
    match: _Match,
    *,
    row_key: str,
    second: str,
    after: tuple | None,
    also: tuple[str, ...] = (),
) -> QuerySet:
    """`rows` joined to their documents that match (and meet the conditions `also`), best
    first, then by `second` and id (both descending), after the cursor's position."""
    # extra(): the SQL is this module's constants; every value typed is a parameter.
    rows = rows.extra(  # noqa: S610
        tables=match.tables,
        where=[f"{match.key_column} = {row_key}", *match.where, *also],
        params=match.params,
        select={"search_rank": match.rank_sql},
        select_params=match.rank_params,
    )
    table = row_key.split(".")[0]
    if after is not None:
        rank, value, last_id = after
        rank_sql = match.rank_sql
        rows = rows.extra(  # noqa: S610
            where=[
                f"({rank_sql} < %s OR ({rank_sql} = %s AND ({table}.{second} < %s"
                f" OR ({table}.{second} = %s AND {table}.id < %s))))"
            ],
            params=[*match.rank_params, rank, *match.rank_params, rank, value, value, last_id],
        )
    return rows.order_by("-search_rank", f"-{second}", "-id")


def _artworks(
    query: SearchQuery, viewer: User | AnonymousUser | None, after: tuple | None
) -> QuerySet:
    match = _match("search_artworks", "artwork_id", query, "10.0, 5.0, 1.0")
    rows = artworks_public()
    if user_is_signed_in(viewer) and viewer.muting_count:
        rows = rows.exclude(user_id__in=muted_by(viewer_id=viewer.pk))
    return _ranked(
        rows, match, row_key="artworks.id", second="hot_score", after=after, also=(_PROMPT_GUARD,)
    )


def _members(query: SearchQuery, after: tuple | None) -> QuerySet:
    match = _match("search_members", "user_id", query, "1.0")
    rows = get_user_model().objects.filter(is_active=True)
    return _ranked(rows, match, row_key="users.id", second="follower_count", after=after)


def search_page(
    *,
    q: str | None,
    kind: SearchType = "artworks",
    viewer: User | AnonymousUser | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> SearchPage:
    """One page of results for the query `q` (as typed). A query with nothing to search
    (empty, too short, too long: `page.query.problem`) has no results and costs no query.
    Raises InvalidCursor for a cursor this site did not make."""
    query = search_query_parse(q)
    limit = clamp_limit(limit)
    after = decode_cursor(cursor, (float, float, int)) if cursor else None
    if not query.searchable:
        return SearchPage(query=query, kind=kind, items=[], next_cursor=None)
    if kind == "users":
        rows, second = _members(query, after), "follower_count"
    else:
        rows, second = _artworks(query, viewer, after), "hot_score"
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    next_cursor = None
    if more and found:
        last = found[-1]
        next_cursor = encode_cursor(
            repr(last.search_rank), repr(float(getattr(last, second))), last.id
        )
    return SearchPage(query=query, kind=kind, items=found, next_cursor=next_cursor)


def search_problem_message(query: SearchQuery) -> str:
    """What is wrong with a query that searches nothing, for the page and the API ("" when
    nothing is)."""
    if query.problem == "empty":
        return _("Type what to search for.")
    if query.problem == "too_short":
        return _("Type at least two letters or digits, or one Chinese character.")
    if query.problem == "too_long":
        return _("That search is too long: use at most %(max)d characters.") % {
            "max": QUERY_MAX_LENGTH
        }
    return ""
