"""The words of search: what goes into a search document and what a query asks for, the same
on every database (feed.search matches them with PostgreSQL full-text search or SQLite FTS5).

Latin-script words are left to the database's English stemming ("sunsets" finds "sunset").
Chinese, Japanese and Korean are written without spaces, which neither database's word
splitter knows how to cut: every run of those characters is indexed as its characters and
its overlapping pairs of characters (bigrams), so 日落 is a word of "一只猫在日落时分", and a
query of several characters asks for all its pairs. A single character (猫) is a query too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

QUERY_MAX_LENGTH = 100
QUERY_MAX_TERMS = 8
# A Latin-script term at least this long also matches longer words it starts ("sun" →
# "sunset"); shorter ones only themselves, or they would match half the vocabulary.
PREFIX_MIN_LENGTH = 3

# Han (with extensions and compatibility ideographs), kana, Hangul.
_CJK = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
# Letters and digits; everything else (FTS and tsquery syntax included) separates words.
_WORD = re.compile(r"[^\W_]+")


def _grams(run: str) -> list[str]:
    """A run of CJK characters as its characters and its bigrams."""
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """`text` as stored in a search document: Latin words as they are, each CJK run replaced
    by its characters and bigrams (space-separated)."""
    text = unicodedata.normalize("NFKC", text or "")
    return _CJK_RUN.sub(lambda m: " " + " ".join(_grams(m.group())) + " ", text).strip()


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool  # also matches words that start with it


@dataclass(frozen=True)
class SearchQuery:
    """A query as typed (`text`, stripped) and the terms a document must all contain."""

    text: str
    terms: tuple[Term, ...]
    problem: str = ""  # "empty", "too_short" or "too_long": nothing is searched

    @property
    def searchable(self) -> bool:
        return not self.problem and bool(self.terms)


def _words(text: str) -> list[str]:
    """Letters-and-digits runs, CJK runs cut out of them as runs of their own."""
    words: list[str] = []
    for word in _WORD.findall(text):
        words.extend(piece for piece in re.split(f"([{_CJK}]+)", word) if piece)
    return words


def _terms(words: list[str]) -> list[Term]:
    terms: list[Term] = []
    for word in words:
        if _CJK_RUN.fullmatch(word):
            grams = [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]
            terms.extend(Term(gram, prefix=False) for gram in grams)
        elif len(word) >= 2:  # a lone Latin letter or digit matches nearly everything
            terms.append(Term(word, prefix=len(word) >= PREFIX_MIN_LENGTH))
    unique = list(dict.fromkeys(terms))
    return unique[:QUERY_MAX_TERMS]


def search_query_parse(raw: str | None) -> SearchQuery:
    """The query `raw` (as typed in the box or the API) asks for. Never raises: control
    characters and syntax characters separate words, and a query with nothing to search, or
    too long, says so in `problem`."""
    text = "".join(
        " " if unicodedata.category(char)[0] == "C" else char for char in (raw or "")
    ).strip()
    if not text:
        return SearchQuery(text="", terms=(), problem="empty")
    if len(text) > QUERY_MAX_LENGTH:
        return SearchQuery(text=text[:QUERY_MAX_LENGTH], terms=(), problem="too_long")
    normalised = unicodedata.normalize("NFKC", text).casefold()
    terms = tuple(_terms(_words(normalised)))
    if not terms:
        return SearchQuery(text=text, terms=(), problem="too_short")
    return SearchQuery(text=text, terms=terms)


def tsquery_text(query: SearchQuery) -> str:
    """The terms as `to_tsquery('english', …)` input, all required. Operands are letters
    and digits only, so nothing typed can be tsquery syntax."""
    return " & ".join(f"{t.text}:*" if t.prefix else t.text for t in query.terms)


def fts5_match_text(query: SearchQuery, *, columns: tuple[str, ...] = ()) -> str:
    """The terms as an FTS5 MATCH expression, in `columns` only when given: each a quoted
    string (never an operator such as NEAR, OR or a column filter), all required."""
    terms = " ".join(
        '"' + t.text.replace('"', '""') + '"' + ("*" if t.prefix else "") for t in query.terms
    )
    return f"{{{' '.join(columns)}}} : ({terms})" if columns else terms
