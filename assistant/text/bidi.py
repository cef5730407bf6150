"""Arabic as PDFs give it back, put in reading order.

A PDF holds glyphs at positions, not text in order. Read left to right by position (the only
order every PDF agrees on), a right-to-left line comes out backwards: "لاق" for "قال". Its
glyphs may also be the shaped *presentation forms* (U+FB50–U+FDFF, U+FE70–U+FEFF: an initial
bāʾ, a lām-alif ligature) rather than letters, and then no search, stemmer or model matches them.

``visual_to_logical`` takes one line in visual (left-to-right) order and returns it in logical
order: a line whose strong characters are mostly Arabic is reversed, and what runs left to right
inside it (numbers, Latin words, with the spaces and separators between them) is turned back;
brackets are mirrored, and combining marks (harakat) follow their letter again. A line that is
mostly Latin keeps its order, with each Arabic run inside it reversed. ``normalise_presentation_forms``
maps the shaped forms to the letters (NFKC, applied to those blocks only).

Deliberately not here: the full Unicode bidirectional algorithm (explicit embeddings, nested
levels): a PDF line has no such marks, and the two-level rule above is what its layout implies.
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_LETTER = re.compile(f"[{_ARABIC}]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_LTR = re.compile("[A-Za-z\u00c0-\u024f\ufb00-\ufb060-9\u0660-\u0669\u06f0-\u06f9]")  # Latin and digits
_LTR_JOINER = re.compile(r"[\s.,:/%+\-'’]+")  # what may sit inside a left-to-right run
_ARABIC_JOINER = re.compile(r"[\s،؛]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]+")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]+")
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")

Glyphs = str | list[str]  # a line as text (a glyph a character) or as the text of each glyph


def normalise_presentation_forms(text: str) -> str:
    """Shaped Arabic glyph forms as the letters they are (the lām-alif ligature as two letters).

    >>> normalise_presentation_forms("\ufe8d\ufedf\ufeb4\ufefc\ufee1") == "السلام"
    True
    """
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def is_right_to_left(line: str) -> bool:
    """Whether a line's strong letters are mostly Arabic (its base direction is right to left).

    >>> is_right_to_left("لاق 12 ريزو"), is_right_to_left("Report 2025 ريرقت")
    (True, False)
    """
    arabic = len(_ARABIC_LETTER.findall(line))
    return arabic > 0 and arabic >= len(_LATIN_LETTER.findall(line))


def _runs(glyphs: list[str], strong: re.Pattern[str], joiner: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans [i, j) of glyphs that start and end with a ``strong`` glyph, with only ``joiner`` between."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(glyphs):
        if not strong.match(glyphs[i]):
            i += 1
            continue
        j = last = i
        while j + 1 < len(glyphs) and (strong.match(glyphs[j + 1]) or joiner.fullmatch(glyphs[j + 1])):
            j += 1
            if strong.match(glyphs[j]):
                last = j
        runs.append((i, last + 1))
        i = last + 1
    return runs


def _reverse(glyphs: list[str], span: tuple[int, int]) -> None:
    i, j = span
    glyphs[i:j] = glyphs[i:j][::-1]


def _marks_after_letters(glyphs: list[str]) -> list[str]:
    """Reversed, a combining mark (a haraka drawn as its own glyph) comes before its letter: put it after."""
    out = list(glyphs)
    i = 0
    while i < len(out) - 1:
        if _MARKS.fullmatch(out[i]) and not _MARKS.fullmatch(out[i + 1]):
            out[i], out[i + 1] = out[i + 1], out[i]
            i += 1  # the mark is after its letter now: go on past it
        i += 1
    return out


def visual_to_logical(line: Glyphs) -> str:
    """One line read left to right on the page, in reading order, presentation forms normalised.

    ``line`` is its text, or the text of each glyph: a ligature glyph's text (لأ) is already in
    logical order and must not be turned round with the line.

    >>> visual_to_logical("ﻒﻴﻨﺟ ﻲﻓ ﺔﻌﻤﺠﻟﺍ ﻡﻮﻳ")
    'يوم الجمعة في جنيف'
    >>> visual_to_logical(list(".ةدحتملا مم") + ["لأ"] + list("ا نم اريبخ 12 مضي"))
    'يضم 12 خبيرا من الأمم المتحدة.'
    >>> visual_to_logical("(ةدحتملا ممﻷا) UN Report 2025 ريرقت")
    'تقرير UN Report 2025 (الأمم المتحدة)'
    >>> visual_to_logical("The report (ريرقتلا) says 25 million")
    'The report (التقرير) says 25 million'
    """
    glyphs = list(line)
    if not is_right_to_left("".join(glyphs)):
        for span in _runs(glyphs, _ARABIC_LETTER, _ARABIC_JOINER):
            _reverse(glyphs, span)
            glyphs[span[0] : span[1]] = _marks_after_letters(glyphs[span[0] : span[1]])
        return normalise_presentation_forms("".join(glyphs))
    glyphs = _marks_after_letters(glyphs[::-1])
    ltr = _runs(glyphs, _LTR, _LTR_JOINER)
    inside = {k for i, j in ltr for k in range(i, j)}
    glyphs = [g if k in inside else g.translate(_MIRROR) for k, g in enumerate(glyphs)]
    for span in ltr:
        _reverse(glyphs, span)
    return normalise_presentation_forms("".join(glyphs))
