"""Scoring functions for evaluation: pure, small, each with a hand-checkable example.

Retrieval, scored strictly: a retrieved passage is a *hit* for a question when its text holds
one of the question's evidence strings or its reference answer (after Arabic and case
normalisation): the reader opens the passage, and it must hold the answer. A row with neither
(a known-item query) is a hit by its article key (``gold_passage_id`` / ``gold_doc_id``). The
looser *paragraph* hit, reported beside it, also counts any passage of the gold paragraph.

Answers: key facts (every ``must`` group found), token F1 against the reference (SQuAD
normalisation plus Arabic normalisation), citations that hold the evidence, quotes found
verbatim in their passage.

Deliberately not here: running questions or reading files (``scoring``, ``runner``).

>>> rank_of_first_hit([False, False, True, True])
3
>>> recall_at([3, None, 1], 1), recall_at([3, None, 1], 5), round(mrr_at([3, None, 1], 10), 4)
(0.3333333333333333, 0.6666666666666666, 0.4444)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence

from assistant.records import Citation, Passage
from assistant.text.arabic import normalize_for_matching

_SPACE = re.compile(r"\s+")


def normalize_for_evidence(text: str) -> str:
    """Arabic-normalised, lower-cased, whitespace collapsed.

    >>> normalize_for_evidence("  الوقتُ   يمر ")
    'الوقت يمر'
    """
    return _SPACE.sub(" ", normalize_for_matching(text)).strip()


def contains_evidence(text: str, evidence: Sequence[str]) -> bool:
    """True when ``text`` holds one of the evidence strings (normalised).

    >>> contains_evidence("قال إن الوقتَ يمر بسرعة", ["الوقت يمر"])
    True
    """
    haystack = normalize_for_evidence(text)
    return any(e.strip() and normalize_for_evidence(e) in haystack for e in evidence)


def _gold_keys(row: Mapping[str, object]) -> set[str]:
    return {str(v) for v in (row.get("gold_passage_id"), row.get("gold_doc_id")) if v}


def _key_is_gold(key: str, gold: set[str]) -> bool:
    """An article key names a gold id: as is (JSON Lines ids) or as a file's name without its
    suffix (the same corpus as one ``.txt`` file per paragraph)."""
    name = key.replace("\\", "/").rsplit("/", 1)[-1]
    return key in gold or name.rsplit(".", 1)[0] in gold


def is_hit(passage: Passage, row: Mapping[str, object]) -> bool:
    """Whether a retrieved passage holds the answer: an evidence string or the reference answer;
    for a row with neither, whether it comes from the gold article.

    >>> p = Passage("c", "a", "xquad-02-00", 0, "قبل وصول رولو إلى", 0, 17, "t", "s", "ar", None, None, 0.0)
    >>> is_hit(p, {"evidence": ["وصول رولو"], "reference": "Rollo"}), is_hit(p, {"reference": "رولو"})
    (True, True)
    >>> is_hit(p, {"evidence": ["قبل وصول ريتشارد"], "gold_passage_id": "xquad-02-00"})  # paragraph only
    False
    """
    given = row.get("evidence") or []
    evidence = [e for e in given if isinstance(e, str) and e.strip()] if isinstance(given, list) else []
    reference = str(row.get("reference") or "").strip()
    if evidence or reference:
        return contains_evidence(passage.text, [*evidence, reference])
    return _key_is_gold(passage.key, _gold_keys(row))


def is_paragraph_hit(passage: Passage, row: Mapping[str, object]) -> bool:
    """The looser hit the harness reported before: the passage holds the evidence, or it comes
    from the gold paragraph (even a chunk of it without the answer).

    >>> p = Passage("c", "a", "/tmp/x/xquad-02-00.txt", 0, "نص آخر", 0, 6, "t", "s", "ar", None, None, 0.0)
    >>> is_paragraph_hit(p, {"evidence": ["وصول رولو"], "gold_passage_id": "xquad-02-00"})
    True
    """
    if _key_is_gold(passage.key, _gold_keys(row)):
        return True
    evidence = row.get("evidence") or []
    assert isinstance(evidence, list)
    return contains_evidence(passage.text, evidence)


def cites_evidence(passage: Passage, row: Mapping[str, object]) -> bool:
    """Whether a cited passage holds the row's evidence: an evidence string when the row has
    any, else its gold id. A row without either (an unanswerable one) has no right citation.

    >>> p = Passage("c", "a", "xquad-02-00", 0, "قال إن الوقت يمر", 0, 16, "t", "s", "ar", None, None, 0.0)
    >>> cites_evidence(p, {"evidence": ["الوقت يمر"]}), cites_evidence(p, {"evidence": []})
    (True, False)
    """
    evidence = row.get("evidence") or []
    assert isinstance(evidence, list)
    if any(isinstance(e, str) and e.strip() for e in evidence):
        return contains_evidence(passage.text, evidence)
    return is_paragraph_hit(passage, row)


def quote_is_verbatim(citation: Citation) -> bool:
    """Whether a citation's quote appears, character for character, in its passage."""
    return bool(citation.quote) and citation.quote in citation.passage.text


def rank_of_first_hit(hits: Sequence[bool]) -> int | None:
    """1-based rank of the first hit, or None."""
    for rank, hit in enumerate(hits, start=1):
        if hit:
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose first hit is within the top ``k``."""
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr_at(ranks: Sequence[int | None], k: int) -> float:
    """Mean reciprocal rank of the first hit, counting only ranks within ``k``."""
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def retrieval_summary(ranks: Sequence[int | None]) -> dict[str, float]:
    """recall@1/3/5/10 and MRR@10 for a list of first-hit ranks."""
    return {
        "n": float(len(ranks)),
        "recall@1": recall_at(ranks, 1),
        "recall@3": recall_at(ranks, 3),
        "recall@5": recall_at(ranks, 5),
        "recall@10": recall_at(ranks, 10),
        "mrr@10": mrr_at(ranks, 10),
    }


def key_facts_found(answer_text: str, must: Sequence[Sequence[str]]) -> bool:
    """Every ``must`` group has one alternative in the answer (case- and Arabic-normalised).

    >>> key_facts_found("Rubio went twice.", [["twice", "two times"], ["Rubio"]])
    True
    >>> key_facts_found("Rubio went.", [["twice"]])
    False
    """
    text = _digits(normalize_for_evidence(answer_text))
    return bool(must) and all(any(_holds(text, _digits(normalize_for_evidence(a))) for a in group) for group in must)


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        str.split(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty"
        )
    )
}
_NUMBER_WORD = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})\b")


def _digits(text: str) -> str:
    """Numbers one way: digits without thousands commas, number words to twenty as digits.

    >>> _digits("1,388 couples and five feet"), _digits("one of them")
    ('1388 couples and 5 feet', '1 of them')
    """
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group()], text)


def _holds(text: str, fact: str) -> bool:
    """Whether ``text`` holds ``fact``; a number only as a whole number ("5" is not in "1950").

    >>> _holds("in 1950", "5"), _holds("5 feet", "5"), _holds("the fifth", "fifth")
    (False, True, True)
    """
    if re.fullmatch(r"[\d.]+", fact):
        return re.search(rf"(?<![\d.]){re.escape(fact)}(?!\d)", text) is not None
    return fact in text


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0–1) of ``values``; 0.0 for none.

    >>> percentile([4, 1, 3, 2, 5], 0.5), percentile([4, 1, 3, 2, 5], 0.95), percentile([], 0.5)
    (3, 5, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


_ENGLISH_ARTICLES = re.compile(r"\b(a|an|the)\b")
# The Arabic definite article, at the start of a word that keeps at least two letters without it.
_ARABIC_ARTICLE = re.compile(r"(?<!\w)ال(?=\w{2})")


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation (lower case, no punctuation, no English articles, single
    spaces) after Arabic normalisation (``normalize_for_matching``), also dropping the Arabic
    article "ال" at the start of a word.

    >>> normalize_answer("The Panthers' defense: 308 points!")
    'panthers defense 308 points'
    >>> normalize_answer("الدفاعُ «٣٠٨» نقطة")
    'دفاع 308 نقطه'
    """
    text = normalize_for_matching(text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    text = _ENGLISH_ARTICLES.sub(" ", text)
    text = _ARABIC_ARTICLE.sub("", text)
    return " ".join(text.split())


def token_f1(prediction: str, reference: str) -> float:
    """Harmonic mean of token precision and recall after ``normalize_answer`` (SQuAD's F1).

    Two empty texts agree (1.0); one empty text against a non-empty one scores 0.0.

    >>> token_f1("308 points", "308")  # precision 1/2, recall 1/1
    0.6666666666666666
    >>> token_f1("the Panthers gave up 308", "Panthers surrendered 308 points")  # 2 common: p 2/4, r 2/4
    0.5
    >>> token_f1("", ""), token_f1("x", "")
    (1.0, 0.0)
    """
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(reference).split()
    if not predicted or not expected:
        return float(predicted == expected)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def share(values: Sequence[bool]) -> float | None:
    """The share of true values; None when there are none (a rate of nothing is not 0).

    >>> share([True, False, True, True]), share([])
    (0.75, None)
    """
    return sum(values) / len(values) if values else None


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None for no values.

    >>> mean([0.5, 1.0, 0.0]), mean([])
    (0.5, None)
    """
    return sum(values) / len(values) if values else None
