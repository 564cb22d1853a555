"""Compile the committed .po catalogs to .mo without GNU gettext (pure Python), so a bare
machine needs no Debian package for translations."""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _PoReader:
    """Reads a .po file line by line; an entry is stored when the next one begins (or at the
    end), unless it is marked fuzzy or has no translation."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        # Which string a continuation line ("...") extends.
        self.section: str | tuple[str, int] | None = None
        self._start_entry()

    def _start_entry(self) -> None:
        self.msgctxt: str | None = None
        self.msgid: str | None = None
        self.msgstr: str | None = None
        self.msgid_plural: str | None = None
        self.plural: dict[int, str] = {}
        self.fuzzy = False

    def flush(self) -> None:
        if self.msgid is not None and not self.fuzzy:
            key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
            if self.msgid_plural is not None:
                key = f"{key}\x00{self.msgid_plural}"
                value = "\x00".join(self.plural[i] for i in sorted(self.plural))
            else:
                value = self.msgstr or ""
            if value.replace("\x00", "") or self.msgid == "":
                self.messages[key] = value
        self._start_entry()

    def read(self, line: str) -> None:
        if line.startswith("#,") and "fuzzy" in line:
            if self.msgid is not None and self.msgstr is not None:
                self.flush()
            self.fuzzy = True
        elif not line or line.startswith("#"):
            return
        elif line.startswith('"'):
            self._continue(ast.literal_eval(line))
        else:
            self._keyword(line)

    def _keyword(self, line: str) -> None:
        if line.startswith("msgctxt "):
            if self.msgstr is not None or self.plural:
                self.flush()
            self.msgctxt = ast.literal_eval(line[8:])
            self.section = "ctxt"
        elif line.startswith("msgid_plural "):
            self.msgid_plural = ast.literal_eval(line[13:])
            self.section = "plural_id"
        elif line.startswith("msgid "):
            if self.msgstr is not None or self.plural:
                self.flush()
            self.msgid = ast.literal_eval(line[6:])
            self.section = "id"
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            self.plural[index] = ast.literal_eval(line[line.index("]") + 1 :].strip())
            self.section = ("plural", index)
        elif line.startswith("msgstr "):
            self.msgstr = ast.literal_eval(line[7:])
            self.section = "str"

    def _continue(self, text: str) -> None:
        if self.section == "ctxt":
            self.msgctxt += text
        elif self.section == "id":
            self.msgid += text
        elif self.section == "plural_id":
            self.msgid_plural += text
        elif self.section == "str":
            self.msgstr += text
        elif isinstance(self.section, tuple):
            self.plural[self.section[1]] += text


def parse_po(path: Path) -> dict[str, str]:
    reader = _PoReader()
    for raw in path.read_text(encoding="utf-8").splitlines():
        reader.read(raw.strip())
    reader.flush()
    return reader.messages


def write_mo(messages: dict[str, str], path: Path) -> None:
    keys = sorted(messages)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode(), messages[key].encode()
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\x00"
        strs += v + b"\x00"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    output += struct.pack(f"{len(koffsets)}i", *koffsets)
    output += struct.pack(f"{len(voffsets)}i", *voffsets)
    path.write_bytes(output + ids + strs)


def main() -> int:
    catalogs = sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po"))
    for po in catalogs:
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        write_mo(parse_po(po), mo)
        print(f"compiled {po.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
