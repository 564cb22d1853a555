"""List functions longer than a limit (default 60 lines) in the app code, tests aside.

    python scripts/long_functions.py [--limit 60] [paths...]

Exits 1 when any is found, so the lint step can run it."""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

APP_DIRS = (
    "accounts",
    "aicommunity",
    "artworks",
    "common",
    "feed",
    "moderation",
    "social",
    "bench",
    "scripts",
)


def long_functions(paths: list[Path], *, limit: int) -> list[tuple[Path, int, str, int]]:
    found = []
    for path in paths:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append((path, node.lineno, node.name, length))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args(argv)
    roots = [Path(p) for p in (args.paths or APP_DIRS)]
    files = sorted(f for root in roots for f in ([root] if root.is_file() else root.rglob("*.py")))
    found = long_functions(files, limit=args.limit)
    for path, line, name, length in found:
        print(f"{path}:{line}: {name} is {length} lines (limit {args.limit})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
