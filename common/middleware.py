from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .seo import LANG_PARAM


class QueryLanguageMiddleware:
    """`?lang=zh-hans` shows a page in that language for this request only (the language
    switcher's cookie is the lasting choice). It gives each language version of a page its own
    URL, which hreflang alternates and search engines need. Goes after LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get(LANG_PARAM, "").lower()
        if code in self.codes:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if code in self.codes:
            response.headers.setdefault("Content-Language", code)
        return response
