"""A lower app never names a higher one, not even by string: no model label, URL name or
admin URL of a higher app in the code of common, accounts, artworks, social, feed or
notifications (prose and docstrings aside). Only moderation and memberdata may name
notifications."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HIGHER = {
    "common": (
        "accounts",
        "artworks",
        "feed",
        "memberdata",
        "moderation",
        "notifications",
        "social",
    ),
    "accounts": ("artworks", "feed", "memberdata", "moderation", "notifications", "social"),
    # its field `moderation` and its "feed" card sizes are not apps
    "artworks": ("memberdata", "notifications", "social"),
    "social": ("feed", "memberdata", "moderation", "notifications"),
    # notifications sits beside feed, above social: neither names the other; memberdata (a
    # member's export and deletion) sits on top, beside moderation
    "feed": ("memberdata", "notifications"),
    "notifications": ("feed", "memberdata", "moderation"),
}


def _code_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("app", sorted(HIGHER))
def test_no_string_names_a_higher_app(app: str) -> None:
    labels = "|".join(HIGHER[app])
    # "feed:profile", "admin:artworks_artwork_change", "artworks.Artwork", or a bare label.
    naming = re.compile(rf"^({labels})$|\b({labels})(:|\.[A-Za-z]|_[a-z]+_)")
    found = {
        f"{path.relative_to(ROOT)}: {text!r}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for text in _code_strings(path)
        if naming.search(text)
    }
    assert not found
