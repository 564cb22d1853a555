from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext, gettext_noop

from .seo import LANG_PARAM

# Where the JSON API lives (aicommunity/urls.py): its errors are JSON, whoever answers them.
API_PREFIX = "/api/"


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, without looking for a language in the URL's path where no URL carries one (no
    `i18n_patterns`: the language comes from ?lang=, the language cookie or Accept-Language),
    which it did twice on every request; the same answers (tests/common/test_locale.py)."""

    def process_request(self, request: HttpRequest) -> None:
        if _language_prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if _language_prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _language_prefixed(request: HttpRequest) -> bool:
    return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]


class QueryLanguageMiddleware:
    """`?lang=zh-hans` shows a page in that language for this request only (the language
    switcher's cookie is the lasting choice). It gives each language version of a page its own
    URL, which hreflang alternates and search engines need. Goes after LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Most requests have no query string: no QueryDict parsed for them.
        code = request.GET.get(LANG_PARAM, "").lower() if request.META.get("QUERY_STRING") else ""
        if code in self.codes:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if code in self.codes:
            response.headers.setdefault("Content-Language", code)
        return response


class NoNulInPathMiddleware:
    """A path with a NUL character names nothing here (no username, tag or slug holds one, and
    PostgreSQL cannot even compare one): 404 at the door, in the reader's language, instead of
    a 500 from the database. Goes after AuthenticationMiddleware (the page shows the header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404("No such page.")
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A page answered 405 (a GET of an action that only a form's POST does: a bookmarked or
    shared action link, a sign-in that returns to one) shows the site's error page in the
    reader's language, not Django's empty body. The API answers JSON of its own
    (ApiJsonErrorsMiddleware). Goes after AuthenticationMiddleware (the page shows the header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.path.startswith(API_PREFIX)
            or getattr(response, "streaming", False)
            or response.content
        ):
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page


# What answers around the API, as sentences in the caller's language, as the API's own are.
_STATUS_SENTENCES = {
    400: gettext_noop("Bad request."),
    405: gettext_noop("Method not allowed."),
    500: gettext_noop("Server error."),
}


def _status_sentence(response: HttpResponse) -> str:
    sentence = _STATUS_SENTENCES.get(response.status_code)
    if sentence is not None:
        return gettext(sentence)
    # Any other status: its reason phrase as a sentence ("Payload Too Large" → "Payload too
    # large.").
    phrase = response.reason_phrase
    return f"{phrase[:1]}{phrase[1:].lower()}."


class ApiJsonErrorsMiddleware:
    """Every error under /api/ is JSON, {"detail": …}, whoever produced it: the API's own
    handlers already answer JSON; this catches what answers before or around them (405 from
    the router, 500 from an unhandled exception, a 400/413 from Django reading the request).
    Headers such as Allow and Retry-After are kept. With DEBUG on, a 500 keeps Django's
    traceback page. Goes near the top, so it sees the other middlewares' answers too."""

    PREFIX = API_PREFIX

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(self.PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
            or (settings.DEBUG and response.status_code >= 500)
        ):
            return response
        from django.http import JsonResponse

        replacement = JsonResponse(
            {"detail": _status_sentence(response)}, status=response.status_code
        )
        for header in (
            "Allow",
            "Retry-After",
            "WWW-Authenticate",
            "Vary",
            "Cache-Control",
            "Content-Language",
        ):
            if header in response:
                replacement[header] = response[header]
        return replacement


class ApiHeadMiddleware:
    """HEAD on the API answers as GET would, without the body (RFC 9110: a server that
    answers GET answers HEAD): the router knows only the methods each operation declares, so
    a HEAD (a link checker's, a monitor's) was a 405. The view sees GET; everything above
    sees the HEAD it was, and the body goes no further than the server, which sends none for
    HEAD (gunicorn, nginx, Django's test client and runserver)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        request.method = "GET"
        try:
            return self.get_response(request)
        finally:
            request.method = "HEAD"


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware, whose storage is built only when something reads or adds a
    message: most requests (every API call, every cached page) do neither, and building it
    (a cookie signer, the session's storage) was a few percent of such a request. A storage
    never built has nothing to store, as Django's own would have had nothing to update."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if type(messages) is SimpleLazyObject and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
