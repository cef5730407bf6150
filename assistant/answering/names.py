"""Names and numbers across English and Arabic, for evidence checks and abstention.

- ``key_terms``: the names and numbers a question is about ("What did Zelensky say …" →
  ``["Zelensky"]``); an answer must find each of them in its evidence, or abstain.
- ``name_in_arabic``: whether a Latin name plausibly appears in Arabic text, by a small
  gazetteer of places and bodies whose Arabic names are translations (China → الصين) and,
  for the rest, a consonant skeleton match (Rubio → R-B ↔ روبيو → R-B).
- ``numbers_in``: the numbers in a text, from digits (Arabic-Indic included) and number words
  in both languages ("twice", "مرتين" → 2).

Deliberately not here: full transliteration or named-entity recognition; these are
heuristics, measured by the answer evaluation, and they err towards "not found".
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.lexicon.lexicon import lexicon
from assistant.text.arabic import normalize_for_matching

GAZETTEER: dict[str, tuple[str, ...]] = {
    "china": ("الصين", "صيني", "بكين"),
    "russia": ("روسيا", "روسي", "الروس", "موسكو", "الكرملين"),
    "russian": ("روسي", "روسيا", "الروس"),
    "russians": ("الروس", "روسي"),
    "ukraine": ("اوكرانيا", "اوكراني", "كييف"),
    "ukrainian": ("اوكراني", "اوكرانيا"),
    "ukrainians": ("اوكراني", "اوكرانيا"),
    "united states": ("الولايات المتحده", "امريكا", "امريكي", "واشنطن"),
    "us": ("الولايات المتحده", "امريكا", "امريكي", "واشنطن"),
    "u.s.": ("الولايات المتحده", "امريكا", "امريكي", "واشنطن"),
    "america": ("امريكا", "امريكي", "الولايات المتحده"),
    "american": ("امريكي", "امريكا", "الولايات المتحده"),
    "nato": ("الناتو", "حلف شمال الاطلسي"),
    "european union": ("الاتحاد الاوروبي",),
    "eu": ("الاتحاد الاوروبي",),
    "europe": ("اوروبا", "اوروبي"),
    "european": ("اوروبا", "اوروبي"),
    "saudi arabia": ("السعوديه",),
    "saudi": ("السعوديه", "سعودي"),
    "riyadh": ("الرياض",),
    "black sea": ("البحر الاسود",),
    "white house": ("البيت الابيض",),
    "kremlin": ("الكرملين",),
    "kyiv": ("كييف",),
    "kiev": ("كييف",),
    "britain": ("بريطانيا", "المملكه المتحده"),
    "uk": ("بريطانيا", "المملكه المتحده"),
    "france": ("فرنسا", "فرنسي"),
    "germany": ("المانيا", "الماني"),
    "turkey": ("تركيا", "تركي"),
    "iran": ("ايران", "ايراني"),
    "israel": ("اسرائيل", "اسرائيلي"),
    "egypt": ("مصر", "مصري"),
    "syria": ("سوريا", "سوري"),
    "iraq": ("العراق", "عراقي"),
    "india": ("الهند", "هندي"),
    "japan": ("اليابان", "ياباني"),
    "korea": ("كوريا",),
    "gaza": ("غزه",),
    "qatar": ("قطر",),
    "brussels": ("بروكسل",),
    "washington": ("واشنطن",),
    "moscow": ("موسكو",),
    "beijing": ("بكين",),
    "senate": ("مجلس الشيوخ",),
    "supreme court": ("المحكمه العليا",),
    "un": ("الامم المتحده",),
    "united nations": ("الامم المتحده",),
}

# Coarse consonant classes, so that a Latin spelling and an Arabic one of a name compare equal.
_LATIN_CLASSES = [
    ("ph", "F"),
    ("sh", "S"),
    ("ch", "S"),
    ("kh", "K"),
    ("th", "T"),
    ("ck", "K"),
    ("dh", "D"),
    ("gh", "K"),
    ("b", "B"),
    ("p", "B"),
    ("t", "T"),
    ("d", "D"),
    ("k", "K"),
    ("c", "K"),
    ("q", "K"),
    ("g", "G"),
    ("j", "G"),
    ("f", "F"),
    ("v", "F"),
    ("s", "S"),
    ("z", "Z"),
    ("x", "KS"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("r", "R"),
    ("h", "H"),
]
_ARABIC_CLASSES = {
    "ب": "B", "پ": "B", "ت": "T", "ط": "T", "ث": "T", "د": "D", "ض": "D", "ذ": "Z", "ظ": "Z", "ك": "K", "ق": "K",
    "غ": "G", "خ": "K", "ج": "G", "ف": "F", "ڤ": "F", "س": "S", "ص": "S", "ش": "S", "ز": "Z", "ل": "L", "م": "M",
    "ن": "N", "ر": "R", "ه": "H", "ح": "H", "ع": "", "ء": "", "ا": "", "و": "", "ي": "",
}  # fmt: skip

_QUESTION_WORDS = {
    "what", "who", "whom", "whose", "when", "where", "why", "how", "which", "did", "does", "do", "is", "are", "was",
    "were", "the", "a", "an", "in", "on", "of", "and", "or", "to", "i", "tell", "say", "said", "according",
}  # fmt: skip


# Capitalised only because they open a sentence or clause: never a name.
_OPENERS = set(
    re.findall(
        r"\w+",
        "since after before during while although though if as at by for from in into on over under until "
        "with without about against among between this that these those there then also besides despite "
        "apart regarding concerning following",
    )
)


# Common nouns in names of bodies and titles: translated, not transliterated, so not matched.
_TITLE_WORDS = {
    "council", "court", "house", "ministry", "minister", "president", "secretary", "general", "office",
    "department", "committee", "party", "army", "forces", "union", "fund", "bank", "agency", "state", "states",
    "foreign", "deputy", "senior", "official", "mr", "mrs", "ms", "dr", "first", "amendment",
}  # fmt: skip


def latin_skeleton(word: str) -> str:
    """Consonant classes of a Latin word, vowels and w/y dropped.

    >>> latin_skeleton("Rubio"), latin_skeleton("Zelensky"), latin_skeleton("Witkoff"), latin_skeleton("Kavanaugh")
    ('RB', 'ZLNSK', 'TKF', 'KFN')
    """
    # A silent "gh" (Kavanaugh, Willoughby, Knight) has no Arabic letter.
    word = re.sub(r"gh(?![aeiouy])", "", word.lower())
    out: list[str] = []
    i = 0
    while i < len(word):
        for latin, cls in _LATIN_CLASSES:
            if word.startswith(latin, i):
                if not out or out[-1] != cls:  # doubled letters ("ff") are one sound
                    out.append(cls)
                i += len(latin)
                break
        else:
            i += 1
    return "".join(out)


_VOWELS = {"a": "A", "o": "W", "u": "W", "e": "Y", "i": "Y", "y": "Y", "w": "W"}
_ARABIC_VOWELS = {"ا": "A", "و": "W", "ي": "Y", "ى": "Y"}


def latin_spelled(word: str) -> str:
    """A Latin name letter by letter as Arabic writes a foreign name, its vowels long (Palu
    بالو, Vann فان): consonant classes, and a, o/u/w, e/i/y as ا, و, ي; a final silent e dropped.

    >>> latin_spelled("Palu"), latin_spelled("Vann"), latin_spelled("Wayde")
    ('BALW', 'FAN', 'WAYD')

    ``arabic_skeleton(word, vowels=True)`` spells an Arabic word the same way.
    """
    word = word.lower()
    word = word[:-1] if len(word) > 3 and word.endswith("e") else word
    out: list[str] = []
    i = 0
    while i < len(word):
        cls = _VOWELS.get(word[i])
        step = 1
        if cls is None:
            found = next(((latin, c) for latin, c in _LATIN_CLASSES if word.startswith(latin, i)), ("", ""))
            cls, step = found[1], max(1, len(found[0]))
        if cls and (not out or out[-1] != cls):
            out.append(cls)
        i += step
    return "".join(out)


# One-letter clitics that may stand before a name (و ب ل ف: بروبيو "with Rubio").
NAME_CLITICS = "وبلف"


def without_article(normal: str) -> str:
    """A normalised Arabic word without its article, alone or after و/ب/ل, when a word of three
    letters is left (الرئيس → رئيس; ال stays in الف).

    >>> without_article("والرئيس"), without_article("للبيت"), without_article("روبيو")
    ('رئيس', 'بيت', 'روبيو')
    """
    for prefix in ("وال", "بال", "لل", "ال"):
        if normal.startswith(prefix) and len(normal) > len(prefix) + 2:
            return normal[len(prefix) :]
    return normal


@lru_cache(maxsize=262144)
def arabic_skeleton(word: str, vowels: bool = False) -> str:
    """Consonant classes of an Arabic word, the article and long vowels dropped; with ``vowels``,
    its long vowels kept (``latin_spelled``'s counterpart).

    >>> arabic_skeleton("روبيو"), arabic_skeleton("زيلينسكي"), arabic_skeleton("ويتكوف")
    ('RB', 'ZLNSK', 'TKF')
    >>> arabic_skeleton("بالو", vowels=True), arabic_skeleton("فان", vowels=True)
    ('BALW', 'FAN')
    """
    out: list[str] = []
    for ch in without_article(normalize_for_matching(word)):
        cls = _ARABIC_VOWELS[ch] if vowels and ch in _ARABIC_VOWELS else _ARABIC_CLASSES.get(ch, "")
        if cls and (not out or out[-1] != cls):
            out.append(cls)
    return "".join(out)


def _close(a: str, b: str) -> bool:
    """Equal skeletons, or one edit apart for long names that start alike (short ones collide).
    A final S and Z are one: English writes a final /z/ with "s" (Sims, سيمز).

    >>> _close(latin_skeleton("Sims"), arabic_skeleton("سيمز")), _close("SMS", "SMT")
    (True, False)
    """
    if a == b or (a[-1:] in "SZ" and b[-1:] in "SZ" and a[:-1] == b[:-1] and a[-1:] and b[-1:]):
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=64)
def _skeletons(text: str) -> frozenset[str]:
    """The skeletons of a normalised text's Arabic words (kept: each question checks its names
    against the same few articles)."""
    words = re.findall(r"[\u0621-\u064a]+", text)
    # A one-letter clitic (و ب ل ف) may stand before a name: try each word with and without it.
    skeletons = {arabic_skeleton(w) for w in words} | {arabic_skeleton(w[1:]) for w in words if w[:1] in NAME_CLITICS}
    return frozenset(skeletons - {""})


# How Arabic spells the letters of a Latin acronym (ABC: أيه بي سي, TV: تي في, FBI: إف بي آي),
# normalised for matching (alefs unified).
_LETTER_NAMES = {
    "A": ("ايه", "اي", "ا"), "B": ("بي",), "C": ("سي",), "D": ("دي",), "E": ("اي", "ي"), "F": ("اف",),
    "G": ("جي",), "H": ("اتش", "اتش"), "I": ("اي", "اي"), "J": ("جاي", "جي"), "K": ("كي", "كاي"),
    "L": ("ال",), "M": ("ام",), "N": ("ان",), "O": ("او",), "P": ("بي",), "Q": ("كيو",), "R": ("ار",),
    "S": ("اس",), "T": ("تي",), "U": ("يو",), "V": ("في",), "W": ("دبليو",), "X": ("اكس",), "Y": ("واي",),
    "Z": ("زد", "زي"),
}  # fmt: skip


def acronym_in_arabic(acronym: str, arabic_text: str) -> bool:
    """Whether a Latin acronym is spelled letter by letter in Arabic text, the letters' names as
    consecutive words or run together.

    >>> acronym_in_arabic("ABC", "أطلقت شبكة أيه بي سي حملة"), acronym_in_arabic("TV", "مشاهدي تي في")
    (True, True)
    >>> acronym_in_arabic("ABC", "أطلقت شبكة سي بي إس حملة"), acronym_in_arabic("Abc", "أيه بي سي")
    (False, False)
    """
    if not re.fullmatch(r"[A-Z]{2,6}", acronym):
        return False
    words = re.findall(r"[\u0621-\u064a]+", normalize_for_matching(arabic_text))
    letters = [_LETTER_NAMES[c] for c in acronym]
    n = len(letters)
    for i in range(len(words)):
        spaced = i + n <= len(words) and all(
            any(words[i + j].removeprefix("و") == name or words[i + j] == name for name in letters[j]) for j in range(n)
        )
        if spaced or _run_together(words[i], letters):
            return True
    return False


def _run_together(word: str, letters: list[tuple[str, ...]]) -> bool:
    """Whether ``word`` is the letter names written as one word (اف بي اي → افبياي)."""
    ends = {0}
    for names in letters:
        ends = {e + len(n) for e in ends for n in names if len(n) > 1 and word.startswith(n, e)}
        if not ends:
            return False
    return len(word) in ends


def name_in_arabic(name: str, arabic_text: str) -> bool:
    """Whether a Latin name (one or more words) plausibly occurs in Arabic text.

    >>> name_in_arabic("Rubio", "وقال روبيو إن الوقت ينفد"), name_in_arabic("China", "موقف الصين")
    (True, True)
    >>> name_in_arabic("Zelensky", "وقال روبيو إن الوقت ينفد")
    False
    """
    key = name.lower().strip()
    text = normalize_for_matching(arabic_text)
    if acronym_in_arabic(name.strip(), arabic_text):
        return True
    if key in GAZETTEER:
        return any(variant in text for variant in GAZETTEER[key])
    skeletons = _skeletons(text)
    parts = [p for p in re.findall(r"[A-Za-z]+", name) if p.lower() not in _QUESTION_WORDS | _TITLE_WORDS]

    def found(part: str) -> bool:
        if part.lower() in GAZETTEER:
            return any(variant in text for variant in GAZETTEER[part.lower()])
        skeleton = latin_skeleton(part)
        return len(skeleton) >= 2 and any(_close(skeleton, s) for s in skeletons)

    # The family name must be there, and most of the other words: Arabic news often drops first
    # names ("Steve Witkoff" → ويتكوف), never the family name ("Emmanuel Macron" needs ماكرون).
    hits = [found(p) for p in parts]
    return bool(parts) and hits[-1] and sum(hits) * 2 >= len(hits)


def key_terms(question: str) -> list[str]:
    """Names (capitalised words not opening the question, and gazetteer entries) and numbers.

    >>> key_terms("What did Zelensky say about the energy ceasefire?")
    ['Zelensky']
    >>> key_terms("What is China's position on the peace talks in 2025?")
    ['China', '2025']
    >>> key_terms("Who is Steve Witkoff?"), key_terms("Fossils found there were how old?")
    (['Steve Witkoff'], [])
    """
    terms: list[str] = []
    text = re.sub(r"[’']s\b", "", question)
    opening = len(text) - len(text.lstrip())
    for match in re.finditer(r"\b[A-Z][a-zA-Z.]*(?:[\s-]+[A-Z][a-zA-Z.]*)*", text):
        words = [w for w in match.group().split() if w.lower() not in _QUESTION_WORDS | _OPENERS]
        if match.start() == opening and len(words) == 1 and lexicon().is_english_word(words[0]):
            continue  # an ordinary word capitalised because it opens the question ("Fossils found …")
        if words:
            terms.append(" ".join(words).rstrip("."))
    lowered = text.lower()
    for entry in GAZETTEER:
        if " " in entry and entry in lowered and not any(entry in t.lower() for t in terms):
            terms.append(entry)
    terms.extend(re.findall(r"\b\d[\d,.]*\b", text))
    return terms


_NUMBER_WORDS = {
    "one": 1, "once": 1, "two": 2, "twice": 2, "three": 3, "thrice": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "dozen": 12, "hundred": 100, "thousand": 1000,
    "واحد": 1, "مره": 1, "اثنان": 2, "اثنين": 2, "مرتين": 2, "مرتان": 2, "يومين": 2, "يومان": 2, "الشهرين": 2,
    "شهرين": 2, "عامين": 2, "عامان": 2, "سنتين": 2, "سنتان": 2, "اسبوعين": 2, "اسبوعان": 2, "ساعتين": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}  # fmt: skip


def numbers_in(text: str) -> set[int]:
    """Numbers written as digits or number words, in English or Arabic.

    >>> sorted(numbers_in("He went twice, in 2025 and ٣ times"))
    [2, 3, 2025]
    >>> sorted(numbers_in("سافر روبيو مرتين خلال الشهرين الماضيين"))
    [2]
    >>> 150000 in numbers_in("ما يقرب من 150.000 سيارة")
    True
    """
    normal = normalize_for_matching(text)
    found = {int(d.replace(",", "")) for d in re.findall(r"\d[\d,]*", normal) if d.replace(",", "").isdigit()}
    # Arabic text often groups thousands with a dot (150.000 سيارة, 150,000 cars).
    found |= {int(d.replace(".", "")) for d in re.findall(r"(?<![\d.])\d{1,3}(?:\.\d{3})+(?![\d.])", normal)}
    for word in re.findall(r"\w+", normal):
        bare = word[1:] if word[:1] in "وب" and word[1:] in _NUMBER_WORDS else word
        if bare in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[bare])
    return found
