"""What a fresh web worker loads before it takes traffic, so that its first requests do not pay
for it while others queue behind them: every project template compiled (Django's cached
loader keeps them for the process), the URL patterns (resolving, and in each language the
tables reverse() uses), and each language's catalogue.

Called once per process by aicommunity/wsgi.py (WARM_UP_ON_START, on by default); a template
that fails to compile is logged, never fatal, since the page that uses it reports it anyway."""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import Resolver404, get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def warm_up() -> float:
    """Load it all; returns the seconds it took."""
    started = time.perf_counter()
    for directory in settings.TEMPLATES[0]["DIRS"]:
        root = Path(directory)
        for path in sorted(root.rglob("*.html")):
            name = path.relative_to(root).as_posix()
            try:
                get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):
                logger.warning("template %s did not compile at start", name, exc_info=True)
    resolver = get_resolver()
    with contextlib.suppress(Resolver404):
        resolver.resolve("/")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Feed")
            # reverse() builds its lookup tables per language, on first use: a tenth of a
            # second, and of a cold page's time, per language.
            resolver.reverse_dict  # noqa: B018 - read for its side effect
            resolver.namespace_dict  # noqa: B018
            resolver.app_dict  # noqa: B018
    return time.perf_counter() - started
