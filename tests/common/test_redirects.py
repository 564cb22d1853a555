"""The safe `next` URL shared by the editor and reaction views."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from common.redirects import safe_next_url


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
