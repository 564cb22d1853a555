"""The settings package: each setting is defined by one module, and `base` holds no switch.

scripts/settings_diff.py compares the values themselves with an earlier revision."""

from __future__ import annotations

import ast
from pathlib import Path

import aicommunity.settings as settings_package

SETTINGS_DIR = Path(settings_package.__file__).parent


def _assigned_settings(tree: ast.Module) -> set[str]:
    """UPPERCASE names a module assigns, at any depth of its top-level statements."""
    names = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()}
    return names


def _modules() -> dict[str, ast.Module]:
    return {
        path.stem: ast.parse(path.read_text())
        for path in sorted(SETTINGS_DIR.glob("*.py"))
        if path.name != "__init__.py"
    }


def test_every_setting_is_defined_by_exactly_one_module() -> None:
    owners: dict[str, list[str]] = {}
    for module, tree in _modules().items():
        for name in _assigned_settings(tree):
            owners.setdefault(name, []).append(module)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}
    exposed = {name for name in dir(settings_package) if name.isupper()}
    assert exposed - owners.keys() == set(), "a setting that no module of the package defines"


def test_the_package_composes_every_module() -> None:
    init = ast.parse((SETTINGS_DIR / "__init__.py").read_text())
    composed = {node.module for node in init.body if isinstance(node, ast.ImportFrom)}
    assert composed == set(_modules())


def test_base_switches_nothing_on_the_environment() -> None:
    """`base` only refuses a wrong DJANGO_ENV; every production branch lives in the module of
    its service."""
    tree = _modules()["base"]
    for node in tree.body:
        if isinstance(node, ast.If):
            assert [type(statement) for statement in node.body] == [ast.Raise]
            assert not node.orelse
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.IfExp)]
