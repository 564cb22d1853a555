"""Compile the committed .po catalogs to .mo without GNU gettext (pure Python), so a bare
machine needs no Debian package for translations."""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_po(path: Path) -> dict[str, str]:
    messages: dict[str, str] = {}
    msgctxt = msgid = msgstr = None
    plural: dict[int, str] = {}
    msgid_plural = None
    section = None
    fuzzy = False

    def flush() -> None:
        nonlocal msgctxt, msgid, msgstr, msgid_plural, plural, fuzzy
        if msgid is not None and not fuzzy:
            key = msgid if msgctxt is None else f"{msgctxt}\x04{msgid}"
            if msgid_plural is not None:
                key = f"{key}\x00{msgid_plural}"
                value = "\x00".join(plural[i] for i in sorted(plural))
            else:
                value = msgstr or ""
            if value.replace("\x00", "") or msgid == "":
                messages[key] = value
        msgctxt = msgid = msgstr = msgid_plural = None
        plural = {}
        fuzzy = False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if msgid is not None and msgstr is not None:
                flush()
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            if msgstr is not None or plural:
                flush()
            msgctxt = ast.literal_eval(line[8:])
            section = "ctxt"
        elif line.startswith("msgid_plural "):
            msgid_plural = ast.literal_eval(line[13:])
            section = "plural_id"
        elif line.startswith("msgid "):
            if msgstr is not None or plural:
                flush()
            msgid = ast.literal_eval(line[6:])
            section = "id"
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            plural[index] = ast.literal_eval(line[line.index("]") + 1 :].strip())
            section = ("plural", index)
        elif line.startswith("msgstr "):
            msgstr = ast.literal_eval(line[7:])
            section = "str"
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if section == "ctxt":
                msgctxt += text
            elif section == "id":
                msgid += text
            elif section == "plural_id":
                msgid_plural += text
            elif section == "str":
                msgstr += text
            elif isinstance(section, tuple):
                plural[section[1]] += text
    flush()
    return messages


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
