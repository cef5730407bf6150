"""Per-question scoring and summaries, with hand-computed expectations."""

import re

import pytest

from assistant.evaluation.scoring import (
    answer_words,
    passage_id,
    score_answer,
    score_retrieval,
    standalone_question,
    summarize,
    summarize_answers,
    summarize_latency,
    summarize_retrieval,
)
from assistant.records import DRAFT_LABEL, Answer, AnswerSentence, Citation, Passage


def _passage(text: str, key: str = "k", index: int = 0) -> Passage:
    return Passage("c", "a", key, index, text, 0, len(text), "t", "s", "ar", None, None, 0.0)


RIGHT = _passage("قال روبيو إن الوقت يمر بسرعة. وأضاف شيئا.", index=0)
WRONG = _passage("وقال سيبيها إنه أخبر روبيو بالانتهاكات.", index=1)
QUOTE = "قال روبيو إن الوقت يمر بسرعة."
ROW = {
    "id": "q",
    "question": "What did Rubio tell Russia?",
    "lang": "en",
    "answerable": True,
    "must": [["time"]],
    "reference": "Time is running out",
    "evidence": ["الوقت يمر بسرعة"],
}
UNANSWERABLE = {**ROW, "id": "u", "answerable": False, "must": [], "reference": "", "evidence": []}


def _answer(
    text: str,
    citations: list[Citation],
    *,
    abstained: bool = False,
    state: str = "draft",
    timings: dict[str, float] | None = None,
) -> Answer:
    # ``text`` is the answer as shown; its sentence keeps the words alone (no label, no markers).
    raw = re.sub(r"\s*\[\d+\]", "", text.removeprefix(f"{DRAFT_LABEL}:")).strip()
    sentences = [] if abstained else [AnswerSentence(raw, state, (1,))]
    sentences += [AnswerSentence(c.quote, "quote", (c.n,)) for c in citations]
    return Answer(
        question="q", standalone_question="q", text=text,
        sentences=sentences, citations=citations, passages=[RIGHT], abstained=abstained, backend="local", lang="en",
        timings=timings or {}, tokens_in=100, tokens_out=10,
    )  # fmt: skip


def _scored(answer: Answer, row: dict) -> dict:
    return {"id": row["id"], "lang": row["lang"], "answerable": row["answerable"], **score_answer(answer, row)}


def test_right_citation_and_key_fact() -> None:
    answer = _answer("Draft translation, unverified: Time is running out [1]", [Citation(1, RIGHT, QUOTE, 0, 29)])
    scored = score_answer(answer, ROW)
    assert (scored["key_facts"], scored["cited_evidence"], scored["token_f1"]) == (True, True, 1.0)
    assert scored["citations"] == [{"n": 1, "passage": "k#0", "quote": QUOTE, "holds_evidence": True, "verbatim": True}]
    assert scored["state"] == "draft" and scored["answer_passages"] == ["k#0"]
    assert (scored["tokens_in"], scored["tokens_out"]) == (100, 10)


def test_an_answer_citing_the_wrong_passage() -> None:
    cited = Citation(1, WRONG, "وقال سيبيها إنه أخبر روبيو", 0, 26)  # verbatim, but not the evidence's passage
    scored = score_answer(_answer("Sybiha told Rubio [1]", [cited]), ROW)
    assert scored["key_facts"] is False and scored["cited_evidence"] is False
    assert scored["citations"][0]["holds_evidence"] is False and scored["citations"][0]["verbatim"] is True
    assert scored["token_f1"] == 0.0


def test_a_quote_that_is_not_verbatim() -> None:
    invented = Citation(1, RIGHT, "قال روبيو إن الوقت ينفد", 0, 23)  # the right passage, but reworded
    scored = score_answer(_answer("Time is short [1]", [invented]), ROW)
    assert scored["citations"][0] == {
        "n": 1,
        "passage": "k#0",
        "quote": "قال روبيو إن الوقت ينفد",
        "holds_evidence": True,
        "verbatim": False,
    }
    # "time is short" against "time is running out": 2 common of 3 and 4 tokens.
    assert scored["token_f1"] == pytest.approx(round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4))


def test_an_abstention_on_an_answerable_question() -> None:
    scored = score_answer(_answer("The articles don't say: no article mentions Lavrov.", [], abstained=True), ROW)
    assert scored["abstained"] is True and scored["state"] == "abstained"
    assert (scored["key_facts"], scored["cited_evidence"], scored["citations"]) == (False, False, [])
    assert scored["token_f1"] == 0.0


def test_unanswerable_rows_have_no_key_facts_f1_or_citation_recall() -> None:
    scored = score_answer(_answer("The articles don't say.", [], abstained=True), UNANSWERABLE)
    assert (scored["key_facts"], scored["token_f1"], scored["cited_evidence"]) == (None, None, None)


def test_answer_words_drop_the_draft_label_and_markers() -> None:
    draft = _answer("Draft translation, unverified: Time runs out [1]", [Citation(1, RIGHT, QUOTE, 0, 29)])
    assert answer_words(draft) == "Time runs out"
    quoted = Answer(
        question="q", standalone_question="q", text=f"«{QUOTE}» [1]", sentences=[AnswerSentence(QUOTE, "quote", (1,))],
        citations=[Citation(1, RIGHT, QUOTE, 0, 29)], passages=[], abstained=False, backend="extractive", lang="ar",
    )  # fmt: skip
    assert answer_words(quoted) == QUOTE


def test_summary_hand_computed() -> None:
    """Five answers: right (verified), wrong passage (draft), not verbatim (draft), abstained on an
    answerable question, and a verified answer to an unanswerable one."""
    right = _scored(_answer("Time is running out [1]", [Citation(1, RIGHT, QUOTE, 0, 29)], state="verified"), ROW)
    wrong = _scored(_answer("Sybiha told Rubio [1]", [Citation(1, WRONG, "وقال سيبيها", 0, 10)]), {**ROW, "id": "w"})
    reworded = _scored(_answer("time [1]", [Citation(1, RIGHT, "الوقت ينفد", 0, 10)]), {**ROW, "id": "r", "lang": "ar"})
    abstained = _scored(_answer("The articles don't say.", [], abstained=True), {**ROW, "id": "a"})
    invented = _scored(
        _answer("He said so [1]", [Citation(1, WRONG, "وقال سيبيها", 0, 10)], state="verified"), UNANSWERABLE
    )
    summary = summarize_answers([right, wrong, reworded, abstained, invented])
    overall = summary["overall"]
    assert (overall["n"], overall["answerable"], overall["unanswerable"], overall["citations"]) == (5, 4, 1, 4)
    assert overall["key_fact_accuracy"] == 0.5  # right and reworded hold "time"
    assert overall["citation_precision"] == 0.5  # right and reworded cite the evidence's passage; 2 do not
    assert overall["citation_recall"] == 0.5  # 2 of the 4 answerable
    assert overall["quote_fidelity"] == 0.75  # the reworded quote is not in its passage
    assert overall["false_abstain_rate"] == 0.25 and overall["abstain_rate_unanswerable"] == 0.0
    assert overall["token_f1"] == pytest.approx(round((1.0 + 0.0 + 0.4 + 0.0) / 4, 4))  # "time" vs 4 words: 0.4
    assert summary["verified"] == {"n": 2, "unanswerable": 1, "accuracy": 0.5}
    assert summary["by_state"]["verified"] == {"n": 2, "answerable": 1, "key_fact_accuracy": 1.0, "token_f1": 1.0}
    assert summary["by_state"]["draft"]["key_fact_accuracy"] == 0.5
    assert summary["by_state"]["abstained"] == {"n": 1, "answerable": 1, "key_fact_accuracy": 0.0, "token_f1": 0.0}
    assert summary["by_lang"]["ar"]["key_fact_accuracy"] == 1.0
    assert summary["by_lang"]["en"]["key_fact_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["by_lang_state"]["en"]["verified"]["n"] == 2
    assert summary["by_lang_state"]["ar"]["draft"]["n"] == 1


def test_retrieval_ranks_per_mode_and_language() -> None:
    calls: list[tuple[str, int, str]] = []

    def search(question: str, k: int, mode: str) -> list[Passage]:
        calls.append((question, k, mode))
        return [WRONG, RIGHT] if mode == "dense" else [WRONG, WRONG]

    scored = score_retrieval(search, ROW, modes=("dense", "lexical"), depth=10)
    assert (scored["dense"]["rank"], scored["lexical"]["rank"]) == (2, None)
    assert scored["dense"]["retrieved"] == ["k#1", "k#0"]
    assert calls == [("What did Rubio tell Russia?", 10, "dense"), ("What did Rubio tell Russia?", 10, "lexical")]
    assert score_retrieval(search, UNANSWERABLE) == {}  # nothing to find: not searched
    rows = [
        {"id": "1", "lang": "en", "answerable": True, "retrieval": {"dense": {"rank": 1, "ms": 10.0}}},
        {"id": "2", "lang": "ar", "answerable": True, "retrieval": {"dense": {"rank": 4, "ms": 30.0}}},
        {"id": "3", "lang": "ar", "answerable": True, "retrieval": {"dense": {"rank": None, "ms": 20.0}}},
        {"id": "4", "lang": "ar", "answerable": False, "retrieval": {}},
    ]
    summary = summarize_retrieval(rows, modes=("dense", "hybrid"))
    assert list(summary) == ["dense"]  # hybrid was not run
    assert list(summary["dense"]) == ["all", "ar", "en", "latency_ms"]
    assert summary["dense"]["all"]["recall@1"] == pytest.approx(0.3333, abs=1e-4)
    assert summary["dense"]["all"]["recall@5"] == pytest.approx(0.6667, abs=1e-4)
    assert summary["dense"]["ar"] == {
        "n": 2, "recall@1": 0.0, "recall@3": 0.0, "recall@5": 0.5, "recall@10": 0.5, "mrr@10": 0.125,
        "paragraph_recall@1": 0.0, "paragraph_recall@5": 0.5,  # rows without a paragraph rank: the strict one
    }  # fmt: skip
    assert summary["dense"]["latency_ms"] == {"p50": 20.0, "p95": 30.0}


def test_a_follow_up_is_searched_as_the_pipeline_condenses_it() -> None:
    row = {"turns": ["Who is Steve Witkoff?"], "question": "What does he believe about Putin?"}
    assert standalone_question(row) == "What does Steve Witkoff believe about Putin?"
    assert standalone_question({"question": "What did Rubio say?"}) == "What did Rubio say?"


def test_passage_ids_hold_no_paths() -> None:
    assert passage_id(_passage("x", key="/home/me/seeds/000_4090.txt", index=3)) == "000_4090.txt#3"
    assert passage_id(_passage("x", key="xquad-02-00")) == "xquad-02-00#0"
    assert passage_id(_passage("x", key="https://bbc.com/a/b")) == "https://bbc.com/a/b#0"


def test_latency_per_stage_and_total() -> None:
    stages = [(0.1, 1.0), (0.2, 3.0), (0.3, 2.0)]
    rows = [{"timings": {"retrieve": r, "generate": g, "total": r + g}} for r, g in stages]
    latency = summarize_latency(rows)
    assert list(latency) == ["retrieve", "generate", "total"]
    assert latency["generate"] == {"n": 3, "p50": 2.0, "p95": 3.0}
    assert latency["total"]["p50"] == pytest.approx(2.3)  # of 1.1, 2.3, 3.2


def test_a_retrieval_only_summary_has_no_answer_sections() -> None:
    rows = [{"id": "1", "lang": "en", "answerable": True, "retrieval": {"hybrid": {"rank": 1, "ms": 5.0}}}]
    summary = summarize(rows, modes=("hybrid",))
    assert summary["questions"] == 1 and summary["by_lang"] == {"en": 1}
    assert "answers" not in summary and "latency_s" not in summary
