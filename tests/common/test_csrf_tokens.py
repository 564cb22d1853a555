"""The page cache's CSRF tokens (common/csrf_tokens.py) are Django's, drawn for less: Django's
check unmasks them to the member's secret, each answer's differs, the cookie is renewed as
get_token renews it, and a request without a secret gets Django's own."""

from __future__ import annotations

from collections import Counter

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


def test_without_a_secret_yet_it_is_djangos_get_token_which_makes_one():
    request = _request_with_secret(None)
    token = masked_csrf_token(request)
    new_secret = request.META["CSRF_COOKIE"]
    assert len(new_secret) == 32
    assert _unmask_cipher_token(token) == new_secret
