"""Templates stay readable source: no hand-minified lines. The icon sprite and the
`{% oneline %}` tag that let markup be written over several lines render what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines

from common.templatetags.icons import icon_shapes_by_name

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
SPRITE = ROOT / "static" / "icons" / "sprite.svg"
MAX_LINE = 120


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


def test_no_template_line_is_longer_than_the_limit():
    long_lines = [
        f"{path.relative_to(ROOT)}:{number} ({len(line)} characters)"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > MAX_LINE
    ]
    assert not long_lines, f"template lines over {MAX_LINE} characters:\n" + "\n".join(long_lines)


def test_the_sprite_is_a_readable_file_too():
    assert all(len(line) <= MAX_LINE for line in SPRITE.read_text(encoding="utf-8").splitlines())


def test_every_icon_the_templates_name_is_in_the_sprite():
    shapes = icon_shapes_by_name()
    named = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'components/icon\.html" with name="([\w-]+)"', text))
        named |= set(re.findall(r'\bicon="([\w-]+)"', text))
    assert named, "no icon found: the pattern no longer matches how templates include icons"
    assert named <= set(shapes), sorted(named - set(shapes))


def test_an_icon_is_drawn_inline_from_the_sprite():
    html = render('{% include "components/icon.html" with name="play" class="big" %}')
    assert html == (
        '<svg class="icon big" viewBox="0 0 24 24" aria-hidden="true"\n  focusable="false">'
        '<path class="icon-fill" d="M7 4.5v15a1 1 0 0 0 1.5.86l12.5-7.5a1 1 0 0 0 0-1.72'
        'L8.5 3.64A1 1 0 0 0 7 4.5Z"/></svg>\n'
    )
    wrapped = icon_shapes_by_name()["settings"]  # its path data is wrapped over lines in the file
    assert wrapped.startswith(
        '<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.65 1.65 0 0 0 .33'
    )
    assert "\n" not in wrapped and "  " not in wrapped


def test_an_unknown_icon_is_empty_not_an_error():
    html = render('{% include "components/icon.html" with name="no-such-icon" class="" %}')
    assert html.endswith('focusable="false"></svg>\n')


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Line breaks and indentation between elements and words are dropped…
        ("<p>\n  <a href='x'>\n    link\n  </a>\n  word\n</p>", "<p><a href='x'>link</a>word</p>"),
        # …a space inside a line stays…
        ("<p>\n  a <b>b</b> c\n</p>", "<p>a <b>b</b> c</p>"),
        # …a break between a tag's attributes becomes one space…
        ('<a\n   href="x"\n   class="y">z</a>', '<a href="x" class="y">z</a>'),
        # …and one inside a quoted value (between template tags) disappears.
        ('<a class="a\n          {% if on %} b{% endif %}">z</a>', '<a class="a b">z</a>'),
        # Branches, loops and variables' own text are handled alike / left alone.
        (
            "{% for i in items %}\n  <i>{{ i }}</i>\n{% endfor %}\n"
            "{% if on %}\n  <b>\n    on\n  </b>\n{% endif %}",
            "<i>1\n2</i><i>3</i><b>on</b>",
        ),
    ],
)
def test_oneline_joins_the_lines_of_its_source(source, expected):
    template = "{% load oneline %}{% oneline %}" + source + "{% endoneline %}"
    assert render(template, on=True, items=["1\n2", "3"]) == expected


def test_oneline_leaves_text_outside_it_alone():
    template = "{% load oneline %}<p>\n  a\n</p>{% oneline %}\n  <b>\n  </b>\n{% endoneline %}\n"
    assert render(template) == "<p>\n  a\n</p><b></b>\n"
