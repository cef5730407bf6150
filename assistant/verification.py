"""Checks, in code, that what an answer says is what its evidence says.

Per sentence of an answer:
- ``support``: the share of its content words found in the cited evidence (same language);
- ``contradictions``: numbers absent from the evidence (digits and number words in both
  languages), Latin names with no plausible Arabic spelling in the evidence or the question,
  Arabic script inside an English sentence.

A same-language sentence with strong support and no contradiction is *verified*. A sentence
in another language than its evidence cannot be checked word by word: with no contradiction it
is a *draft*; with one it is removed.
"""

from __future__ import annotations

import re

from assistant.arabic import arabic_share, match_tokens
from assistant.names import name_in_arabic, numbers_in

_STOP = set(
    match_tokens(
        "في من على الى إلى عن أن إن ان كان كانت قد قال قالت هذا هذه ذلك التي الذي الذين ما ماذا لم لا هل مع او أو ثم "
        "the a an of to in on and or is are was were that this it he she they his her their said says for with by as"
    )
)
# Words capitalised at the start of a sentence that are not names.
_CAPITALISED_WORDS = set(
    re.findall(
        r"\w+",
        "the he she it they we i a an in on at this that these those there his her their its according but and "
        "also however yes no not draft translation unverified when while after before since during mr mrs",
    )
)
MARKER = re.compile(r"\[(\d+)\]")


def content_tokens(text: str) -> list[str]:
    """Normalised, stemmed words minus function words."""
    return [t for t in match_tokens(MARKER.sub(" ", text)) if t not in _STOP and len(t) > 1]


def support(sentence: str, evidence: str) -> float:
    """Share of the sentence's content words present in the evidence (1.0 for none).

    >>> support("قال روبيو إن الوقت يمر بسرعة", "وأعاده برسالة مفادها أن الوقت يمر بسرعة، قال روبيو")
    1.0
    """
    words = content_tokens(sentence)
    if not words:
        return 1.0
    have = set(content_tokens(evidence))
    return sum(1 for w in words if w in have) / len(words)


def contradictions(sentence: str, evidence: str, question: str = "") -> list[str]:
    """What in ``sentence`` disagrees with ``evidence`` (empty when nothing does).

    >>> contradictions("Rubio went to Saudi Arabia 3 times.", "سافر روبيو إلى السعودية مرتين")
    ['number 3 is not in the evidence']
    >>> contradictions("Obama said so.", "قال روبيو ذلك")
    ['name Obama is not in the evidence']
    """
    problems = []
    allowed = numbers_in(evidence) | numbers_in(question)
    for number in sorted(numbers_in(sentence) - allowed):
        problems.append(f"number {number} is not in the evidence")
    if arabic_share(sentence) < 0.5:
        if arabic_share(sentence) > 0:
            problems.append("Arabic script inside an English sentence")
        body = MARKER.sub(" ", sentence)
        for name in re.findall(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*", body):
            name = " ".join(w for w in name.split() if w.lower() not in _CAPITALISED_WORDS)
            if not name:
                continue
            if arabic_share(evidence) > 0.5 and not name_in_arabic(name, evidence + " " + question):
                if name.lower() not in question.lower():
                    problems.append(f"name {name} is not in the evidence")
            elif arabic_share(evidence) <= 0.5 and name.lower() not in (evidence + " " + question).lower():
                problems.append(f"name {name} is not in the evidence")
    return problems
