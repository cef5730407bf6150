import pytest

from assistant.evaluation.metrics import (
    cites_evidence,
    contains_evidence,
    is_hit,
    is_paragraph_hit,
    mean,
    mrr_at,
    normalize_answer,
    quote_is_verbatim,
    rank_of_first_hit,
    recall_at,
    retrieval_summary,
    share,
    token_f1,
)
from assistant.records import Citation, Passage


def _passage(text: str, key: str = "doc-1") -> Passage:
    return Passage("c", "a", key, 0, text, 0, len(text), "t", "s", "ar", None, None, 0.0)


def test_hit_by_evidence_after_normalisation() -> None:
    row = {"evidence": ["الوقت يمر بسرعة"]}
    assert is_hit(_passage("برسالة مفادها أن الوقتَ يمر  بسرعة لتحقيق"), row)
    assert not is_hit(_passage("لا شيء هنا"), row)


def test_hit_by_gold_id() -> None:
    assert is_hit(_passage("x", key="xquad-02-00"), {"gold_passage_id": "xquad-02-00", "evidence": []})
    assert not is_hit(_passage("x", key="xquad-02-01"), {"gold_passage_id": "xquad-02-00", "evidence": []})


def test_a_chunk_of_the_gold_paragraph_without_the_answer_is_no_strict_hit() -> None:
    row = {"evidence": ["قبل وصول رولو"], "reference": "رولو", "gold_passage_id": "xquad-02-00"}
    beside = _passage("لم يختلف سكانها عن بيكاردي", key="xquad-02-00")  # the same paragraph, not the answer
    assert is_paragraph_hit(beside, row) and not is_hit(beside, row)
    assert is_hit(_passage("وبعد ذلك أعطى رولو", key="xquad-09-09"), row)  # the reference answer is there
    as_file = _passage("لم يختلف", key="/tmp/corpus/xquad-02-00.txt")  # the .txt layout names it by its file
    assert is_paragraph_hit(as_file, row) and not is_paragraph_hit(_passage("x", key="/tmp/xquad-02-001.txt"), row)


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("The Panthers' defense: 308 points!", "panthers defense 308 points"),
        ("a cat, an owl and THE dog", "cat owl and dog"),
        ("الدفاعُ «٣٠٨» نقطة، والهجوم", "دفاع 308 نقطه والهجوم"),  # article only at a word's start
        ("إلى الأمام؟", "الي امام"),  # "الي" (to) keeps its letters: one would be left
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


@pytest.mark.parametrize(
    ("prediction", "reference", "expected"),
    [
        ("308", "308", 1.0),
        ("308 points", "308", 2 * 0.5 * 1 / 1.5),  # p 1/2, r 1/1
        ("The Panthers gave up 308", "Panthers surrendered 308 points", 0.5),  # 2 common of 4 and 4
        ("Rubio", "Lavrov", 0.0),
        ("", "", 1.0),
        ("", "308", 0.0),
        ("رولو", "رولو.", 1.0),
        ("قال الوزير إن الوقت يمر", "الوقتُ يمر بسرعة", 2 * 0.4 * (2 / 3) / (0.4 + 2 / 3)),  # 2 common of 5 and 3
        ("time time time", "time", 0.5),  # counts are clipped: p 1/3, r 1
    ],
)
def test_token_f1_hand_computed(prediction: str, reference: str, expected: float) -> None:
    assert token_f1(prediction, reference) == pytest.approx(expected)


def test_a_citation_of_the_wrong_passage_does_not_hold_the_evidence() -> None:
    row = {"evidence": ["الوقت يمر بسرعة"], "gold_passage_id": None}
    assert cites_evidence(_passage("قال روبيو إن الوقتَ يمر بسرعة."), row)
    assert not cites_evidence(_passage("وقال سيبيها إنه أخبر روبيو بالانتهاكات."), row)
    # Without evidence strings, the gold id decides; an unanswerable row has no right citation.
    assert cites_evidence(_passage("x", key="xquad-02-00"), {"evidence": [], "gold_passage_id": "xquad-02-00"})
    assert not cites_evidence(_passage("x"), {"evidence": [], "answerable": False})


def test_a_quote_that_is_not_verbatim() -> None:
    passage = _passage("قال روبيو إن الوقت يمر بسرعة. وأضاف شيئا.")
    assert quote_is_verbatim(Citation(1, passage, "قال روبيو إن الوقت يمر بسرعة.", 0, 29))
    assert not quote_is_verbatim(Citation(1, passage, "قال روبيو إن الوقت ينفد.", 0, 24))  # reworded
    assert not quote_is_verbatim(Citation(1, passage, "قال روبيو إن الوقتَ يمر بسرعة.", 0, 30))  # a diacritic added
    assert not quote_is_verbatim(Citation(1, passage, "", 0, 0))


def test_share_and_mean_of_nothing_are_none() -> None:
    assert share([True, False]) == 0.5 and share([]) is None
    assert mean([1.0, 0.0, 0.5]) == 0.5 and mean([]) is None


def test_key_facts_read_a_number_however_it_is_written_and_only_as_a_whole_number() -> None:
    from assistant.evaluation.metrics import key_facts_found

    assert key_facts_found("1388 couples [1]", [["1,388"]])
    assert key_facts_found("The gauge is 5 feet and 3 inches.", [["five feet"]])
    assert not key_facts_found("It was founded in 1950.", [["5"]])
    assert not key_facts_found("384 people died.", [["1,388"]])
