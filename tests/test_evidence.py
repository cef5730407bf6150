"""Evidence sentences: candidate spans, sentence vectors kept per chunk, ranking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.answering.evidence import (
    Evidence,
    SentenceVectorStore,
    evidence_sentences,
    passage_margin,
    rank_evidence,
)
from assistant.records import Passage
from assistant.testing import HashEmbedder
from assistant.text.words import candidate_spans


@pytest.fixture
def seeded(fake_assistant: Assistant, seed_path: Path) -> Assistant:
    fake_assistant.ingest([seed_path])
    return fake_assistant


@pytest.fixture
def lazy(tmp_path: Path, seed_path: Path) -> Assistant:
    """The seed in a store ingested without sentence vectors: they are made when first needed."""
    settings = Settings(vectorstore_dir=tmp_path / "lazy", cache_dir=tmp_path / "cache")
    settings.embedding.sentence_vectors = False
    assistant = Assistant(settings, embedder=HashEmbedder())
    assistant.ingest([seed_path])
    return assistant


def _passage(text: str, chunk_id: str = "c1", start: int = 0) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        article_id="a1",
        key="k",
        index=0,
        text=text,
        start=start,
        end=start + len(text),
        title="t",
        source="s",
        lang="ar",
        published=None,
        url=None,
        score=1.0,
        dense_rank=1,
        lexical_rank=None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("Short one. Rubio met Putin's envoy on Friday.", ["Rubio met Putin's envoy on Friday."]),
        (
            "قال روبيو إن الوقت يمر بسرعة. نعم.\nوأضاف المسؤول كلاما آخر",
            ["قال روبيو إن الوقت يمر بسرعة.", "وأضاف المسؤول كلاما آخر"],
        ),
        ("word " * 300 + ".", ["word " * 299 + "word ."]),
    ],
)
def test_candidate_spans(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in candidate_spans(text)] == expected


def test_evidence_sentences_keep_article_offsets_and_drop_repeats() -> None:
    text = "Rubio met Putin's envoy on Friday. Rubio met Putin's envoy on Friday."
    [only] = evidence_sentences([_passage(text, start=100)])
    assert (only.start, only.end, only.text) == (100, 134, "Rubio met Putin's envoy on Friday.")


def test_ingestion_embeds_every_chunks_sentences(seeded: Assistant) -> None:
    rows = list(seeded.catalog.iter_chunk_rows())
    stored = seeded.catalog.sentence_vectors([r.chunk_id for r in rows], seeded.embedder.name)
    assert set(stored) == {r.chunk_id for r in rows}
    spans = [candidate_spans(r.text) for r in rows]
    # One embedding per chunk and per candidate sentence, nothing else.
    assert seeded.embedder.calls == len(rows) + sum(map(len, spans))  # type: ignore[attr-defined]
    for r, chunk_spans in zip(rows, spans, strict=True):
        offsets, vectors = stored[r.chunk_id]
        assert offsets == chunk_spans
        assert np.array_equal(vectors, seeded.embedder.embed_passages([r.text[s:e] for s, e in chunk_spans]))
    calls = seeded.embedder.calls  # type: ignore[attr-defined]
    candidates = evidence_sentences(seeded.search("روبيو السعودية مرتين", k=3))
    SentenceVectorStore(seeded.embedder, seeded.catalog).vectors(candidates)
    assert seeded.embedder.calls - calls == 1  # type: ignore[attr-defined]  # the question only


def test_a_chunk_without_candidate_sentences_keeps_an_empty_row(seeded: Assistant) -> None:
    [row, *_] = seeded.catalog.iter_chunk_rows()
    seeded.catalog.put_sentence_vectors("m", {row.chunk_id: ([], np.zeros((0, 64), dtype=np.float32))})
    offsets, vectors = seeded.catalog.sentence_vectors([row.chunk_id], "m")[row.chunk_id]
    assert (offsets, vectors.shape) == ([], (0, 0))


def test_sentence_vectors_are_embedded_once_per_chunk_and_kept_in_the_catalog(lazy: Assistant) -> None:
    embedder = lazy.embedder
    passages = lazy.search("روبيو السعودية مرتين", k=3)
    candidates = evidence_sentences(passages)
    assert lazy.catalog.sentence_vectors([p.chunk_id for p in passages], embedder.name) == {}
    store = SentenceVectorStore(embedder, lazy.catalog)
    calls = embedder.calls  # type: ignore[attr-defined]
    vectors = store.vectors(candidates)
    all_spans = sum(len(candidate_spans(p.text)) for p in passages)
    assert embedder.calls - calls == all_spans  # type: ignore[attr-defined]
    assert np.allclose(vectors, embedder.embed_passages([c.text for c in candidates]))
    calls = embedder.calls  # type: ignore[attr-defined]
    again = SentenceVectorStore(embedder, lazy.catalog).vectors(candidates[::-1])  # a new session, other order
    assert embedder.calls == calls  # type: ignore[attr-defined]
    assert np.array_equal(again, vectors[::-1])


def test_sentence_vectors_of_another_model_are_not_used(lazy: Assistant) -> None:
    candidates = evidence_sentences(lazy.search("روبيو", k=2))
    SentenceVectorStore(lazy.embedder, lazy.catalog).vectors(candidates)
    chunk_ids = [c.passage.chunk_id for c in candidates]
    assert lazy.catalog.sentence_vectors(chunk_ids, "another/model") == {}


def test_sentence_vectors_go_with_their_article(fake_assistant: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("عنوان الخبر\nالجملة الأولى عن روسيا وأوكرانيا والسلام.", encoding="utf-8")
    fake_assistant.ingest([path])
    candidates = evidence_sentences(fake_assistant.search("روسيا", k=1))
    SentenceVectorStore(fake_assistant.embedder, fake_assistant.catalog).vectors(candidates)
    [old_chunk] = {c.passage.chunk_id for c in candidates}
    name = fake_assistant.embedder.name
    assert list(fake_assistant.catalog.sentence_vectors([old_chunk], name)) == [old_chunk]
    path.write_text("عنوان الخبر\nنص جديد تماما عن بروكسل وحلف الناتو.", encoding="utf-8")
    fake_assistant.ingest([path])
    assert fake_assistant.catalog.sentence_vectors([old_chunk], name) == {}


def test_an_answer_embeds_its_question_once(seeded: Assistant) -> None:
    seeded.ask("What did Rubio tell Russia?", backend="extractive")
    calls = seeded.embedder.calls  # type: ignore[attr-defined]
    answer = seeded.ask("What did Rubio tell Russia?", backend="extractive")
    assert seeded.embedder.calls == calls and answer.passages  # type: ignore[attr-defined]
    seeded.ask("Who did Rubio meet this week?", backend="extractive")
    assert seeded.embedder.calls - calls >= 1  # type: ignore[attr-defined]


def test_rank_evidence_adds_overlap_weighted_by_rarity_and_passage_prior() -> None:
    first, second = _passage("Rubio met the envoy in Brussels today.", "c1"), _passage("The envoy went home.", "c2")
    candidates = evidence_sentences([first, second])
    q = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.58, 0.5], [0.6, 0.4]], dtype=np.float32)
    ranked = rank_evidence("Where did Rubio meet the envoy?", q, candidates, vectors, [first, second])
    # Content words: rubio, meet, envoy; weight log(3 / (sentences having it + 0.5)): rubio (one
    # sentence) 0.693, envoy (both) 0.182, meet (none) 1.792; total 2.667.
    # c1: 0.58 + 0.5 × (0.693 + 0.182) / 2.667 + 0.01/1 = 0.754; c2: 0.6 + 0.5 × 0.182 / 2.667 + 0.01/2 = 0.6392.
    # Each is alone in its passage, so its context term is 0.1 × its own cosine: 0.812 and 0.699.
    # The rare shared name lifts c1 over c2's better vector; the common "envoy" barely counts.
    assert [(c.passage.chunk_id, round(c.score, 3)) for c in ranked] == [("c1", 0.812), ("c2", 0.699)]


def test_rank_evidence_lifts_a_sentence_whose_neighbour_is_on_the_question() -> None:
    on_topic = _passage("Talks began in Geneva on Monday. Delegates discussed the ceasefire terms there.", "c1")
    off_topic = _passage("Talks began in Riyadh on Tuesday. The weather stayed warm all week.", "c2")
    candidates = evidence_sentences([on_topic, off_topic])
    q = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.80, 0.6], [0.90, 0.4], [0.81, 0.6], [0.30, 0.9]], dtype=np.float32)
    ranked = rank_evidence("When did negotiations open?", q, candidates, vectors)  # no word in any sentence
    scores = {c.text.split()[3]: round(c.score, 3) for c in ranked}
    # Geneva: 0.80 + 0.1 × 0.90 (its neighbour) = 0.89; Riyadh: 0.81 + 0.1 × 0.30 = 0.84. The better
    # cosine sits among sentences about something else; neighbours in another passage do not count.
    assert scores["Geneva"] == 0.89 and scores["Riyadh"] == 0.84
    assert (
        rank_evidence("When did negotiations open?", q, candidates, vectors, context_weight=0.0)[1].text.split()[3]
        == "Riyadh"
    )


def test_rank_evidence_lifts_the_arabic_sentence_an_english_questions_words_trace_into() -> None:
    rubio = _passage("التقى روبيو بمبعوث بوتين يوم الجمعة في جنيف.", "c1")
    other = _passage("قال مسؤول في الناتو إن الفريق يأتي بنية حسنة.", "c2")
    candidates = evidence_sentences([rubio, other])
    q = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.80, 0.6], [0.85, 0.5]], dtype=np.float32)
    question = "Whom did Rubio meet on Friday?"
    # The scripts share no word; the lexicon traces rubio, meet and friday into c1 only.
    assert rank_evidence(question, q, candidates, vectors, traced_weight=0.0)[0].passage.chunk_id == "c2"
    assert rank_evidence(question, q, candidates, vectors, traced_weight=0.1)[0].passage.chunk_id == "c1"


def test_passage_margin_is_the_lead_over_the_best_sentence_of_another_passage() -> None:
    one, two = _passage("Rubio met the envoy on Friday.", "c1"), _passage("The envoy went back to Moscow.", "c2")
    a, b = evidence_sentences([one, two])
    same = Evidence(one, "Rubio said time is running out.", 40, 71, 0.0)
    ranked = [replace(a, score=0.9), replace(same, score=0.89), replace(b, score=0.85)]
    assert passage_margin(ranked) == pytest.approx(0.05)
    assert passage_margin(ranked[:2]) is None  # one passage: nothing to choose between
    assert passage_margin([]) is None


def test_rank_evidence_lowers_a_sentence_that_quotes_someone_else_than_the_asked_speaker() -> None:
    nato = _passage('"بالطبع، روسيا تريد السلام"، قال مسؤول كبير في الناتو في اجتماع حضره روبيو مع روسيا.', "c1")
    rubio = _passage("كشف روبيو أنه أعاد المبعوث إلى موسكو برسالة مفادها أن الوقت يمر.", "c2")
    candidates = evidence_sentences([nato, rubio])
    q = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.90, 0.1], [0.89, 0.1]], dtype=np.float32)
    question = "ماذا قال روبيو لروسيا؟"
    assert rank_evidence(question, q, candidates, vectors, speaker_weight=0.0)[0].passage.chunk_id == "c1"
    assert rank_evidence(question, q, candidates, vectors)[0].passage.chunk_id == "c2"


def test_rank_evidence_raises_the_asked_speakers_own_statement_over_one_that_quotes_no_one() -> None:
    travel = _passage("وقد سافر روبيو إلى السعودية مرتين لإجراء مناقشات مع المسؤولين الروس.", "c1")
    rubio = _passage("كشف روبيو أنه أعاد المبعوث إلى موسكو برسالة مفادها أن الوقت يمر.", "c2")
    candidates = evidence_sentences([travel, rubio])
    q = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.90, 0.1], [0.89, 0.1]], dtype=np.float32)
    question = "ماذا قال روبيو لروسيا؟"
    assert rank_evidence(question, q, candidates, vectors, speaker_weight=0.0)[0].passage.chunk_id == "c1"
    assert rank_evidence(question, q, candidates, vectors)[0].passage.chunk_id == "c2"
