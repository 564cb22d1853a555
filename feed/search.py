"""Search: the one selector behind /search and GET /api/search.

`search_page` finds public artworks (by title, tags, description and public prompt) or
members (by username and display name) for a query, every word required; one query for a
page (PostgreSQL: one per relevance tier at most), whatever the number of matches.

Relevance is where the words are: artworks whose title has them all come first, then those
whose title and tags have them, then the rest (description, prompt); within each, the hottest
first (members: the most followed), ties by id. Tiers rather than a score such as ts_rank or
bm25, which must be computed for every match before the first result: with tiers, a word in
a tenth of 100,000 documents is answered by walking the hottest artworks until a page is
full, and a lower tier is read only when the better ones do not fill the page
(bench/search_bench.py; docs/capacity.md).

The documents (feed.models) are written by feed.services.search_index; the query's words come
from feed.search_text, the same on every database. Only the matching differs: PostgreSQL's
full-text search over the documents' generated tsvector columns, one per tier (GIN indexes,
English stemming; members' names as written), or SQLite's FTS5 tables (porter stemming, a
tier's fields as columns).
Visibility is the one rule (artworks.selectors.artworks_public): drafts, hidden artworks and
suspended members' work are never results, whoever asks; nor are suspended members.
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
class _Documents:
    """A document table and how relevance is tiered in it: tier i (the best first) holds the
    rows whose tier-i fields match every term and no better tier's do (PostgreSQL: a tsvector
    column per tier; SQLite: the FTS5 columns). The last tier is the whole document."""

    table: str
    key: str
    row_key: str  # the row's id column the document's key joins
    second: str  # what orders a tier after relevance: the row's hot score, followers
    vectors: tuple[str, ...]  # PostgreSQL: the tsvector column of each tier
    columns: tuple[tuple[str, ...], ...]  # SQLite: the FTS5 columns of each tier (() = all)
    # PostgreSQL: the text search configuration of the vectors (the migrations' own).
    config: str = "english"


_ARTWORK_DOCUMENTS = _Documents(
    "search_artworks",
    "artwork_id",
    "artworks.id",
    "hot_score",
    # the title; the title and tags; anywhere (description and public prompt too)
    vectors=("vector_title", "vector_head", "vector"),
    columns=(("title",), ("title", "tags"), ()),
)
# Names are matched as written (`simple`): English drops "Will" or "Don" as stop words.
_MEMBER_DOCUMENTS = _Documents(
    "search_members",
    "user_id",
    "users.id",
    "follower_count",
    vectors=("vector",),
    columns=((),),
    config="simple",
)


def _second_after(documents: _Documents, value: float, last_id: int) -> tuple[str, list]:
    """Within one tier: after (value, id) in descending order."""
    table = documents.row_key.split(".")[0]
    second = f"{table}.{documents.second}"
    sql = f"({second} < %s OR ({second} = %s AND {table}.id < %s))"
    return sql, [value, value, last_id]


def _postgres_tier(
    rows: QuerySet, documents: _Documents, query: SearchQuery, tier: int, after: tuple | None
) -> QuerySet:
    """The rows of one tier (`search_rank` = its rank, higher is better), after the cursor;
    none, without a query, for a tier above the cursor's. Ordered by hot score and limited by
    the caller, so the planner answers a common word by walking the hottest rows (an index)
    until the page is full, a rare one from the GIN index: never by ranking every match."""
    table = documents.table
    rank = len(documents.vectors) - tier - 1
    terms = tsquery_text(query)
    where = [f"{table}.{documents.key} = {documents.row_key}"]
    for column in documents.vectors[: tier + 1]:  # in this tier, in no better one
        negation = "" if column == documents.vectors[tier] else "NOT "
        where.append(
            f"{negation}{table}.{column} @@ to_tsquery('{documents.config}'::regconfig, %s)"
        )
    params: list[object] = [terms] * (tier + 1)
    if after is not None:
        after_rank, value, last_id = after
        if rank > after_rank:
            return rows.none()  # no query
        if rank == after_rank:
            condition, values = _second_after(documents, value, last_id)
            where.append(condition)
            params += values
    return rows.extra(  # noqa: S610 (this module's SQL; every value typed is a parameter)
        tables=[table], where=where, params=params, select={"search_rank": str(rank)}
    )


def _postgres_ranked(
    rows: QuerySet, documents: _Documents, query: SearchQuery, after: tuple | None, limit: int
) -> list:
    """Tier after tier, a query each, until the page is full: a common word fills it from
    the titles alone (a few hundred rows walked in hot order), and the documents of the
    lower tiers are never read. At most one query per tier."""
    found: list = []
    for tier in range(len(documents.vectors)):
        branch = _postgres_tier(rows, documents, query, tier, after)
        found += branch.order_by(f"-{documents.second}", "-id")[: limit - len(found)]
        if len(found) >= limit:
            break
    return found


def _sqlite_ranked(
    rows: QuerySet, documents: _Documents, query: SearchQuery, after: tuple | None, limit: int
) -> list:
    """FTS5 finds the matches (an embedded site's numbers); a row's tier is the best of the
    tiers' column sets that matches it, a subquery each."""
    fts = f"{documents.table}_fts"
    matches = f"{documents.row_key} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"  # noqa: S608
    count = len(documents.columns)
    cases = " ".join(f"WHEN {matches} THEN {count - tier - 1}" for tier in range(count - 1))
    rank_sql = f"(CASE {cases} ELSE 0 END)" if cases else "0"
    rank_params = [fts5_match_text(query, columns=c) for c in documents.columns[:-1]]
    where = [f"{documents.table}.{documents.key} = {documents.row_key}", matches]
    params: list[object] = [fts5_match_text(query)]
    if after is not None:
        after_rank, value, last_id = after
        condition, values = _second_after(documents, value, last_id)
        where.append(f"({rank_sql} < %s OR ({rank_sql} = %s AND {condition}))")
        params += [*rank_params, int(after_rank), *rank_params, int(after_rank), *values]
    ranked = rows.extra(  # noqa: S610 (this module's SQL; every value typed is a parameter)
        tables=[documents.table],
        where=where,
        params=params,
        select={"search_rank": rank_sql},
        select_params=rank_params,
    )
    return list(ranked.order_by("-search_rank", f"-{documents.second}", "-id")[:limit])


def _ranked(
    rows: QuerySet, documents: _Documents, query: SearchQuery, after: tuple | None, limit: int
) -> list:
    """Up to `limit` of `rows` whose documents match, best tier first, then by the row's
    `second` and id (descending), after the cursor: one query on SQLite, one per tier at
    most on PostgreSQL."""
    if connection.vendor == "postgresql":
        return _postgres_ranked(rows, documents, query, after, limit)
    return _sqlite_ranked(rows, documents, query, after, limit)


def _artworks(
    query: SearchQuery, viewer: User | AnonymousUser | None, after: tuple | None, limit: int
) -> list:
    rows = artworks_public(viewer=viewer).extra(where=[_PROMPT_GUARD])  # noqa: S610 (a constant)
    if user_is_signed_in(viewer) and viewer.muting_count:
        rows = rows.exclude(user_id__in=muted_by(viewer_id=viewer.pk))
    return _ranked(rows, _ARTWORK_DOCUMENTS, query, after, limit)


def _members(query: SearchQuery, after: tuple | None, limit: int) -> list:
    rows = get_user_model().objects.filter(is_active=True)
    return _ranked(rows, _MEMBER_DOCUMENTS, query, after, limit)


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
    after = decode_cursor(cursor, (int, float, int)) if cursor else None
    if not query.searchable:
        return SearchPage(query=query, kind=kind, items=[], next_cursor=None)
    if kind == "users":
        found, second = _members(query, after, limit + 1), _MEMBER_DOCUMENTS.second
    else:
        found, second = _artworks(query, viewer, after, limit + 1), _ARTWORK_DOCUMENTS.second
    more = len(found) > limit
    found = found[:limit]
    next_cursor = None
    if more and found:
        last = found[-1]
        next_cursor = encode_cursor(
            int(last.search_rank), repr(float(getattr(last, second))), last.id
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
