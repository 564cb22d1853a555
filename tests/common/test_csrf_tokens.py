"""The page cache's CSRF tokens (common/csrf_tokens.py) are Django's, drawn for less: Django's
check unmasks them to the member's secret, each answer's differs, the cookie is renewed as
get_token renews it, and a request without a secret is given a new one as get_token gives it
(set for the CSRF cookie, which then goes out), whose tokens Django's check accepts."""

from __future__ import annotations

from collections import Counter

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    _get_new_csrf_string,
    _unmask_cipher_token,
    get_token,
)
from django.test import RequestFactory

from common.csrf_tokens import masked_csrf_token


def _request_with_secret(secret: str | None):
    request = RequestFactory().get("/feed")
    if secret is not None:
        request.META["CSRF_COOKIE"] = secret
    return request


def test_djangos_check_unmasks_it_to_the_members_secret():
    secret = _get_new_csrf_string()
    request = _request_with_secret(secret)
    tokens = {masked_csrf_token(request) for _ in range(200)}
    assert len(tokens) == 200  # a fresh mask every answer
    for token in tokens:
        assert len(token) == 64
        assert set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # as get_token: cookie renewed
    # The same shape as Django's own token for the same secret.
    assert _unmask_cipher_token(get_token(_request_with_secret(secret))) == secret


def test_every_mask_character_is_drawn_from_the_whole_alphabet():
    request = _request_with_secret(_get_new_csrf_string())
    masks = [masked_csrf_token(request)[:32] for _ in range(3000)]
    for position in (0, 15, 31):
        seen = Counter(mask[position] for mask in masks)
        assert set(seen) == set(CSRF_ALLOWED_CHARS)
        assert max(seen.values()) < 3 * 3000 / len(CSRF_ALLOWED_CHARS)


def test_without_a_secret_yet_one_is_made_as_get_token_makes_it():
    secrets = set()
    for bad in (None, "short", "!" * 32):
        request = _request_with_secret(bad)
        token = masked_csrf_token(request)
        new_secret = request.META["CSRF_COOKIE"]
        assert len(new_secret) == 32 and set(new_secret) <= set(CSRF_ALLOWED_CHARS)
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie goes out
        assert _unmask_cipher_token(token) == new_secret
        # The next token for the same request is for the same secret, as with get_token.
        assert _unmask_cipher_token(masked_csrf_token(request)) == new_secret
        assert _unmask_cipher_token(get_token(request)) == new_secret
        secrets.add(new_secret)
    assert len(secrets) == 3


@pytest.mark.django_db
def test_a_new_secret_is_accepted_by_djangos_middleware_on_the_next_post(client, user, settings):
    from tests.factories import PublishedArtworkFactory

    settings.PAGE_CACHE_SECONDS, settings.MEMBER_PAGE_CACHE_SECONDS = 600, 300
    artwork = PublishedArtworkFactory()
    client.force_login(user)
    client.handler.enforce_csrf_checks = True
    client.get("/feed")  # the member's copy is kept
    del client.cookies["csrftoken"]  # as a client that has not kept it
    page = client.get("/feed")
    assert page["X-Page-Cache"] == "hit"  # its token drawn here, with a new secret
    cookie = page.cookies["csrftoken"].value
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert _unmask_cipher_token(token) == cookie
    liked = client.post(f"/api/artworks/{artwork.pk}/like", HTTP_X_CSRFTOKEN=token)
    assert liked.status_code == 200, liked.content
    forged = token[:-1] + ("y" if token[-1] == "x" else "x")
    refused = client.post(f"/api/artworks/{artwork.pk}/like", HTTP_X_CSRFTOKEN=forged)
    assert refused.status_code == 403
