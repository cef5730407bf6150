"""Evidence sentences: the retrieved passages cut into sentences, embedded, and ranked against a question.

- ``evidence_sentences``: every sentence of the passages (three content words at least), with
  its offsets in the article's cleaned text;
- ``SentenceVectorStore``: the e5 vectors of a chunk's sentences, looked up in the catalog, where
  ingestion puts them (``embedding.sentence_vectors``; retrieval uses them too); a chunk without
  them has them embedded the first time it is retrieved (about 15 sentences, 0.3 s on two cores)
  and kept;
- ``rank_evidence``: candidates by e5 similarity to the question, plus word overlap (rare words
  weigh more), plus their passage's retrieval rank, plus their better neighbour's similarity.

Deliberately not here: retrieval (``retrieval.search``), what the answer does with the ranking
(``answering.answerer``). Sentences are embedded on their own, not pooled from the chunk's token
vectors ("late chunking"), which put the evidence sentence first far less often (docs/design.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.answering.question import asked_speaker, speaks
from assistant.answering.tracing import question_terms, traced_terms
from assistant.models.embedding import Embedder
from assistant.records import Passage
from assistant.storage.catalog import Catalog, SentenceVectors
from assistant.text.injection import looks_like_instructions
from assistant.text.words import candidate_spans, content_tokens

# Weight of the passage's retrieval rank in a sentence's score (1/rank): retrieval fused e5 and,
# for Arabic, BM25 over the whole passage, which a single sentence's vector does not see.
PASSAGE_PRIOR = 0.01
# Weight of the question's words found in the sentence, each by its rarity among the candidates
# (``overlap_weights``). Cross-lingual questions share few words with an Arabic sentence, so the
# overlap is mostly 0 for them and their ranking is e5's (weights tried: docs/design.md, Answers).
OVERLAP_WEIGHT = 0.5
# Weight of the e5 similarity of the more similar of the sentence's two neighbours in its passage
# (the candidates just before and after it; a sentence alone in its passage counts its own): a
# sentence sitting where the passage discusses what was asked (``benchmarks/probe_sentence_choice.py``
# measures the variants; docs/design.md, Answers).
CONTEXT_WEIGHT = 0.1
# Weight of an English question's words the lexicon traces into an Arabic sentence (names by their
# spelling, other words by their glosses: ``tracing.traced_terms``), each by its rarity among the
# candidates, as the overlap: the cross-lingual counterpart of the word overlap.
TRACED_WEIGHT = 0.1
# Taken off a sentence that quotes someone other than the person whose words the question asks
# for ("ماذا قال روبيو لروسيا؟" over "…، قال مسؤول كبير في الناتو … التي حضرها روبيو"), and added
# to one where that person speaks (over "وقد سافر روبيو إلى المملكة العربية السعودية مرتين …",
# which quotes no one). Few questions ask for someone's words: ARCD dev 4 (the top sentence holds
# the evidence for 4 at 0, 0.02 and 0.05, with or without the addition), the seed 9 (8 at 0, 9 at
# 0.02 either way), XQuAD-ar and NTREX none: too few to show a gain, none lost.
SPEAKER_WEIGHT = 0.02


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence: its passage and its offsets in the article's cleaned text."""

    passage: Passage
    text: str
    start: int
    end: int
    score: float


def evidence_sentences(passages: list[Passage]) -> list[Evidence]:
    """Every candidate sentence of the passages, deduplicated, with article offsets."""
    seen: set[str] = set()
    found = []
    for passage in passages:
        for s, e in candidate_spans(passage.text):
            text = passage.text[s:e]
            if text in seen or looks_like_instructions(text):  # orders to an assistant are never evidence
                continue
            seen.add(text)
            found.append(Evidence(passage, text, passage.start + s, passage.start + e, 0.0))
    return found


class SentenceVectorStore:
    """Sentence vectors per chunk: from the catalog when stored, else embedded (all of the chunk's
    candidate sentences, in one batch) and stored there for next time. A passage may cover several
    chunks (a chunk's paragraph: ``retrieval.parents``), so vectors are matched to candidates by
    their offsets in the article."""

    def __init__(self, embedder: Embedder, catalog: Catalog) -> None:
        self.embedder = embedder
        self.catalog = catalog

    def _covering(self, candidates: list[Evidence]) -> dict[str, tuple[str, int, int]]:
        """The chunks the candidates' passages overlap: chunk id → (article id, start, end)."""
        spans = {(c.passage.article_id, c.passage.start, c.passage.end) for c in candidates}
        chunks: dict[str, list[tuple[str, int, int]]] = {}
        covering: dict[str, tuple[str, int, int]] = {}
        for article_id, lo, hi in sorted(spans):
            if article_id not in chunks:
                chunks[article_id] = self.catalog.chunk_spans(article_id)
            for cid, start, end in chunks[article_id]:
                if start < hi and end > lo:
                    covering[cid] = (article_id, start, end)
        return covering

    def _embed_missing(self, covering: dict[str, tuple[str, int, int]], stored: dict[str, SentenceVectors]) -> None:
        missing = [cid for cid in covering if cid not in stored]
        if not missing:
            return
        texts = {a: self.catalog.article_text(a) or "" for a in {covering[cid][0] for cid in missing}}
        chunk_texts = [texts[covering[cid][0]][covering[cid][1] : covering[cid][2]] for cid in missing]
        spans = [candidate_spans(t) for t in chunk_texts]
        sentences = [t[s:e] for t, chunk_spans in zip(chunk_texts, spans, strict=True) for s, e in chunk_spans]
        embedded = self.embedder.embed_passages(sentences) if sentences else np.zeros((0, self.embedder.dim))
        new: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}
        row = 0
        for cid, chunk_spans in zip(missing, spans, strict=True):
            new[cid] = (chunk_spans, embedded[row : row + len(chunk_spans)])
            row += len(chunk_spans)
        self.catalog.put_sentence_vectors(self.embedder.name, new)
        stored.update(new)

    def vectors(self, candidates: list[Evidence]) -> np.ndarray:
        """One row per candidate, in order."""
        if not candidates:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        covering = self._covering(candidates)
        stored = self.catalog.sentence_vectors(list(covering), self.embedder.name)
        self._embed_missing(covering, stored)
        by_span: dict[tuple[str, int, int], np.ndarray] = {}
        for cid, (offsets, matrix) in stored.items():
            article_id, start, _ = covering[cid]
            for (s, e), vector in zip(offsets, matrix, strict=True):
                by_span[(article_id, start + s, start + e)] = vector
        rows = [by_span.get((c.passage.article_id, c.start, c.end)) for c in candidates]
        unknown = [i for i, r in enumerate(rows) if r is None]
        if unknown:  # a sentence the stored spans lack (split otherwise, or across two chunks)
            embedded = self.embedder.embed_passages([candidates[i].text for i in unknown])
            for i, vector in zip(unknown, embedded, strict=True):
                rows[i] = vector
        return np.stack([r for r in rows if r is not None])


def rank_evidence(
    question: str,
    query_vector: np.ndarray,
    candidates: list[Evidence],
    vectors: np.ndarray,
    passages: list[Passage] | None = None,
    *,
    overlap_weight: float = OVERLAP_WEIGHT,
    passage_prior: float = PASSAGE_PRIOR,
    context_weight: float = CONTEXT_WEIGHT,
    traced_weight: float = TRACED_WEIGHT,
    speaker_weight: float = SPEAKER_WEIGHT,
) -> list[Evidence]:
    """Candidates by e5 similarity to the question, plus word overlap (rare words weigh more), plus
    their passage's rank, plus their better neighbour's similarity (``candidates`` in reading order,
    as ``evidence_sentences`` gives them; the weights are settable for
    ``benchmarks/probe_sentence_choice.py``)."""
    if not candidates:
        return []
    rank = {p.chunk_id: i for i, p in enumerate(passages or [], start=1)}
    dense = vectors @ query_vector
    q_words = set(content_tokens(question))
    words = [q_words & set(content_tokens(c.text)) for c in candidates]
    weight = overlap_weights(q_words, words)
    total = sum(weight.values()) or 1.0
    across = traced_shares(question, [c.text for c in candidates]) if traced_weight else [0.0] * len(candidates)
    speaker = asked_speaker(question) if speaker_weight else None
    voice = [speaks(speaker, c.text) for c in candidates] if speaker else [None] * len(candidates)
    ranked = []
    for i, (c, d, shared) in enumerate(zip(candidates, dense, words, strict=True)):
        overlap = sum(weight[w] for w in shared) / total
        prior = passage_prior / rank[c.passage.chunk_id] if c.passage.chunk_id in rank else 0.0
        beside = [
            float(dense[j])
            for j in (i - 1, i + 1)
            if 0 <= j < len(candidates) and candidates[j].passage.chunk_id == c.passage.chunk_id
        ]
        context = context_weight * max(beside, default=float(d))
        score = float(d) + overlap_weight * overlap + prior + context + traced_weight * across[i]
        score += speaker_weight * {True: 1, False: -1, None: 0}[voice[i]]
        ranked.append(Evidence(c.passage, c.text, c.start, c.end, score))
    return sorted(ranked, key=lambda c: -c.score)


def traced_shares(question: str, texts: list[str]) -> list[float]:
    """For each text, the share of an English question's content words the lexicon traces into it
    (``tracing.traced_terms``: names by their spelling, other words by their Arabic glosses), each
    word weighted by its rarity among the texts (``overlap_weights``); all 0.0 for an Arabic
    question or texts with no Arabic. Ranks Arabic sentences and chunks for English questions,
    where the two scripts share no word.

    >>> traced_shares("Whom did Rubio meet on Friday?", ["التقى روبيو بمبعوث بوتين يوم الجمعة", "قال مسؤول"])
    [1.0, 0.0]
    """
    terms = question_terms(question)
    if not terms:
        return [0.0] * len(texts)
    traced = [traced_terms(question, t) for t in texts]
    weight = overlap_weights(terms, traced)
    total = sum(weight.values()) or 1.0
    return [sum(weight[w] for w in found) / total for found in traced]


def overlap_weights(q_words: set[str], shared: list[set[str]]) -> dict[str, float]:
    """Each question word's weight in the overlap: its inverse frequency among the candidates.

    A word most candidates share (the name the question is about, روبيو in a story about Rubio)
    tells them apart less than one a single sentence has (تهديدا, "a threat").

    >>> w = overlap_weights({"روبيو", "تهديدا"}, [{"روبيو"}, {"روبيو"}, {"روبيو", "تهديدا"}])
    >>> w["تهديدا"] > w["روبيو"]
    True
    """
    n = len(shared)
    return {w: math.log((n + 1) / (sum(w in s for s in shared) + 0.5)) for w in q_words}


def passage_margin(ranked: list[Evidence]) -> float | None:
    """How far the best sentence's score is ahead of the best sentence from another passage
    (None when all candidates share one passage).

    A citation names a passage; when two passages' best sentences score within a hair of each
    other, the ranking has not decided which of them answers.
    """
    if not ranked:
        return None
    best = ranked[0]
    rival = next((e for e in ranked[1:] if e.passage.chunk_id != best.passage.chunk_id), None)
    return None if rival is None else best.score - rival.score
