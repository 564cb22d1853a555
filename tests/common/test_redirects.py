"""The safe `next` URL shared by the editor and reaction views, and the first page of a list
again for a page link the site did not make."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from artworks.services import artwork_set_tags
from common.redirects import safe_next_url
from social.services import collection_create
from tests.factories import PublishedArtworkFactory, UserFactory


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/user/ada?tab=drafts", "/user/ada?tab=drafts"),
        ("http://testserver/feed", "http://testserver/feed"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("", None),
    ],
)
def test_only_this_site_is_a_safe_next(next_url: str, expected: str | None) -> None:
    assert safe_next_url(RequestFactory().post("/x", {"next": next_url})) == expected
    assert safe_next_url(RequestFactory().get("/x", {"next": next_url})) == expected


def test_a_secure_request_never_goes_back_to_plain_http() -> None:
    request = RequestFactory().get("/x", {"next": "http://testserver/feed"}, secure=True)
    assert safe_next_url(request) is None


# --- a list page asked for with a cursor the site did not make ------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}
REASON = "This page link is invalid; start again from the first page."

# (a list's first page, whether it needs a member signed in)
LIST_PAGES = [
    ("/feed", False),
    ("/feed?tab=new", False),
    ("/feed?tab=following", True),
    ("/tag/sunset", False),
    ("/tag/sunset?tab=new", False),
    ("/user/ada", False),
    ("/search?q=sun&type=artworks", False),
    ("/search?q=ada&type=users", False),
    ("/user/ada/followers", False),
    ("/user/ada/following", False),
    ("/user/ada/collections/golden-hours", False),
    ("/settings/blocked", True),
    ("/settings/muted", True),
    ("/notifications", True),
]
# Cursors the site did not make: not one at all; a time and an id whose time is out of range
# once moved to UTC; a hot score past every other (the first page again); a search rank that
# is not a number.
FORGED = {
    "garbage": "garbage",
    "year-1-east-of-utc": "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx",
    "infinite-score": "aW5mfDE",
    "not-a-number-rank": "MXxuYW58MQ",
}


def _with_cursor(first_page: str, cursor: str) -> str:
    return f"{first_page}{'&' if '?' in first_page else '?'}cursor={cursor}"


@pytest.fixture
def lists(db):
    ada = UserFactory(username="ada")
    # A tag page exists while public work carries the tag.
    artwork_set_tags(artwork=PublishedArtworkFactory(user=ada), actor=ada, tags=["sunset"])
    collection_create(owner=ada, name="Golden hours")


def _visitor(signed_in: bool) -> Client:
    client = Client()
    if signed_in:
        client.force_login(UserFactory())
    return client


@pytest.mark.parametrize("cursor", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize(("first_page", "signed_in"), LIST_PAGES)
def test_following_a_forged_page_link_lands_on_the_first_page(lists, first_page, signed_in, cursor):
    response = _visitor(signed_in).get(_with_cursor(first_page, cursor), follow=True)
    assert response.redirect_chain == [(first_page, 302)]
    assert "That page link is no longer valid" in response.content.decode()


@pytest.mark.parametrize("cursor", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize(("first_page", "signed_in"), LIST_PAGES)
def test_load_more_with_a_forged_cursor_is_refused_with_the_reason(
    lists, first_page, signed_in, cursor
):
    """htmx would follow a redirect unseen and append the whole first page, header and all,
    under the cards already shown."""
    client = _visitor(signed_in)
    response = client.get(_with_cursor(first_page, cursor), **HTMX)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == REASON
    assert "HX-Request" in response["Vary"]
    # Nothing left behind for the next page to show.
    assert "no longer valid" not in client.get(first_page).content.decode()
