"""The WSGI handler the site is served by: Django's, remembering where each URL leads.

Django resolves every request's path against the URL patterns from the top, a walk through
every pattern before the matching one (the API's routes are many): as much time as a cached
signed-in page spends reading its copy. A path's resolution depends on nothing but the path
and the URL configuration, so each process remembers it (bounded: any number of distinct
paths only evicts) and hands every request its own copy of the match, with its own argument
dicts, so that nothing a view or middleware does to them reaches another request. A path that
resolves to nothing (404) is resolved again each time, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, get_script_name
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import ResolverMatch, get_resolver, set_script_prefix, set_urlconf

from .setting_memos import cleared_on_change


@cleared_on_change("ROOT_URLCONF")
@functools.lru_cache(maxsize=4096)
def _resolved(urlconf: str, path: str) -> ResolverMatch:
    return get_resolver(urlconf).resolve(path)


def _own_copy(match: ResolverMatch) -> ResolverMatch:
    # copy.copy() would go through pickling, which ResolverMatch refuses.
    mine = ResolverMatch.__new__(ResolverMatch)
    mine.__dict__.update(match.__dict__)
    mine.kwargs = dict(match.kwargs)
    if match.captured_kwargs is not None:
        mine.captured_kwargs = dict(match.captured_kwargs)
    if match.extra_kwargs is not None:
        mine.extra_kwargs = dict(match.extra_kwargs)
    return mine


class RememberingResolve:
    """For a Django handler: its resolve_request, remembered per process."""

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """Django's resolve_request, with the resolution remembered per process."""
        if hasattr(request, "urlconf"):
            urlconf = request.urlconf
            set_urlconf(urlconf)
        else:
            urlconf = settings.ROOT_URLCONF
        resolver_match = _own_copy(_resolved(urlconf, request.path_info))
        request.resolver_match = resolver_match
        return resolver_match


class RememberingWSGIHandler(RememberingResolve, WSGIHandler):
    def __call__(self, environ: dict, start_response: Callable) -> HttpResponseBase:
        """Django's WSGIHandler.__call__, with the response's headers handed to the server
        from the mapping that keeps them as (name, value) pairs: Django's own walks the mapping
        and looks each name up again (a tenth of a cached page's calls, for a dozen headers)."""
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=self.__class__, environ=environ)
        request = self.request_class(environ)
        response = self.get_response(request)

        response._handler_class = self.__class__

        status = f"{response.status_code} {response.reason_phrase}"
        response_headers = [
            *response.headers._store.values(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(status, response_headers)
        if getattr(response, "file_to_stream", None) is not None and environ.get(
            "wsgi.file_wrapper"
        ):
            # As Django's: the server closes the wrapper, which closes the response.
            response.file_to_stream.close = response.close
            response = environ["wsgi.file_wrapper"](response.file_to_stream, response.block_size)
        return response
