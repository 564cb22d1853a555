"""What every page tells search engines and link previews: title, description, canonical URL,
Open Graph / Twitter card, language alternates and JSON-LD.

Pages are not prefixed by language. English and Chinese versions of a page share its path and
differ by `?lang=` (see `common.middleware.QueryLanguageMiddleware`): the hreflang alternates
point at `?lang=en` and `?lang=zh-hans`, and `x-default` at the bare, negotiated URL. Each is
its own canonical URL (the `seo_head` tag picks the one the request asked for).
"""

from __future__ import annotations

import json
from collections.abc import Sized
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html
from django.utils.safestring import SafeString

LANG_PARAM = "lang"
# What a member who asked AI crawlers not to train on their work puts on their pages and media
# (X-Robots-Tag and <meta name="robots">): the directives DeviantArt introduced, which several
# crawlers read.
NOAI = "noai, noimageai"
DESCRIPTION_MAX = 160
SCHEMA_ORG = "https://schema.org"


def absolute_url(url: str) -> str:
    """An absolute URL on the public site (SITE_URL) for a path; absolute URLs pass through
    (a bucket or CDN URL from the storage)."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def page_url(path: str, params: dict[str, str] | None = None) -> str:
    """Absolute URL of `path` with the non-empty `params` in a stable order."""
    query = urlencode([(k, v) for k, v in (params or {}).items() if v])
    return absolute_url(path) + (f"?{query}" if query else "")


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """One line of at most `limit` characters, cut at a word boundary when there is one."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:，。；：") + "…"


@dataclass
class PageMeta:
    """Everything the <head> says about one page."""

    title: str
    description: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    og_type: str = "website"
    image: str = ""  # absolute URL
    image_width: int | None = None
    image_height: int | None = None
    image_alt: str = ""
    noindex: bool = False
    # The page shows a member's work who asked AI crawlers not to train on it (NOAI).
    noai: bool = False
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    extra_og: dict[str, str] = field(default_factory=dict)
    # (title, absolute URL) of the Atom feeds that follow what this page lists.
    feeds: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.description = shorten(self.description)

    @property
    def x_robots_tag(self) -> str:
        """The X-Robots-Tag header the page is answered with ("" for none)."""
        return ", ".join(
            value for value, wanted in (("noindex", self.noindex), (NOAI, self.noai)) if wanted
        )

    @property
    def canonical(self) -> str:
        return page_url(self.path, self.params)

    def alternates(self) -> list[tuple[str, str]]:
        """(hreflang, absolute URL) for every language and x-default."""
        links = [
            (code, page_url(self.path, {**self.params, LANG_PARAM: code}))
            for code, _name in settings.LANGUAGES
        ]
        links.append(("x-default", self.canonical))
        return links


def unindexed_when_empty(meta: PageMeta, items: Sized) -> PageMeta:
    """A list page that lists nothing (a tag whose work is all hidden, a member with none, an
    empty collection) is a thin page: search engines are asked not to index it. `items` is
    the page's own list, already read: no query."""
    if not items:
        meta.noindex = True
    return meta


def jsonld_script(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    """A <script type="application/ld+json"> that cannot be broken out of: <, > and & are
    escaped inside the JSON strings, as django's json_script does."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))


# --- JSON-LD: the nodes every page's data is made of -----------------------------------------


class PersonLike(Protocol):
    """What a page says about a member (accounts.User has it)."""

    username: str
    profile_pic: FieldFile

    @property
    def display_name(self) -> str: ...

    def get_absolute_url(self) -> str: ...


def jsonld_thing(type_: str, **properties: object) -> dict[str, Any]:
    """A top-level JSON-LD node: schema.org's @context, the @type, then `properties` in the
    order given."""
    return {"@context": SCHEMA_ORG, "@type": type_, **properties}


def interaction_counters(**counts: int) -> list[dict[str, Any]]:
    """schema.org InteractionCounters, one an action in the order given:
    `interaction_counters(LikeAction=3)`."""
    return [
        {
            "@type": "InteractionCounter",
            "interactionType": f"{SCHEMA_ORG}/{action}",
            "userInteractionCount": count,
        }
        for action, count in counts.items()
    ]


def person_jsonld(
    person: PersonLike,
    *,
    identifier: str | None = None,
    counters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A member as a schema.org Person: name, @handle, profile URL and avatar; the profile page
    adds the member's id and counters."""
    data: dict[str, Any] = {
        "@type": "Person",
        "name": person.display_name,
        "alternateName": f"@{person.username}",
    }
    if identifier is not None:
        data["identifier"] = identifier
    data["url"] = absolute_url(person.get_absolute_url())
    if counters is not None:
        data["interactionStatistic"] = counters
    if person.profile_pic:
        data["image"] = absolute_url(person.profile_pic.url)
    return data
