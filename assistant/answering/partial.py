"""What a short answer leaves out of the Arabic words it renders.

A short answer ("Greg", "ten years") claims to be the whole of what the quote gives. When it
renders the start of something and not the rest, it traces word by word and is still wrong:

- the start of a **name** and not its end: "Greg" for جريج كلارك (``cut_names``);
- some words of a **title in quotation marks**: "Republic of Macedonia" for "جمهورية مقدونيا الشمالية";
- one end of a **range**: "ten years" for خمس إلى عشر سنوات, "1,500" for بين 1000 و1500;
- a day and month without the **year** that follows: "October 6" for 6 تشرين الأول/أكتوبر 1973.

Each is a *gap* of the candidate (``Rendering.gaps``): the answer stays a draft and a fuller
candidate is sought. Deliberately not here: tracing the words (``answering.tracing``).
"""

from __future__ import annotations

import re

from assistant.answering.names import numbers_in
from assistant.answering.roles import is_function, within
from assistant.answering.tracing import arabic_tokens, trace  # noqa: F401 (the examples trace)
from assistant.lexicon.lexicon import Lexicon, lexicon
from assistant.records import TracedWord
from assistant.text.arabic import MONTHS_AR

# A title quoted inside the sentence: a few words between quotation marks, not a quoted statement.
_QUOTED = re.compile(r"[\"“«]([^\"“”«»\n]{2,80})[\"”»]")
_TITLE_WORDS = 5
_MONTH_WORDS = {w for month in MONTHS_AR for w in month.split()}  # تشرين, الاول, اكتوبر, …
# Between the two ends of a range: "خمس إلى عشر", "من 5 حتى 10", "5-10", "بين 5 و10".
_RANGE_WORDS = {"الي", "حتي", "او"}


def partial(words: tuple[TracedWord, ...], arabic: str, lex: Lexicon | None = None) -> list[str]:
    """Each thing the short answer ``words`` (traced to ``arabic``) gives only part of, said for
    the reader ("gives only part of a name: جريج كلارك").

    >>> partial(trace("ten years", "يحتاج عادةً خمس إلى عشر سنوات").words, "يحتاج عادةً خمس إلى عشر سنوات")
    ['gives only one end of a range: خمس إلى عشر']
    """
    lex = lex or lexicon()
    return [
        *(f"gives only part of a name: {name}" for name in cut_names(words, arabic, lex)),
        *(f"gives only part of a title: {title}" for title in cut_titles(words, arabic)),
        *(f"gives only one end of a range: {span}" for span in cut_ranges(words, arabic)),
        *(f"gives a date without its year: {span}" for span in cut_years(words, arabic)),
    ]


def cut_names(words: tuple[TracedWord, ...], arabic: str, lex: Lexicon | None = None) -> list[str]:
    """The Arabic names a short answer renders only the start of: a word it renders followed,
    with nothing between, by a name it does not ("Greg" for جريج كلارك, "University" for جامعة
    باريس, "Prime Minister" for رئيس وزراء مقدونيا). A family name alone is an answer ("Rubio" for
    ماركو روبيو), so only what follows counts. A name is a word known as one, or known to no
    dictionary; a word rendered elsewhere in the answer (the same name twice) is not cut.

    >>> cut_names(trace("Greg", "قال وزير الأعمال جريج كلارك إن").words, "قال وزير الأعمال جريج كلارك إن")
    ['جريج كلارك']
    """
    lex = lex or lexicon()
    tokens = arabic_tokens(arabic)
    sources = [w.source for w in words if w.source]
    covered = [within(t, sources) for t in tokens]
    rendered = {t.normal for t, c in zip(tokens, covered, strict=True) if c}
    cut = []
    for i, (token, after) in enumerate(zip(tokens, tokens[1:], strict=False)):
        if not covered[i] or covered[i + 1] or after.normal in rendered or arabic[token.end : after.start].strip():
            continue
        if not after.normal.isdigit() and (lex.is_proper(after.normal) or not lex.senses(after.normal)):
            cut.append(arabic[token.start : after.end])
    return cut


def cut_titles(words: tuple[TracedWord, ...], arabic: str) -> list[str]:
    """The titles in quotation marks (up to five words) of which the answer renders some content
    words and not others.

    >>> q = 'تغيير اسمها إلى "جمهورية مقدونيا الشمالية"'
    >>> cut_titles(trace("Republic of Macedonia", q).words, q)
    ['جمهورية مقدونيا الشمالية']
    >>> cut_titles(trace("Republic of North Macedonia", q).words, q)
    []
    """
    sources = [w.source for w in words if w.source]
    every = arabic_tokens(arabic)
    cut = []
    for m in _QUOTED.finditer(arabic):
        tokens = [t for t in every if m.start(1) <= t.start and t.end <= m.end(1)]
        content = [within(t, sources) for t in tokens if not is_function(t.normal)]
        if len(tokens) <= _TITLE_WORDS and any(content) and not all(content):
            cut.append(m.group(1).strip())
    return cut


def cut_ranges(words: tuple[TracedWord, ...], arabic: str) -> list[str]:
    """The ranges of two numbers of which the answer renders one end only.

    >>> q = "قتل بين 100 و150 شخصا"
    >>> cut_ranges(trace("150", q).words, q), cut_ranges(trace("100 to 150", q).words, q)
    (['100 و150'], [])
    """
    sources = [w.source for w in words if w.source]
    tokens = arabic_tokens(arabic)
    cut = []
    for i, first in enumerate(tokens):
        if not numbers_in(first.normal):
            continue
        for j in (i + 1, i + 2):
            if j >= len(tokens) or not numbers_in(tokens[j].normal):
                continue
            between = arabic[first.end : tokens[j].start].strip()
            joined = (j == i + 1 and (between in {"-", "–"} or tokens[j].normal.startswith("و"))) or (
                j == i + 2 and tokens[i + 1].normal in _RANGE_WORDS
            )
            if joined and within(first, sources) != within(tokens[j], sources):
                cut.append(arabic[first.start : tokens[j].end])
    return cut


def cut_years(words: tuple[TracedWord, ...], arabic: str) -> list[str]:
    """The dates whose day or month the answer renders and whose year, right after, it does not.

    >>> q = "في 6 تشرين الأول/أكتوبر 1973، قامت سوريا"
    >>> cut_years(trace("October 6", q).words, q), cut_years(trace("October 6, 1973", q).words, q)
    (['تشرين الأول/أكتوبر 1973'], [])
    """
    sources = [w.source for w in words if w.source]
    tokens = arabic_tokens(arabic)
    cut = []
    for i, year in enumerate(tokens):
        if not re.fullmatch(r"1\d{3}|20\d{2}", year.normal) or within(year, sources):
            continue
        first = i  # back over the month's words: تشرين الأول/أكتوبر
        while first > 0 and tokens[first - 1].normal in _MONTH_WORDS:
            if arabic[tokens[first - 1].end : tokens[first].start].strip() not in {"", "/"}:
                break
            first -= 1
        if first < i and any(within(t, sources) for t in tokens[first:i]):
            cut.append(arabic[tokens[first].start : year.end])
    return cut
