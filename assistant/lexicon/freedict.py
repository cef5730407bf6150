"""FreeDict ara-eng (Debian ``dict-freedict-ara-eng``): Arabic headwords, many of them set phrases,
with English translations.

The dictd files are read directly: ``.index`` lines give each headword's offset and length (in
dictd's base64) into the ``.dict.dz`` text, which is gzip-compressed. An entry's first line is the
headword and its pronunciation (``وقف إطلاق النار /wˈaqf …/``); the lines after it are the
translations, numbered when there are several.

Its multiword headwords (21,358) hold the phrases Buckwalter lacks (وقف إطلاق النار "ceasefire",
طائرات بدون طيار "drones"); some senses are wrong (التقى "pious"), which the tracing tolerates:
a wrong extra gloss can only make a word traceable that a reading already made so, or admit an
English word the Arabic does not have (measured by the planted-error check, docs/results.md).

Data: GPL-2+ (FreeDict project). Missing when apt was unavailable: ``load`` returns None.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from assistant.text.arabic import normalize_for_matching

FOLDER = Path("/usr/share/dictd")
NAME = "freedict-ara-eng"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _number(code: str) -> int:
    """A dictd base64 number.

    >>> _number("B"), _number("BA"), _number("IhAH")
    (1, 64, 2232327)
    """
    value = 0
    for ch in code:
        value = value * 64 + _B64.index(ch)
    return value


def files(folder: Path = FOLDER) -> tuple[Path, Path] | None:
    """The index and the dictionary, or None when the package is not installed."""
    index, text = folder / f"{NAME}.index", folder / f"{NAME}.dict.dz"
    return (index, text) if index.exists() and text.exists() else None


def load(folder: Path = FOLDER) -> dict[str, tuple[str, ...]] | None:
    """Normalised Arabic headword → its English translations (None when FreeDict is not installed)."""
    found = files(folder)
    if found is None:
        return None
    index, dictionary = found
    data = gzip.decompress(dictionary.read_bytes())
    entries: dict[str, tuple[str, ...]] = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        start, length = _number(parts[1]), _number(parts[2])
        lines = data[start : start + length].decode("utf-8", "replace").strip().splitlines()
        if len(lines) < 2:
            continue
        head = normalize_for_matching(re.sub(r"/[^/]*/", "", lines[0]).strip())
        senses = tuple(re.sub(r"^\d+\.\s*", "", t).strip() for t in lines[1:] if t.strip())
        if head and re.search(r"[\u0621-\u064a]", head):
            entries[head] = entries.get(head, ()) + senses
    return entries
