"""The site's LocaleMiddleware (common/middleware.py) answers as Django's does where no URL
carries a language: the same language, Vary and Content-Language for every way a visitor
names one, without looking in the path."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.utils import translation

from common.middleware import LocaleMiddleware

CASES = [
    {},
    {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"},
    {"HTTP_ACCEPT_LANGUAGE": "fr, en;q=0.5"},
    {"HTTP_ACCEPT_LANGUAGE": "*"},
    {"HTTP_COOKIE": "django_language=zh-hans"},
    {"HTTP_COOKIE": "django_language=xx", "HTTP_ACCEPT_LANGUAGE": "zh-hans"},
]


def _answer(middleware_class, meta: dict, path: str) -> tuple[str, str | None, str | None]:
    request = RequestFactory().get(path, **meta)
    middleware = middleware_class(lambda r: HttpResponse(translation.get_language()))
    try:
        response = middleware(request)
    finally:
        translation.deactivate()
    return request.LANGUAGE_CODE, response.get("Vary"), response.get("Content-Language")


@pytest.mark.parametrize("meta", CASES)
@pytest.mark.parametrize("path", ["/", "/feed", "/zh-hans/feed", "/no-such-page"])
def test_the_same_answer_as_djangos(meta, path):
    ours = _answer(LocaleMiddleware, meta, path)
    assert ours == _answer(DjangoLocaleMiddleware, meta, path)
    assert ours[1] == "Accept-Language"


def test_the_path_is_not_looked_at(monkeypatch):
    def refuse(path):
        raise AssertionError(f"looked for a language in {path}")

    monkeypatch.setattr(translation, "get_language_from_path", refuse)
    assert _answer(LocaleMiddleware, {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}, "/feed")[0] == "zh-hans"
