"""Scoring functions for evaluation: pure, small, each with a hand-checkable example.

Retrieval: a retrieved passage is a *hit* for a question when it contains one of the
question's evidence strings (after Arabic and case normalisation) or when its article key is
the question's ``gold_passage_id`` / ``gold_doc_id``.

>>> rank_of_first_hit([False, False, True, True])
3
>>> recall_at([3, None, 1], 1), recall_at([3, None, 1], 5), round(mrr_at([3, None, 1], 10), 4)
(0.3333333333333333, 0.6666666666666666, 0.4444)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.arabic import normalize_for_matching
from assistant.records import Passage

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


def is_hit(passage: Passage, row: Mapping[str, object]) -> bool:
    """Whether a retrieved passage answers an eval row (evidence or gold id)."""
    gold = {row.get("gold_passage_id"), row.get("gold_doc_id")} - {None, ""}
    if passage.key in gold:
        return True
    evidence = row.get("evidence") or []
    assert isinstance(evidence, list)
    return contains_evidence(passage.text, evidence)


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
    text = normalize_for_evidence(answer_text)
    return bool(must) and all(any(normalize_for_evidence(alt) in text for alt in group) for group in must)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0–1) of ``values``; 0.0 for none.

    >>> percentile([4, 1, 3, 2, 5], 0.5), percentile([4, 1, 3, 2, 5], 0.95), percentile([], 0.5)
    (3, 5, 0.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
