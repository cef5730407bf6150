"""End to end: real e5, real Chroma, the real bundled local model (llama-cpp-python) on the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.records import CHECKED_LABEL, DRAFT_LABEL

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


def test_local_model_answers_with_a_verbatim_cited_quote(real: Assistant) -> None:
    answer = real.ask("How many times did Rubio travel to Saudi Arabia?", backend="local")
    assert not answer.abstained
    [citation] = answer.citations
    text = real.article_text(citation.passage.article_id)
    assert text is not None and text[citation.quote_start : citation.quote_end] == citation.quote
    assert "مرتين" in citation.quote
    # An English rendering of Arabic evidence is never presented as verified.
    assert not answer.verified
    assert all(s.text.startswith(DRAFT_LABEL) for s in answer.sentences if s.state == "draft")
    assert answer.tokens_out > 0 and answer.timings["generate"] > 0
    # The prompt-prefix cache the settings ask for (on by default) is really in place.
    assert real.answerer("local").chat_model.llama.cache is not None  # type: ignore[union-attr]


def test_an_english_answer_from_the_arabic_article_is_checked_word_by_word(real: Assistant) -> None:
    # The real model, guided by the real lexicons; code traces every content word to the quote.
    events = list(real.stream("How many times has Witkoff met Putin this year?", backend="local"))
    answer = events[-1].answer
    assert answer.state == "checked", (answer.text, answer.removed)
    rendering, quote = answer.sentences
    assert rendering.text.startswith(CHECKED_LABEL) and quote.state == "quote"
    assert "مرتين" in answer.citations[0].quote and "ويتكوف" in answer.citations[0].quote
    # A short answer ("twice") or a sentence: either way its number comes from مرتين.
    sources = dict(rendering.sources(answer.citations[0].quote))
    assert "مرتين" in sources.values() and all(s for s in sources.values())
    assert rendering.untraced == [] and answer.trace == list(rendering.trace)
    # Nothing unchecked streamed: no token events, the quote shown while the rendering was made.
    assert not any(type(e).__name__ == "TokenEvent" for e in events)


def test_local_model_abstains_on_a_name_the_article_lacks(real: Assistant) -> None:
    answer = real.ask("What did Zelensky say about the energy ceasefire?", backend="local")
    assert answer.abstained and answer.citations == []


def test_an_arabic_follow_up_with_an_implied_subject_quotes_its_own_answer(real: Assistant) -> None:
    # "And what did [he] accuse Putin's team of?" after asking who the Ukrainian minister Rubio met
    # is: searched with the earlier question (Sybiha's passage), ranked by its own words (the
    # accusation), not by the earlier question's (which point back to the meeting with Blinken's
    # comparison).
    conversation = real.conversation(backend="extractive")
    conversation.ask("من هو وزير الخارجية الأوكراني الذي التقاه روبيو على هامش اجتماعات بروكسل؟")
    answer = conversation.ask("وبماذا اتهم فريق بوتين؟")
    assert "(من هو وزير الخارجية الأوكراني" in answer.standalone_question
    [citation] = answer.citations
    assert "اتهم فريق بوتين بالمماطلة" in citation.quote
