"""`{% oneline %}…{% endoneline %}`: write inline markup over several source lines.

Between an inline element and a word, a line break in the template would become a visible
space on the page. Inside this block each line break of the template's own text, with the
indentation around it, is dropped when the template is compiled, so the block renders exactly
as if it were written on one line; a space that matters stays inside a line. A break inside an
HTML tag (between its attributes) becomes one space. Only the template's literal text is
touched, never a variable's or an included template's output, and it costs nothing per
render."""

from __future__ import annotations

import re

from django import template
from django.template.base import Parser, TextNode, Token

register = template.Library()

_MARKUP = re.compile(r"<[A-Za-z/!]|>|\"|'|[ \t]*\n[ \t]*")


class _Joiner:
    """Joins the lines of consecutive pieces of template text, remembering across pieces
    whether the text is inside an HTML tag (and inside a quoted attribute value)."""

    def __init__(self) -> None:
        self.in_tag = False
        self.quote = ""

    def join(self, text: str) -> str:
        return _MARKUP.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        piece = match.group()
        if "\n" in piece:
            return " " if self.in_tag and not self.quote else ""
        if piece in ('"', "'"):
            if self.in_tag and self.quote in ("", piece):
                self.quote = "" if self.quote else piece
        elif piece == ">":
            if not self.quote:
                self.in_tag = False
        elif not self.quote:
            self.in_tag = True
        return piece


class OneLineNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        return self.nodelist.render(context)


@register.tag
def oneline(parser: Parser, token: Token) -> OneLineNode:
    nodelist = parser.parse(("endoneline",))
    parser.delete_first_token()
    joiner = _Joiner()
    for node in nodelist.get_nodes_by_type(TextNode):
        node.s = joiner.join(node.s)
    return OneLineNode(nodelist)
