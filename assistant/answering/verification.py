"""Checks, in code, that what an answer says is what its evidence says.

Per sentence of an answer:
- ``support``: the share of its content words found in the cited evidence (same language);
- ``contradictions``: a negation or doubt the evidence has and the sentence lacks (or the
  reverse), numbers absent from the evidence (digits and number words in both languages), Latin
  names with no plausible Arabic spelling in the evidence or the question, Arabic script inside
  an English sentence.

A same-language sentence with strong support and no contradiction is *verified*. A sentence
in another language than its evidence cannot be checked word by word: with no contradiction it
is a *draft*; with one it is removed.
"""

from __future__ import annotations

import re

from assistant.answering.names import name_in_arabic, numbers_in
from assistant.lexicon.lexicon import english_stem
from assistant.text.arabic import arabic_share, language_of, normalize_for_matching
from assistant.text.words import MARKER, content_tokens

# Words capitalised at the start of a sentence that are not names.
_CAPITALISED_WORDS = set(
    re.findall(
        r"\w+",
        "the he she it they we i a an in on at this that these those there his her their its according but and "
        "also however yes no not draft translation unverified when while after before since during mr mrs "
        "every each some many most all both few several other another any only more less",
    )
)

# Negation and doubt, the words that turn a statement into its opposite. A small model copying a
# quote drops them ("we still doubt Putin's team comes in good faith" → "Putin's team comes in
# good faith"); an answer that loses or gains one says something else than its quote.
# Matched on normalised words (``normalize_for_matching``); "لا" before "يزال" means "still",
# before "يقل" or "يزيد" it bounds a quantity ("ما لا يقل عن 384", at least 384), "غير أن" means
# "but", and "طائرات بدون طيار" are drones.
_POLARITY_AR = re.compile(
    r"(?:^|\s)(?:[وف]?(?:لا(?!\s+(?:[يتن]?زال|[يت](?:قل|زيد|تجاوز)))|لم|لن|ليس|ليست|ليسوا|لسنا|لست|غير(?!\s+ان(?:\s|$))|عدم"
    r"|(?:ب|من )?دون(?!\s+طيار))|[وف]?(?:[انيت]?شك|يشكك|تشكك|مشكوك))(?=\s|$)"
)
_POLARITY_EN = re.compile(
    r"\b(?:not|no|never|nor|neither|none|nothing|without|cannot|doubts?|doubted|doubtful|den(?:y|ies|ied)|"
    r"unlikely|\w+n't)\b",
    re.I,
)


NEGATED_EVIDENCE = "the evidence negates or doubts, the sentence does not"


def polarity(text: str) -> bool:
    """Whether ``text`` negates or doubts something (Arabic or English cue words).

    >>> polarity("ما زلنا نشك في أن فريق بوتين يأتي بنية حسنة"), polarity("فريق بوتين يأتي بنية حسنة")
    (True, False)
    >>> polarity("لا يزال الوفد في موسكو"), polarity("We don't know."), polarity("He knows.")
    (False, True, False)
    >>> polarity("قتل ما لا يقل عن 384 شخصا"), polarity("لا يقبل")
    (False, True)
    """
    body = MARKER.sub(" ", text)
    if language_of(body) == "ar":
        normal = " ".join(re.findall(r"\w+", normalize_for_matching(body)))
        return bool(_POLARITY_AR.search(normal))
    return bool(_POLARITY_EN.search(body))


def support(sentence: str, evidence: str) -> float:
    """Share of the sentence's content words present in the evidence (1.0 for none).

    >>> support("قال روبيو إن الوقت يمر بسرعة", "وأعاده برسالة مفادها أن الوقت يمر بسرعة، قال روبيو")
    1.0
    >>> support("أصر روبيو على أن ذلك لم يكن تهديدا", "وأصرّ روبيو على أن ذلك لم يكن تهديدًا")
    1.0
    """
    words = content_tokens(sentence)
    if not words:
        return 1.0
    have = set(content_tokens(evidence))
    have |= {_without_conjunction(w) for w in have}
    return sum(1 for w in words if w in have or _without_conjunction(w) in have) / len(words)


def copy_spelling(sentence: str, evidence: str, question: str = "") -> str:
    """An Arabic ``sentence`` with each word its evidence lacks, but spells with one letter changed,
    in the evidence's spelling: a small model copying a quote slips a letter ("ريبيو" for روبيو),
    and an answer checked against its quote should read as the quote does. Only words of four
    letters or more, the same length, one letter apart after ``normalize_for_matching``, one such
    evidence word, and not a word of the question or, after و or ف, of the evidence.

    >>> copy_spelling("ريبيو سافر إلى السعودية مرتين.", "وقد سافر روبيو إلى المملكة العربية السعودية مرتين")
    'روبيو سافر إلى السعودية مرتين.'
    >>> copy_spelling("تريد روسيا السلام", "روسيا تريد السلام")  # the evidence has every word
    'تريد روسيا السلام'
    >>> copy_spelling("قال روبيو", "قال ريبيو", "ماذا قال روبيو؟"), copy_spelling("يريد", "تريد ويريد")
    ('قال روبيو', 'يريد')
    """
    have: dict[str, set[str]] = {}
    for word in re.findall(r"[\u0621-\u064a\u0671-\u06d3]+", evidence):
        have.setdefault(normalize_for_matching(word), set()).add(word)
    kept = set(re.findall(r"\w+", normalize_for_matching(question))) | {_without_conjunction(w) for w in have}

    def spelled(match: re.Match[str]) -> str:
        word = match.group()
        normal = normalize_for_matching(word)
        if len(normal) < 4 or normal in have or normal in kept:
            return word
        near = [w for w in have if len(w) == len(normal) and sum(a != b for a, b in zip(w, normal, strict=True)) == 1]
        if len(near) != 1 or len(have[near[0]]) != 1:
            return word
        return next(iter(have[near[0]]))

    return re.sub(r"[\u0621-\u064a\u0671-\u06d3]+", spelled, sentence)


def restates(sentence: str, question: str) -> bool:
    """True when every content word of the sentence is already in the question: it answers nothing
    ("سلالة المشطيات" for "ما السلالة التي تماثلها سلالة المشطيات؟"), however well its quote backs it.

    >>> restates("سلالة المشطيات", "ما السلالة التي تماثلها سلالة المشطيات بحسب الدراسات الأخيرة؟")
    True
    >>> restates("السلالة الأخت لجميع الحيوانات", "ما السلالة التي تماثلها سلالة المشطيات؟")
    False
    >>> restates("نعم.", "هل قال ذلك؟")
    False

    English words are compared by their stems: "forces act" restates "What force acts …?".

    >>> restates("The electric forces act on a charge.", "What electric force acts on a charge?")
    True
    >>> restates("No, the meeting did not produce guarantees.", "Did the meeting produce guarantees?")
    False
    """
    words = content_tokens(sentence)
    if words and language_of(sentence) == "en":
        asked = {english_stem(w) for w in content_tokens(question)}
        return all(english_stem(w) in asked for w in words)
    return bool(words) and support(sentence, question) == 1.0


def _without_conjunction(word: str) -> str:
    """A word without a leading و or ف ("and", "so"), which attach to any Arabic word: وأصر is أصر.
    The stemmer leaves them (too many words begin with و: وزير, وقت), so ``support`` matches both.

    >>> _without_conjunction("واصر"), _without_conjunction("وزير"), _without_conjunction("وقت")
    ('اصر', 'زير', 'وقت')
    """
    return word[1:] if word[:1] in ("و", "ف") and len(word) >= 4 else word


def contradictions(sentence: str, evidence: str, question: str = "") -> list[str]:
    """What in ``sentence`` disagrees with ``evidence`` (empty when nothing does).

    >>> contradictions("Rubio went to Saudi Arabia 3 times.", "سافر روبيو إلى السعودية مرتين")
    ['number 3 is not in the evidence']
    >>> contradictions("Obama said so.", "قال روبيو ذلك")
    ['name Obama is not in the evidence']
    """
    problems = []
    if polarity(evidence) and not polarity(sentence):
        problems.append(NEGATED_EVIDENCE)
    elif polarity(sentence) and not polarity(evidence) and not polarity(question):
        problems.append("the sentence negates or doubts, the evidence does not")
    allowed = numbers_in(evidence) | numbers_in(question)
    for number in sorted(numbers_in(sentence) - allowed):
        problems.append(f"number {number} is not in the evidence")
    if arabic_share(sentence) < 0.5:
        if arabic_share(sentence) > 0:
            problems.append("Arabic script inside an English sentence")
        body = MARKER.sub(" ", sentence)
        evidence_lang = language_of(evidence)
        for name in re.findall(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*", body):
            name = " ".join(w for w in name.split() if w.lower() not in _CAPITALISED_WORDS)
            if not name:
                continue
            if evidence_lang == "ar" and not name_in_arabic(name, evidence + " " + question):
                if name.lower() not in question.lower():
                    problems.append(f"name {name} is not in the evidence")
            elif evidence_lang == "en" and name.lower() not in (evidence + " " + question).lower():
                problems.append(f"name {name} is not in the evidence")
    return problems
