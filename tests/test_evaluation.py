"""Answer scoring with hand-computed expectations."""

from assistant.evaluation import score_answer, summarize_answers
from assistant.records import Answer, AnswerSentence, Citation, Passage


def _passage(text: str) -> Passage:
    return Passage("c", "a", "k", 0, text, 0, len(text), "t", "s", "ar", None, None, 0.0)


RIGHT = _passage("قال روبيو إن الوقت يمر بسرعة. وأضاف شيئا.")
WRONG = _passage("وقال سيبيها إنه أخبر روبيو بالانتهاكات.")
ROW = {"id": "q", "lang": "en", "answerable": True, "must": [["time"]], "evidence": ["الوقت يمر بسرعة"]}


def _answer(text: str, citations: list[Citation], abstained: bool = False, state: str = "draft") -> Answer:
    sentences = [] if abstained else [AnswerSentence(text, state, (1,))]
    return Answer("q", "q", text, sentences, citations, [], abstained, "local", "en")


def test_right_citation_and_key_fact() -> None:
    quote = "قال روبيو إن الوقت يمر بسرعة."
    scored = score_answer(_answer("Draft: time is running out [1]", [Citation(1, RIGHT, quote, 0, len(quote))]), ROW)
    assert (scored["key_facts"], scored["citations_holding_evidence"], scored["quotes_verbatim"]) == (True, 1, 1)
    assert scored["state"] == "draft"


def test_wrong_passage_and_a_quote_that_is_not_verbatim() -> None:
    wrong = Citation(1, WRONG, "وقال سيبيها إنه أخبر روبيو", 0, 10)
    invented = Citation(2, RIGHT, "قال روبيو إن الوقت ينفد", 0, 10)  # not in the passage as written
    scored = score_answer(_answer("Nothing about it", [wrong, invented]), ROW)
    assert scored["key_facts"] is False
    assert (scored["citations"], scored["citations_holding_evidence"], scored["quotes_verbatim"]) == (2, 1, 1)


def test_abstention_on_an_answerable_question_and_summary() -> None:
    abstained = score_answer(_answer("The articles don't say.", [], abstained=True), ROW)
    unanswerable = score_answer(
        _answer("The articles don't say.", [], abstained=True), {**ROW, "id": "u", "answerable": False, "must": []}
    )
    quote = "قال روبيو إن الوقت يمر بسرعة."
    good = score_answer(_answer("time [1]", [Citation(1, RIGHT, quote, 0, len(quote))], state="verified"), ROW)
    summary = summarize_answers([abstained, unanswerable, good])
    assert summary["false_abstain_rate"] == 0.5  # 1 of 2 answerable
    assert summary["abstain_rate_unanswerable"] == 1.0
    assert summary["citation_recall"] == 0.5 and summary["citation_precision"] == 1.0
    assert summary["key_fact_accuracy_en"] == 0.5
    assert summary["verified_answers"] == {"n": 1, "key_fact_accuracy": 1.0}
    assert summary["en_abstained"] == {"n": 1, "key_fact_accuracy": 0.0}
