"""Hybrid retrieval: re-scoring dense candidates by their best sentence, and when it applies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.retrieval.search import HybridSearcher
from assistant.settings import RetrievalSettings
from assistant.testing import HashEmbedder


class SentenceVectorsOnly:
    """The one catalog call the re-scoring makes: chunk "b" has two sentences, "empty" none, "a" and "c" no row."""

    def sentence_vectors(self, chunk_ids: list[str], model: str) -> dict[str, tuple[list[tuple[int, int]], np.ndarray]]:
        rows = {
            "b": ([(0, 5), (6, 9)], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)),
            "empty": ([], np.zeros((0, 0), dtype=np.float32)),
        }
        return {cid: rows[cid] for cid in chunk_ids if cid in rows}


def _searcher(weight: float) -> HybridSearcher:
    return HybridSearcher(
        store=None,  # type: ignore[arg-type]
        catalog=SentenceVectorsOnly(),  # type: ignore[arg-type]
        embedder=HashEmbedder(dim=2),
        settings=RetrievalSettings(sentence_weight=weight),
    )


def test_a_chunk_whose_sentence_answers_moves_up() -> None:
    dense = [("a", 0.8), ("b", 0.75), ("empty", 0.7), ("c", 0.6)]
    rescored = _searcher(0.5)._by_best_sentence(dense, np.array([1.0, 0.0], dtype=np.float32))
    # b: 0.75 + 0.5 × 1.0 (its first sentence); the others count their own cosine as their best sentence's.
    assert [cid for cid, _ in rescored] == ["b", "a", "empty", "c"]
    assert [score for _, score in rescored] == pytest.approx([1.25, 1.2, 1.05, 0.9])


def test_weight_zero_leaves_the_dense_ranking_alone() -> None:
    dense = [("a", 0.8), ("b", 0.75)]
    assert _searcher(0.0)._by_best_sentence(dense, np.array([1.0, 0.0], dtype=np.float32)) == dense


def test_the_sentence_channel_stands_in_for_bm25_only_where_bm25_cannot_read_the_question(
    fake_assistant: Assistant, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_assistant.ingest([seed_path])
    searcher = fake_assistant.searcher
    rescored: list[int] = []
    original = searcher._by_best_sentence
    monkeypatch.setattr(
        searcher, "_by_best_sentence", lambda dense, v: rescored.append(len(dense)) or original(dense, v)
    )
    fake_assistant.search("روبيو روسيا الحرب", 3)
    assert searcher.last_trace is not None and searcher.last_trace.lexical_weight > 0.9 and rescored == []
    fake_assistant.search("What did Rubio say about the war?", 3)
    assert searcher.last_trace.lexical_weight == 0.0 and rescored == [len(searcher.last_trace.dense)]
    fake_assistant.search("روبيو روسيا الحرب", 3, mode="dense")
    assert len(rescored) == 2
