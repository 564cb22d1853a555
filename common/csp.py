"""django-csp's middleware, with the policy string built once per process.

django-csp rebuilds the header from settings on every response (merging and sorting every
directive), which costs about as much as serving a page from the whole-page cache. Unless a
view overrides the policy, the string only differs by the nonce, so it is built once with a
placeholder and the response's own nonce is put in. Views that override the policy (django-csp's
decorators) take django-csp's own path."""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_NONCE_PLACEHOLDER = "csp-nonce-placeholder"
_PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace")
_built: dict[tuple[bool, bool], str] = {}


def _policy(*, nonce: str | None, report_only: bool) -> str:
    key = (report_only, bool(nonce))
    if key not in _built:
        _built[key] = build_policy(
            nonce=_NONCE_PLACEHOLDER if nonce else None, report_only=report_only
        )
    return _built[key].replace(_NONCE_PLACEHOLDER, nonce) if nonce else _built[key]


@receiver(setting_changed)
def _forget_built_policies(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


class BuiltOnceCSPMiddleware(CSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        overridden = any(
            getattr(response, name + suffix, None) is not None
            for name in _PER_VIEW
            for suffix in ("", "_ro")
        )
        if overridden or (response.status_code in (404, 500) and settings.DEBUG):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for header, report_only, exempt_flag, setting_name in (
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _policy(nonce=nonce, report_only=report_only)
            if not policy or header in response or getattr(response, exempt_flag, False):
                continue
            prefixes = (getattr(settings, setting_name, None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            ) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if nonce is None:
            # As django-csp does: a nonce asked for after the header is written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
