"""/search and GET /api/search: results, messages, bad input, the secret in a hidden prompt
through every entry point, SEO and query counts. On the database of the run (both CI
passes)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from feed.services import search_rebuild
from tests.factories import PublishedArtworkFactory, UserFactory

from .test_search import BAD_QUERIES, SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def found():
    author = UserFactory(username="mei_draws", name="梅 Mei")
    public = [
        PublishedArtworkFactory(user=author, title="Sunset harbour", prompt="boats at 日落"),
        PublishedArtworkFactory(
            title="Quiet room", prompt=f"{SECRET} sleeping", prompt_hidden=True
        ),
    ]
    search_rebuild()
    return public


class Elements(HTMLParser):
    """The start tags of a page (name, attributes), and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> dict[str, str | None] | None:
        for name, found in self.tags:
            if name == tag and all(found.get(k.rstrip("_")) == v for k, v in attrs.items()):
                return found
        return None

    def get_text(self) -> str:
        return "".join(self.text)


def soup(response) -> Elements:
    parser = Elements()
    parser.feed(response.content.decode())
    return parser


def grid_text(response) -> str:
    html = response.content.decode()
    start = html.index('id="artwork-grid"')
    return html[start : html.index('id="load-more"', start)]


def test_the_page_lists_matching_artworks_and_is_not_indexed(client, found):
    response = client.get("/search", {"q": "sunsets"})
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    page = soup(response)
    assert page.find("meta", name="robots")["content"].startswith("noindex")
    assert "Sunset harbour" in grid_text(response)
    assert page.find("input", id="search-q")["value"] == "sunsets"
    assert page.find("form", class_="search-form")["role"] == "search"
    # the page's own form replaces the header's
    assert page.find("input", id="header-search-q") is None


def test_chinese_finds_through_the_page_in_either_language(client, found):
    for lang in ("en", "zh-hans"):
        response = client.get("/search", {"q": "日落", "lang": lang})
        assert "Sunset harbour" in grid_text(response)


def test_the_creators_tab(client, found):
    response = client.get("/search", {"q": "mei", "type": "users"})
    html = response.content.decode()
    members = html[html.index('id="member-list"') : html.index('id="member-load-more"')]
    assert members.count('class="member-row"') == 1 and "@mei_draws" in members
    assert 'href="/search?q=mei&amp;type=artworks"' in html
    assert 'href="/search?q=mei&amp;type=users" aria-current="page"' in html


def test_an_empty_result_and_the_messages(client, found):
    page = soup(client.get("/search", {"q": "nothinglikethis"}))
    assert "Nothing found for “nothinglikethis”" in page.get_text()
    page = soup(client.get("/search"))
    assert "Find artworks by their title" in page.get_text()
    response = client.get("/search", {"q": "a"})
    assert "Type at least two letters" in soup(response).get_text()
    # Nothing was searched: the title (the browser's tab, its history) says so as the h1 does.
    assert "<title>Search · " in response.content.decode()
    response = client.get("/search", {"q": "x" * 500})
    page = soup(response)
    assert "That search is too long" in page.get_text()
    assert page.find("input", id="search-q")["aria-invalid"] == "true"
    assert "<title>Search · " in response.content.decode()


def test_the_header_has_a_search_form_that_works_without_javascript(client, found):
    page = soup(client.get("/feed"))
    form = page.find("form", class_="header-search")
    assert form["role"] == "search" and form["method"] == "get" and form["action"] == "/search"
    field = page.find("input", id="header-search-q")
    assert field["name"] == "q" and field["type"] == "search"
    assert page.find("label", for_="header-search-q") is not None
    # submitting it is a plain GET of its action with the field
    response = client.get(form["action"], {field["name"]: "harbour"})
    assert "Sunset harbour" in grid_text(response)


@pytest.mark.parametrize("raw", BAD_QUERIES)
def test_bad_input_gets_a_page_or_a_clear_error(client, found, raw):
    for kind in ("artworks", "users"):
        response = client.get("/search", {"q": raw, "type": kind})
        assert response.status_code == 200
        response = client.get("/api/search", {"q": raw, "type": kind})
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert response.json()["detail"]


def test_odd_parameters(client, found):
    assert client.get("/search", {"q": "sunset", "type": "nope"}).status_code == 200
    response = client.get("/search", {"q": "sunset", "cursor": "bogus"})
    assert response.status_code == 302 and "q=sunset" in response["Location"]
    assert client.get("/api/search", {"q": "sunset", "cursor": "bogus"}).status_code == 400
    assert client.get("/api/search", {"q": "sunset", "type": "nope"}).status_code == 422


def test_the_secret_of_a_hidden_prompt_is_found_nowhere(client, found):
    secret_holder = found[1]
    for path, params in [
        ("/search", {"q": SECRET}),
        ("/search", {"q": SECRET, "type": "users"}),
        ("/api/search", {"q": SECRET}),
        ("/api/search", {"q": SECRET, "type": "users"}),
    ]:
        response = client.get(path, params)
        assert response.status_code == 200
        # no result (the query itself is repeated on the page, of course)
        assert b"Quiet room" not in response.content
        if path == "/api/search":
            assert response.json()["items"] == []
        else:
            assert b"Nothing found for" in response.content
    # nor for its author
    client.force_login(secret_holder.user)
    response = client.get("/api/search", {"q": SECRET})
    assert response.json()["items"] == []
    # and the artwork's public words still find it, without the prompt in the answer
    response = client.get("/api/search", {"q": "quiet"})
    assert [item["title"] for item in response.json()["items"]] == ["Quiet room"]
    client.logout()
    response = client.get("/api/search", {"q": "quiet"})
    assert response.json()["items"][0]["prompt"] is None


def test_the_api(client, found):
    body = client.get("/api/search", {"q": "harbour"}).json()
    assert body["type"] == "artworks" and body["query"] == "harbour"
    assert [item["title"] for item in body["items"]] == ["Sunset harbour"]
    assert body["items"][0]["isLiked"] is None
    body = client.get("/api/search", {"q": "梅", "type": "users"}).json()
    assert body["items"][0]["username"] == "mei_draws"
    assert body["items"][0]["page_url"] == "/user/mei_draws"
    body = client.get("/api/search", {"q": "a"}).json()
    assert "at least two letters" in body["detail"]
    PublishedArtworkFactory.create_batch(3, title="Harbour lights")
    search_rebuild()
    first = client.get("/api/search", {"q": "harbour", "limit": 2}).json()
    second = client.get(
        "/api/search", {"q": "harbour", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_load_more_answers_the_next_cards(client, found):
    PublishedArtworkFactory.create_batch(30, title="Harbour lights")
    search_rebuild()
    page = soup(client.get("/search", {"q": "harbour"}))
    more = page.find("a", rel="next")
    response = client.get("/search" + more["href"], HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.count(b'class="art-card"') == 31 - 24


def test_the_page_costs_the_same_queries_whatever_the_number(client):
    """One query for a page (PostgreSQL: one per relevance tier the page reaches, at most
    three), whatever the number of results; none when there is nothing to search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for count in (2, 12):
        PublishedArtworkFactory.create_batch(count, title=f"Meadow {count}")
        UserFactory.create_batch(count, name=f"Meadow keeper {count}")
        search_rebuild()
        client.get("/search", {"q": f"meadow {count}"})  # the cards are cached after it
        for kind in ("artworks", "users"):
            with CaptureQueriesContext(connection) as queries:
                assert (
                    client.get("/search", {"q": f"meadow {count}", "type": kind}).status_code == 200
                )
            counts[kind, count] = len(queries)
    tiers = 3 if connection.vendor == "postgresql" else 1
    assert counts == {
        ("artworks", 2): tiers,
        ("artworks", 12): tiers,
        ("users", 2): 1,
        ("users", 12): 1,
    }
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search", {"q": "m"}).status_code == 200
    assert len(queries) == 0


def test_a_full_page_from_the_titles_reads_no_other_tier(client, django_assert_num_queries):
    PublishedArtworkFactory.create_batch(30, title="Prairie")
    search_rebuild()
    client.get("/search", {"q": "prairie"})
    with django_assert_num_queries(1):
        assert client.get("/search", {"q": "prairie"}).status_code == 200


def test_a_members_page_costs_the_same_queries_whatever_the_number(
    client, django_assert_max_num_queries
):
    member = UserFactory()
    client.force_login(member)
    counts = []
    for count in (2, 12):
        PublishedArtworkFactory.create_batch(count, title=f"Dune {count}")
        UserFactory.create_batch(count, name=f"Dune rider {count}")
        search_rebuild()
        client.get("/search", {"q": f"dune {count}"})
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for kind in ("artworks", "users"):
            with CaptureQueriesContext(connection) as queries:
                client.get("/search", {"q": f"dune {count}", "type": kind})
            counts.append((kind, len(queries)))
    assert counts[0:2] == counts[2:4]


@pytest.mark.once
def test_the_search_pages_are_valid_html(client, found, tmp_path):
    from tests.page_tools import validate_html

    pages = {}
    for lang in ("en", "zh-hans"):
        for name, params in {
            "results": {"q": "sunset"},
            "creators": {"q": "mei", "type": "users"},
            "nothing found": {"q": "nothinglikethis"},
            "too short": {"q": "a"},
            "too long": {"q": "x" * 500},
            "start": {},
        }.items():
            response = client.get("/search", {**params, "lang": lang})
            pages[f"search {name} {lang}"] = response.content.decode()
    pages["header with the search box"] = client.get("/feed").content.decode()
    errors = validate_html(pages, tmp_path)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )


def test_too_many_searches_are_refused_for_a_while(client, found, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": (2, 60)}
    assert client.get("/search", {"q": "sunset"}).status_code == 200
    assert client.get("/api/search", {"q": "sunset"}).status_code == 200
    assert client.get("/search", {"q": "sunset"}).status_code == 429
    response = client.get("/api/search", {"q": "sunset"})
    assert response.status_code == 429 and response.json()["detail"]
    assert client.get("/search").status_code == 200  # the empty page searches nothing
