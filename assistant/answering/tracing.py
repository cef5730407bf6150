"""Tracing an English rendering to its Arabic source, word by word.

Every content word of the English is linked to the Arabic word or phrase that supports it
(character offsets into the Arabic), or marked untraced:

- by the **lexicon** (``assistant.lexicon``): an English word whose stem is among the stems of an
  Arabic word's senses (every Buckwalter reading, FreeDict, arwikicats, our glossary), or of a
  phrase's (وقف إطلاق النار "ceasefire" covers its three words);
- as a **name**: the consonant skeleton of the Latin word matches an Arabic word's (Rubio ↔ روبيو),
  or the gazetteer's Arabic name for it is there (China ↔ الصين);
- as a **number**: the same value on both sides (digits, Arabic-Indic digits, number words);
- from the **question**: the verb framing someone's words ("told" for "What did Rubio tell …?"),
  when the reader's own question supplies it (no offsets); no other word, and never a name.

Then the checks that must agree: negation and doubt, numbers and names (``verification.contradictions``),
and the **role** of a possessive: where the Arabic has "envoy of Putin" (مبعوث بوتين) and the
English names Putin, the envoy must be there too ("met Putin" is another meeting): ``answering.roles``.

A rendering is *checked* when every content word is traced and no check disagrees.

Deliberately not here: making renderings (``answering.rendering``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.answering.names import (
    GAZETTEER,
    NAME_CLITICS,
    _close,
    arabic_skeleton,
    latin_skeleton,
    latin_spelled,
    numbers_in,
    without_article,
)
from assistant.answering.roles import is_function, role_problems
from assistant.answering.verification import NEGATED_EVIDENCE, contradictions, polarity
from assistant.lexicon.lexicon import Lexicon, english_stem, lexicon, sense_words
from assistant.records import TracedWord
from assistant.text.arabic import normalize_for_matching


def _words(text: str) -> list[str]:
    return text.split()


# English words that carry no content of their own (negation is checked apart, as polarity).
FUNCTION_WORDS = set(
    _words(
        "a an the of to in on at by for with from into onto over under about as than then so and or but nor if "
        "that this these those there here it its he him his she her hers they them their theirs we us our you "
        "your i me my is are was were be been being am has have had having do does did done will would shall "
        "should can could may might must also very just who whom whose which what when where why how all any "
        "some each every both either neither other such own same s not no never t up out off while because "
        "during per "
        # Adverbs and determiners that mostly carry no checkable content of their own.
        "more most many much next like within including still however further again well even ever ahead away "
        "through far way already yet only another several since until though although whether too around "
        "among across back down now currently whole "
        # The halves of contractions ("wouldn't": negation is checked apart).
        "wouldn couldn didn doesn isn aren wasn weren shouldn hasn haven hadn don ve re ll d m"
    )
)
FAMILIES = True  # trace through the Arabic word's root family (docs/results.md measures it off and on)
# A number keeps its ordinal ending ("17th" is one word, the 17 of القرن 17).
_ENGLISH_WORD = re.compile(r"(?:\d[\d,.]*\d|\d)(?:st|nd|rd|th)?\b|[A-Za-z]+|\d[\d,.]*\d|\d")
_ARABIC_WORD = re.compile(r"[\u0621-\u0652\u0660-\u0670\u0671-\u06d3\d]+|%")


@dataclass(frozen=True)
class Trace:
    """The word-by-word trace of an English rendering, and what disagrees with its source."""

    english: str
    words: tuple[TracedWord, ...]
    problems: tuple[str, ...]

    @property
    def untraced(self) -> list[str]:
        return [w.word for w in self.words if not w.traced]

    @property
    def coverage(self) -> float:
        return sum(w.traced for w in self.words) / len(self.words) if self.words else 1.0

    @property
    def checked(self) -> bool:
        return bool(self.words) and not self.untraced and not self.problems

    def rank(self) -> tuple[int, int, float]:
        """Sort key for candidates, best first: no disagreement, fewest untraced, fuller."""
        return (len(self.problems), len(self.untraced), -len(self.words))


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    normal: str


_SOURCE_WORD = re.compile(f"{_ARABIC_WORD.pattern}|[A-Za-z]+")  # Arabic words and Latin ones


def arabic_tokens(text: str, latin: bool = False) -> list[_Token]:
    """The words of an Arabic text, normalised; with ``latin``, also the words it writes in Latin
    letters (a film's title, "ET"), which an English word renders as themselves."""
    pattern = _SOURCE_WORD if latin else _ARABIC_WORD
    return [_Token(m.start(), m.end(), normalize_for_matching(m.group())) for m in pattern.finditer(text)]


class _Links:
    """English stem → the Arabic spans whose senses hold it, for one source sentence."""

    def __init__(self, tokens: list[_Token], lex: Lexicon) -> None:
        self.tokens = tokens
        self.lex = lex
        self.stems: dict[str, list[tuple[int, int]]] = {}
        self.family: dict[str, list[tuple[int, int]]] = {}
        self.token_stems: list[set[str]] = []
        words = [t.normal for t in tokens]
        for i, token in enumerate(tokens):
            stems = sense_words(lex.senses(token.normal))
            self.token_stems.append(stems)
            # A function word renders no content word, whatever else it reads as (أنه as آن "time").
            if not is_function(token.normal):
                for stem in stems:
                    self.stems.setdefault(stem, []).append((token.start, token.end))
                for stem in lex.family_stems(token.normal) - stems:
                    self.family.setdefault(stem, []).append((token.start, token.end))
            for n, senses in lex.phrases_at(words, i):
                span = (token.start, tokens[i + n - 1].end)
                for stem in sense_words(senses):
                    self.stems.setdefault(stem, []).append(span)
        self.numbers = [(t, numbers_in(t.normal)) for t in tokens]

    def by_lexicon(self, word: str) -> tuple[int, int] | None:
        stem = english_stem(word)
        spans = self.stems.get(stem)
        if not spans and len(stem) >= 6:  # derivations the stemmer keeps apart (attendee, attend)
            spans = next((v for k, v in self.stems.items() if _derived(stem, k)), None)
        if not spans and FAMILIES and word.islower():  # names are never traced by derivation
            spans = self.family.get(stem)
        return spans[0] if spans else None

    def by_number(self, word: str) -> tuple[int, int] | None:
        values = numbers_in(word)
        for token, found in self.numbers:
            if values and values & found:
                return (token.start, token.end)
        return None

    def by_name(self, word: str, loanword: bool = False) -> tuple[int, int] | None:
        variants = GAZETTEER.get(word.lower(), ())
        skeleton = latin_skeleton(word)
        # Two consonants, spelled out with their vowels (Palu بالو, Vann فان); one is too little
        # even so (Lee, لي "for me").
        spelled = latin_spelled(word) if len(skeleton) == 2 else ""
        for token in self.tokens:
            proper, unknown = self.lex.is_proper(token.normal), not self.lex.senses(token.normal)
            if loanword and (proper or not unknown):
                continue
            if token.normal == word.lower() or any(
                v == token.normal or (" " not in v and v in token.normal) for v in variants
            ):
                return (token.start, token.end)
            # Two consonants match too much (Russia RS ↔ للرئيس RS) by themselves: only a word
            # known as a name, or one no dictionary knows (روبيو); otherwise with their vowels.
            by_skeleton = len(skeleton) >= 3 or (len(skeleton) == 2 and (proper or unknown))
            # The word, or the word after a one-letter clitic (بروبيو); the onset is the
            # matched spelling's (باتون is Baton, not "atun" after a clitic ب).
            spellings = [token.normal] + ([token.normal[1:]] if token.normal[:1] in NAME_CLITICS else [])
            for spelling in spellings:
                if by_skeleton:
                    other = arabic_skeleton(spelling)
                    close = bool(other) and _close(skeleton, other)
                else:
                    close = bool(spelled) and spelled == arabic_skeleton(spelling, vowels=True)
                if close and _same_onset(word, spelling):
                    return (token.start, token.end)
        return None


def _derived(a: str, b: str) -> bool:
    """Whether two stems are one word's derivations: six letters in common, then at most four
    more on either side (govern, government; not immunodefici, immunolog).

    >>> _derived("attende", "attend"), _derived("immunodefici", "immunolog")
    (True, False)
    """
    if len(a) < 6 or len(b) < 6 or a[:6] != b[:6]:
        return False
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return len(a) - common <= 4 and len(b) - common <= 4


def _same_onset(latin: str, arabic: str) -> bool:
    """Whether both spellings start with a vowel, or both with a consonant (Europe is not روبيو);
    Arabic writes an alef before "s" + consonant (Spain, اسبانيا).

    >>> _same_onset("Europe", "روبيو"), _same_onset("Europe", "اوروبا"), _same_onset("Spain", "اسبانيا")
    (False, True, True)
    """
    word = without_article(arabic)
    latin_vowel = latin[:1].lower() in "aeiou"
    arabic_vowel = word[:1] in "اعء"
    return latin_vowel == arabic_vowel or (arabic_vowel and bool(re.match(r"s[^aeiou]", latin.lower())))


def trace(english: str, arabic: str, question: str = "", lex: Lexicon | None = None) -> Trace:
    """Link each content word of ``english`` to the part of ``arabic`` it renders.

    >>> t = trace("Rubio met Putin's envoy on Friday.", "التقى روبيو بمبعوث بوتين يوم الجمعة")
    >>> t.checked, [w.word for w in t.words]
    (True, ['Rubio', 'met', 'Putin', 'envoy', 'Friday'])
    >>> trace("Rubio met Putin on Friday.", "التقى روبيو بمبعوث بوتين يوم الجمعة").problems
    ('role: the Arabic has the envoy of Putin (بمبعوث بوتين), the English has Putin without the envoy',)
    """
    lex = lex or lexicon()
    links = _Links(arabic_tokens(arabic, latin=True), lex)
    words = _traced(english, links, question, rendering=True)
    traced = {w.word for w in words if w.traced}
    problems = [p for p in contradictions(english, arabic, question) if not _traced_name(p, traced)]
    if NEGATED_EVIDENCE in problems and not polarity(_rendered_part(words, links.tokens, arabic)):
        # The negation is in a clause the English does not render ("… in Brussels, but can't …").
        problems.remove(NEGATED_EVIDENCE)
    problems += role_problems(words, links, arabic) + _unit_problems(words, arabic) + _date_problems(words, links)
    return Trace(english, tuple(words), tuple(problems))


_MONTHS = set(_words("january february march april may june july august september october november december"))


def _date_problems(words: list[TracedWord], links: _Links) -> list[str]:
    """A date the English puts together from two dates of the Arabic: "December 2016" where the
    Arabic has "in December" (of one year) and "in October 2016". A month and the number beside
    it in the English must stand together in the Arabic too (two words apart at most)."""
    index = {(t.start, t.end): i for i, t in enumerate(links.tokens)}
    problems = []
    for a, b in zip(words, words[1:], strict=False):
        month, number = (a, b) if a.word.lower() in _MONTHS else (b, a)
        if month.word.lower() not in _MONTHS or number.via != "number" or b.start - a.end > 2:
            continue
        i, j = index.get(month.source or (-1, -1)), index.get(number.source or (-1, -1))
        if i is not None and j is not None and abs(i - j) > 2:
            problems.append(f"date: the Arabic does not put {month.word} and {number.word} together")
    return problems


# Arabic duals carry their unit: يومين is "two days", never "2 weeks".
DUAL_UNITS = {
    "يومين": "day", "يومان": "day", "شهرين": "month", "الشهرين": "month", "شهران": "month", "مرتين": "time",
    "مرتان": "time", "عامين": "year", "عامان": "year", "سنتين": "year", "سنتان": "year", "اسبوعين": "week",
    "اسبوعان": "week", "ساعتين": "hour",
}  # fmt: skip
_UNITS = {english_stem(u): u for u in _words("day week month year time hour minute")}


def _unit_problems(words: list[TracedWord], arabic: str) -> list[str]:
    problems = []
    for number, after in zip(words, words[1:], strict=False):
        if number.via != "number" or number.source is None or after.start - number.end > 1:
            continue  # the unit, if any, stands right after its number ("2 weeks", "two-day")
        dual = normalize_for_matching(arabic[number.source[0] : number.source[1]])
        unit, said = DUAL_UNITS.get(dual), _UNITS.get(english_stem(after.word))
        if unit and said and said != unit:
            problems.append(
                f"number: the Arabic has {arabic[number.source[0] : number.source[1]]} (two {unit}s), "
                f"the English has {number.word} {after.word}"
            )
    return problems


def _rendered_part(words: list[TracedWord], tokens: list[_Token], arabic: str) -> str:
    """The stretch of the Arabic the English renders: its traced words' span, with the three words
    before it (a negation stands before its verb: لم يكن) and the one after."""
    sources = [w.source for w in words if w.source]
    if not sources or not tokens:
        return arabic
    first = next(i for i, t in enumerate(tokens) if t.end > min(s for s, _ in sources))
    last = max(i for i, t in enumerate(tokens) if t.start < max(e for _, e in sources))
    lo, hi = max(0, first - 3), min(len(tokens) - 1, last + 1)
    return arabic[tokens[lo].start : tokens[hi].end]


def traced_words(english: str, arabic: str, lex: Lexicon | None = None) -> list[TracedWord]:
    """The content words of ``english`` and where in ``arabic`` each is found, without the checks
    (the names gate asks whether an article mentions a question's name at all)."""
    return _traced(english, _Links(arabic_tokens(arabic), lex or lexicon()), "")


# Verbs that frame a question about someone's words ("What did Rubio tell Russia?"): every quote
# has one (قال, أخبر), so they tell candidates apart by nothing but how the article reports speech;
# the Arabic overlap leaves قال out for the same reason (``text.words``).
SPEECH_FRAME = {"say", "said", "says", "tell", "told", "tells"}


def question_terms(question: str) -> set[str]:
    """The content words of an English question, lowercased, its speech verbs aside
    (``traced_terms`` looks for them).

    >>> sorted(question_terms("What did Rubio tell Russia?"))
    ['rubio', 'russia']
    """
    return {w.word.lower() for w in _traced(question, _Links([], lexicon()), "")} - SPEECH_FRAME


def traced_terms(question: str, arabic: str, lex: Lexicon | None = None) -> set[str]:
    """The ``question_terms`` the lexicon traces into ``arabic`` (by gloss, spelling or number):
    what an English question shares with an Arabic sentence, where the two scripts share no word.

    >>> sorted(traced_terms("Whom did Rubio meet on Friday?", "التقى روبيو بمبعوث بوتين يوم الجمعة"))
    ['friday', 'meet', 'rubio']
    """
    if not re.search("[A-Za-z]", question) or not _ARABIC_WORD.search(arabic):
        return set()
    links = _links(arabic) if lex is None else _Links(arabic_tokens(arabic), lex)
    return {w.word.lower() for w in _traced(question, links, "") if w.traced} - SPEECH_FRAME


@lru_cache(maxsize=4096)
def _links(arabic: str) -> _Links:
    """The default lexicon's links for one Arabic text, remembered: search and sentence ranking
    trace every question into the same chunks and sentences again and again."""
    return _Links(arabic_tokens(arabic), lexicon())


def _traced(english: str, links: _Links, question: str, rendering: bool = False) -> list[TracedWord]:
    asked = {english_stem(w) for w in _ENGLISH_WORD.findall(question)}
    words = []
    for m in _ENGLISH_WORD.finditer(english):
        word = m.group()
        if word.lower() in FUNCTION_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        source, via = None, ""
        if word[0].isdigit() or numbers_in(word):
            source, via = links.by_number(word), "number"
        if source is None and not word[0].isdigit():
            source, via = links.by_lexicon(word), "lexicon"
            if source is None:
                # A rendering writes its names capitalised: a lowercase word traces by its spelling
                # only to a word no dictionary knows, a loanword (melatonin الميلاتونين; "triad" is
                # not تُعرض "is shown"). A reader's question may not ("what did rubio tell russia").
                source, via = links.by_name(word, loanword=rendering and not word[0].isupper()), "name"
        if source is None:
            # The question may supply only the verb framing someone's words ("told" for "tell"):
            # any other word of it the quote does not hold is the question's premise, not the
            # article's ("the Labor Party is strongest in affluent areas" over a quote about
            # working-class suburbs), and a name the quote lacks makes it about someone else.
            via = "question" if english_stem(word) in asked and word.lower() in SPEECH_FRAME else ""
        words.append(TracedWord(word, m.start(), m.end(), source, via))
    return words


def _traced_name(problem: str, traced: set[str]) -> bool:
    """A "name … is not in the evidence" whose every word the lexicon traced (Friday ← الجمعة)."""
    m = re.fullmatch(r"name (.+) is not in the evidence", problem)
    return m is not None and all(w in traced for w in m.group(1).split())
