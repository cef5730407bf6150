"""The role checks of a traced English rendering: a possessive whose owner the English keeps
and whose noun it drops (مبعوث بوتين "Putin's envoy" rendered "Putin"), and a title whose
complement it drops (رئيس صندوق الثروة "head of the wealth fund" rendered "president").

They read the tracing's links (``tracing._Links``: the Arabic tokens, their senses, the lexicon)
and the traced English words; ``tracing.trace`` adds what they find to a rendering's problems.
"""

from __future__ import annotations

from typing import Any, Protocol

from assistant.lexicon.lexicon import Lexicon, english_stem, sense_words
from assistant.records import TracedWord
from assistant.text.arabic import normalize_for_matching


class _Links(Protocol):
    """What the checks read of ``tracing._Links`` (kept apart: tracing imports this module)."""

    tokens: list[Any]  # tracing._Token: start, end, normal
    lex: Lexicon
    token_stems: list[set[str]]


# Nouns a possessive makes a different person or body: "Putin's envoy" is not Putin.
RELATIONAL = {
    english_stem(w): w
    for w in str.split(
        "envoy emissary representative spokesman spokeswoman spokesperson adviser advisor aide wife husband "
        "son daughter brother sister father mother lawyer attorney delegation team supporters allies family "
        "campaign government administration office forces army"
    )
}
TITLES = {
    english_stem(w)
    for w in str.split("president minister king prince leader chairman chief head general director governor commander")
}
# Arabic function words, and the auxiliaries of the passive and of tense (يتم إرسال "is sent"):
# never a relational noun, and never the source of an English content word, whatever else they
# read as (إلى as آل "family", أنه as آن "time", يتم as "is concluded").
ARABIC_FUNCTION = set(
    map(
        normalize_for_matching,
        str.split(
            "إلى على في من عن مع أن إن أنه إنه أنها إنها ثم قد لم لن هذا هذه ذلك التي الذي الذين "
            "تم يتم تمت تتم سيتم كان كانت يكون تكون لأن لأنه حيث عندما كما لكن بل أو إذا لو ما لا ال"
        ),
    )
)
_CLITICS = "وفبلك"


def is_function(normal: str) -> bool:
    """Whether a normalised Arabic word is a function word, with up to two one-letter clitics
    before it (ولأنه "and because it").

    >>> is_function("ولانه"), is_function("يتم"), is_function("والحكومه")
    (True, True, False)
    """
    for _ in range(3):
        if normal in ARABIC_FUNCTION:
            return True
        if normal[:1] not in _CLITICS or len(normal) < 3:
            return False
        normal = normal[1:]
    return False


def within(token: Any, spans: list[tuple[int, int]]) -> bool:
    """Whether an Arabic token lies inside one of ``spans`` (the sources of traced English words)."""
    return any(s <= token.start and token.end <= e for s, e in spans)


def role_problems(words: list[TracedWord], links: _Links, arabic: str) -> list[str]:
    """A possessive whose owner the English keeps and whose noun it drops (مبعوث بوتين → "Putin"),
    and a title whose complement it drops (رئيس صندوق الثروة "head of the wealth fund" → "president")."""
    covered = [w.source for w in words if w.source is not None]
    return _owner_problems(words, links, arabic, covered) + _title_problems(words, links, arabic, covered)


def _name_before(words: list[TracedWord], named: TracedWord) -> bool:
    """Whether the English word right before ``named`` is a capitalised word left untraced: the
    English has a name there (the answer stays a draft with that word marked), not a dropped noun."""
    i = words.index(named)
    return i > 0 and not words[i - 1].traced and words[i - 1].word[:1].isupper() and named.start - words[i - 1].end <= 1


def _title_problems(words: list[TracedWord], links: _Links, arabic: str, covered: list[tuple[int, int]]) -> list[str]:
    problems = []
    for w in words:
        if english_stem(w.word) not in TITLES or w.source is None:
            continue
        k = next((i for i, t in enumerate(links.tokens) if (t.start, t.end) == w.source), None)
        if k is None or k + 1 >= len(links.tokens):
            continue  # a phrase ("secretary of state") renders its whole span
        after = links.tokens[k + 1]
        if within(after, covered) or links.lex.is_proper(after.normal):
            continue
        if len(after.normal) > 2 and links.lex.senses(after.normal) and not after.normal.isdigit():
            problems.append(
                f"role: the Arabic has the {w.word.lower()} of {arabic[after.start : after.end]} "
                f"({arabic[links.tokens[k].start : after.end]}), the English drops what it heads"
            )
    return problems


def _owner_problems(words: list[TracedWord], links: _Links, arabic: str, covered: list[tuple[int, int]]) -> list[str]:
    problems = []
    normals = [t.normal for t in links.tokens]
    for k, token in enumerate(links.tokens):
        relation = links.token_stems[k] & RELATIONAL.keys()
        if not relation or links.lex.is_proper(token.normal) or is_function(token.normal):
            continue  # إلى also reads as آل "family"
        if arabic[token.start : token.end].endswith(("ه", "ها", "هم", "هما")):
            continue  # "his envoy Steve Witkoff" (ومبعوثه ستيف ويتكوف): the name is the envoy himself
        if within(token, covered):
            continue  # the English renders the noun
        if any(sense_words(senses) & TITLES for _, senses in links.lex.phrases_at(normals, k)):
            continue  # نائب الرئيس "vice president": the name after the title holds it
        owners: list[tuple[Any, TracedWord]] = []
        before = token
        for owner in links.tokens[k + 1 : k + 4]:  # "envoy of [President] [Vladimir] Putin"
            if arabic[before.end : owner.start].strip():
                break  # punctuation ends the phrase: "their elected leader, William" (المنتخب، ويليام)
            before = owner
            rendering = [w for w in words if w.source and w.source[0] <= owner.start and owner.end <= w.source[1]]
            if rendering and rendering[-1].word[:1].isupper():  # a name in the English
                owners.append((owner, rendering[-1]))
            elif not links.token_stems[links.tokens.index(owner)] & TITLES:
                break
        if owners and _name_before(words, owners[0][1]):
            continue  # "Wayde Sims" (وايد سيمز): the English renders the word before as a name it could not trace
        if owners:  # the family name: the last of "President Vladimir Putin"
            owner, named = owners[-1]
            noun = next(word for stem, word in RELATIONAL.items() if stem in relation)
            problems.append(
                f"role: the Arabic has the {noun} of {named.word} ({arabic[token.start : owner.end]}), "
                f"the English has {named.word} without the {noun}"
            )
    return problems
