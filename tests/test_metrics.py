import pytest

from assistant.metrics import contains_evidence, is_hit, mrr_at, rank_of_first_hit, recall_at, retrieval_summary
from assistant.records import Passage


def _passage(text: str, key: str = "doc-1") -> Passage:
    return Passage("c", "a", key, 0, text, 0, len(text), "t", "s", "ar", None, None, 0.0)


def test_hit_by_evidence_after_normalisation() -> None:
    row = {"evidence": ["الوقت يمر بسرعة"]}
    assert is_hit(_passage("برسالة مفادها أن الوقتَ يمر  بسرعة لتحقيق"), row)
    assert not is_hit(_passage("لا شيء هنا"), row)


def test_hit_by_gold_id() -> None:
    assert is_hit(_passage("x", key="xquad-02-00"), {"gold_passage_id": "xquad-02-00", "evidence": []})
    assert not is_hit(_passage("x", key="xquad-02-01"), {"gold_passage_id": "xquad-02-00", "evidence": []})


def test_empty_evidence_never_matches() -> None:
    assert not contains_evidence("anything", ["", "  "])


def test_ranks_and_summary_hand_computed() -> None:
    ranks = [1, 2, None, 7]
    assert rank_of_first_hit([False, True]) == 2 and rank_of_first_hit([]) is None
    assert recall_at(ranks, 1) == 0.25 and recall_at(ranks, 5) == 0.5 and recall_at(ranks, 10) == 0.75
    assert mrr_at(ranks, 10) == pytest.approx((1 + 0.5 + 1 / 7) / 4)
    assert mrr_at(ranks, 5) == pytest.approx((1 + 0.5) / 4)
    summary = retrieval_summary(ranks)
    assert summary["n"] == 4 and summary["recall@3"] == 0.5
    assert retrieval_summary([])["recall@1"] == 0.0
