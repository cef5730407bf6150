"""Arabic text for matching: normalisation, sentence boundaries, word tokens.

Normalisation here is for *matching only* (the lexical index, evidence checks). Text that is
stored, quoted or shown is never changed.

Deliberately not here: stemming dictionaries, morphological analysis, transliteration.
``light_stem`` strips only the most common clitics and is meant for the lexical index.

>>> normalize_for_matching("أَحْمَـــد إلى الْمَدْرَسَة ١٢")
'احمد الي المدرسه 12'
"""

from __future__ import annotations

import re
import unicodedata

# Tashkeel (harakat, tanwin, shadda, sukun, dagger alef) and Quranic marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
_CHAR_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        # Arabic-Indic and Persian digits to ASCII.
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "٫": ".",
        "٬": ",",
    }
)


# Month names, normalised (``normalize_for_matching``): Egyptian and Levantine forms.
MONTHS_AR = {
    "يناير": 1, "كانون الثاني": 1, "فبراير": 2, "شباط": 2, "مارس": 3, "اذار": 3, "ابريل": 4, "نيسان": 4,
    "مايو": 5, "ايار": 5, "يونيو": 6, "حزيران": 6, "يوليو": 7, "تموز": 7, "اغسطس": 8, "اب": 8,
    "سبتمبر": 9, "ايلول": 9, "اكتوبر": 10, "تشرين الاول": 10, "نوفمبر": 11, "تشرين الثاني": 11,
    "ديسمبر": 12, "كانون الاول": 12,
}  # fmt: skip


def normalize_for_matching(text: str) -> str:
    """Strip tashkeel and tatweel, unify alef/yaa/taa marbuta, ASCII digits, lower-case.

    >>> normalize_for_matching("روسيــا تُريد السلام")
    'روسيا تريد السلام'
    """
    text = unicodedata.normalize("NFC", text)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_CHAR_MAP).lower()


def arabic_share(text: str) -> float:
    """The share of letters in ``text`` that are Arabic script (0.0 when there are none).

    >>> arabic_share("Rubio روبيو")
    0.5
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f") / len(letters)


def language_of(text: str) -> str:
    """'ar' when most letters of ``text`` are Arabic script, else 'en' (the languages answers are read in).

    >>> language_of("ماذا قال روبيو؟"), language_of("What did Rubio say?"), language_of("Rubio روبيو")
    ('ar', 'en', 'en')
    """
    return "ar" if arabic_share(text) > 0.5 else "en"


# A sentence ends at . ! ? ؟ (possibly repeated, possibly followed by closing quotes or brackets)
# when whitespace or the end follows, and at every line break. The Arabic comma does not end one.
_SENTENCE_END = re.compile(r"[.!?؟…]+[\"'»”’)\]]*(?=\s|$)|\n")


def _inside_quote(text: str, line_start: int, at: int) -> bool:
    """Whether position ``at`` lies inside an open quotation that began on the same line."""
    segment = text[line_start:at]
    return segment.count('"') % 2 == 1 or segment.count("«") > segment.count("»")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, whitespace trimmed, empty ones dropped.

    A full stop inside a quotation does not end the sentence that quotes it (the quotation and its
    attribution stay together); a line break always ends one.

    >>> t = 'قال: "هذا الوقت قادم"، وأضاف: "إنه قصير جدًا." ثم غادر.\\nسطر آخر'
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['قال: "هذا الوقت قادم"، وأضاف: "إنه قصير جدًا."', 'ثم غادر.', 'سطر آخر']
    >>> t = '"بالطبع، روسيا تريد السلام. في ظل الظروف المناسبة"، قال مسؤول. ثم.'
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['"بالطبع، روسيا تريد السلام. في ظل الظروف المناسبة"، قال مسؤول.', 'ثم.']
    """
    spans: list[tuple[int, int]] = []
    start = line_start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group() == "\n":
            spans.append((start, match.start()))
            start = line_start = match.end()
            continue
        if _inside_quote(text, line_start, match.end()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


_WORD = re.compile(r"\w+", re.UNICODE)
# Conjunction/preposition + article clitics, longest first; only stripped when a stem of
# at least three letters remains, so short words such as "وال" stay whole.
_PREFIXES = ("وبال", "وكال", "فبال", "وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("هما", "كما", "ها", "هم", "ات", "ون", "ين", "ان", "ه", "ي")


def light_stem(word: str) -> str:
    """Strip one leading clitic group and one common suffix from a normalised Arabic word.

    >>> light_stem("والمفاوضات"), light_stem("بالسلام"), light_stem("روسيا")
    ('مفاوض', 'سلام', 'روسيا')
    """
    if not ("\u0621" <= word[:1] <= "\u064a"):
        return word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def match_tokens(text: str) -> list[str]:
    """Normalised, lightly stemmed word tokens for lexical matching.

    >>> match_tokens("قال روبيو: الوقتُ ينفد! Rubio's 2025")
    ['قال', 'روبيو', 'وقت', 'ينفد', 'rubio', 's', '2025']
    """
    stems = _STEMS
    tokens = []
    for word in _WORD.findall(normalize_for_matching(text)):
        stem = stems.get(word)
        if stem is None:
            stem = light_stem(word)
            if len(stems) < _STEMS_KEPT:
                stems[word] = stem
        tokens.append(stem)
    return tokens


# Stems of words seen so far: news vocabulary is Zipfian, so most words repeat and stemming them
# again was two thirds of the time to build the lexical index (about 20 s at 100k chunks).
_STEMS: dict[str, str] = {}
_STEMS_KEPT = 500_000
