"""The safe `next` URL shared by the editor and reaction views, and the first page of a list
again for a page link the site did not make."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from artworks.models import Tag
from common.redirects import safe_next_url
from social.services import collection_create
from tests.factories import UserFactory


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

# (the page with a forged cursor, its first page, whether it needs a member signed in)
LIST_PAGES = [
    ("/feed?cursor=garbage", "/feed", False),
    ("/feed?tab=new&cursor=garbage", "/feed?tab=new", False),
    ("/feed?tab=following&cursor=garbage", "/feed?tab=following", True),
    ("/tag/sunset?tab=new&cursor=garbage", "/tag/sunset?tab=new", False),
    ("/user/ada?cursor=garbage", "/user/ada", False),
    ("/search?q=sun&cursor=garbage", "/search?q=sun&type=artworks", False),
    ("/search?q=ada&type=users&cursor=garbage", "/search?q=ada&type=users", False),
    ("/user/ada/followers?cursor=garbage", "/user/ada/followers", False),
    ("/user/ada/following?cursor=garbage", "/user/ada/following", False),
    ("/user/ada/collections/golden-hours?cursor=x", "/user/ada/collections/golden-hours", False),
    ("/settings/blocked?cursor=garbage", "/settings/blocked", True),
    ("/settings/muted?cursor=garbage", "/settings/muted", True),
    ("/notifications?cursor=garbage", "/notifications", True),
]


@pytest.fixture
def lists(db):
    ada = UserFactory(username="ada")
    Tag.objects.create(name="sunset")
    collection_create(owner=ada, name="Golden hours")


def _visitor(signed_in: bool) -> Client:
    client = Client()
    if signed_in:
        client.force_login(UserFactory())
    return client


@pytest.mark.parametrize(("url", "first_page", "signed_in"), LIST_PAGES)
def test_following_a_forged_page_link_lands_on_the_first_page(lists, url, first_page, signed_in):
    response = _visitor(signed_in).get(url, follow=True)
    assert response.redirect_chain == [(first_page, 302)]
    assert "That page link is no longer valid" in response.content.decode()


@pytest.mark.parametrize(("url", "first_page", "signed_in"), LIST_PAGES)
def test_load_more_with_a_forged_cursor_is_refused_with_the_reason(
    lists, url, first_page, signed_in
):
    """htmx would follow a redirect unseen and append the whole first page, header and all,
    under the cards already shown."""
    client = _visitor(signed_in)
    response = client.get(url, **HTMX)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == REASON
    assert "HX-Request" in response["Vary"]
    # Nothing left behind for the next page to show.
    assert "no longer valid" not in client.get(first_page).content.decode()
