"""BM25 over normalised, lightly stemmed tokens (assistant/retrieval/lexical.py): matching,
scores, coverage, masks and syncing with the catalog's generation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.lexical import LexicalIndex

LN2 = math.log(2)


def _index(*texts: str, generation: int = 1) -> LexicalIndex:
    index = LexicalIndex()
    index.sync([(f"c{i}", text) for i, text in enumerate(texts)], generation)
    return index


def test_a_new_index_is_empty() -> None:
    index = LexicalIndex()
    assert (len(index), index.generation, index.chunk_ids) == (0, -1, [])
    assert index.coverage("روبيو") == 0.0
    assert index.search("روبيو", 5) == []
    assert index.mask(["c0"]).tolist() == []


def test_one_matching_term_scores_its_idf() -> None:
    # Two one-word chunks: df 1 of 2 gives idf ln(1 + 1.5/1.5) = ln 2, and a term that fills a chunk
    # of average length has a BM25 tf weight of exactly 1.
    index = _index("روبيو", "روسيا")
    [(chunk_id, score)] = index.search("روبيو", 5)
    assert chunk_id == "c0"
    assert score == pytest.approx(LN2, rel=1e-6)


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("أوكرانيا", "اوكرانيا"),  # hamza on alef
        ("إلى موسكو", "الي موسكو"),  # alef maqsura and hamza below
        ("المحادثات المستمرة", "المحادثات المستمره"),  # taa marbuta
        ("السلام", "السَّلامُ"),  # harakat and shadda
        ("روسيــا", "روسيا"),  # tatweel
        ("عام ٢٠٢٥", "عام 2025"),  # Arabic-Indic digits
        ("Rubio", "RUBIO"),  # case
    ],
)
def test_spelling_variants_match(stored: str, query: str) -> None:
    index = _index(stored, "كلام آخر تماما")
    assert [cid for cid, _ in index.search(query, 5)] == ["c0"]
    assert index.coverage(query) == 1.0


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("والمفاوضات", "مفاوضات"),  # و + ال, and the plural ات
        ("بالسلام", "السلام"),  # ب + ال
        ("للطاقة", "الطاقة"),  # لل
        ("فالحرب", "حرب"),  # ف + ال
        ("المسؤولون", "المسؤول"),  # the plural ون
    ],
)
def test_clitics_and_suffixes_are_stripped(stored: str, query: str) -> None:
    index = _index(stored, "كلام آخر تماما")
    assert [cid for cid, _ in index.search(query, 5)] == ["c0"]


def test_a_short_word_keeps_its_letters() -> None:
    # "وال" would leave no stem; it stays whole and does not match "ال"-words.
    index = _index("وال", "الوقت")
    assert [cid for cid, _ in index.search("وال", 5)] == ["c0"]


def test_coverage_is_the_idf_weighted_known_share() -> None:
    index = _index("روبيو الوقت", "روسيا")
    known = LN2  # idf of روبيو: df 1 of 2
    unknown = math.log1p((2 + 0.5) / 0.5)  # an unknown word weighs as much as the rarest term
    assert index.coverage("روبيو") == 1.0
    assert index.coverage("روبيو zzz") == pytest.approx(known / (known + unknown), rel=1e-6)
    assert index.coverage("What did Rubio tell Russia?") == 0.0


@pytest.mark.parametrize("query", ["", "   ", "؟!…", "zzz qqq", "🙂"])
def test_a_query_the_index_cannot_read(query: str) -> None:
    index = _index("روبيو الوقت", "روسيا")
    assert index.coverage(query) == 0.0
    assert index.search(query, 5) == []


def test_results_are_best_first_and_cut_to_n() -> None:
    index = _index("روبيو", "روبيو روسيا", "روسيا أوكرانيا", "كلام آخر")
    ranked = index.search("روبيو روسيا", 10)
    assert [cid for cid, _ in ranked] == ["c1", "c0", "c2"]  # both words first; c3 has none, so is left out
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert index.search("روبيو روسيا", 1) == ranked[:1]
    assert index.search("روبيو روسيا", 0) == []
    assert index.search("روبيو روسيا", -3) == []


def test_a_repeated_query_word_counts_each_time() -> None:
    index = _index("روبيو", "روسيا")
    [(_, once)] = index.search("روبيو", 1)
    [(_, thrice)] = index.search("روبيو " * 3, 1)
    assert thrice == pytest.approx(3 * once, rel=1e-6)


def test_long_texts() -> None:
    index = _index("روبيو " + "كلام " * 10_000, "روسيا")
    assert [cid for cid, _ in index.search("روبيو " * 500, 5)] == ["c0"]
    assert index.coverage("كلام " * 500) == 1.0


def test_mask_allows_only_the_given_chunks() -> None:
    index = _index("روبيو", "روبيو روسيا", "روبيو أوكرانيا")
    mask = index.mask(["c2", "c0", "unknown"])
    assert mask.dtype == np.bool_ and mask.tolist() == [True, False, True]  # unknown ids are ignored
    assert [cid for cid, _ in index.search("روبيو", 5, allowed=mask)] == ["c0", "c2"]
    assert index.search("روبيو", 5, allowed=index.mask([])) == []


def test_sync_adds_drops_and_records_the_generation() -> None:
    index = _index("روبيو", "روسيا", generation=3)
    assert (len(index), index.generation) == (2, 3)
    index.sync([("c1", "روسيا"), ("c2", "روبيو يلتقي")], 4)
    assert (len(index), index.generation) == (2, 4)
    assert index.chunk_ids == ["c0", "c1", "c2"]  # a dropped chunk keeps its row, masked out
    assert [cid for cid, _ in index.search("روبيو", 5)] == ["c2"]
    assert index.mask(["c0", "c2"]).tolist() == [True, False, True]
    index.sync([], 5)
    assert (len(index), index.generation, index.search("روسيا", 5)) == (0, 5, [])


def test_sync_reads_only_chunks_it_has_not_seen() -> None:
    # Chunk ids are content hashes, so a known id is taken to hold the text it had.
    index = _index("روبيو")
    index.sync([("c0", "روسيا")], 2)
    assert [cid for cid, _ in index.search("روبيو", 5)] == ["c0"]
    assert index.search("روسيا", 5) == []


def test_syncing_the_same_chunks_again_changes_no_score() -> None:
    texts = ["روبيو الوقت", "روسيا أوكرانيا", "روبيو روسيا"]
    index = _index(*texts)
    before = index.search("روبيو روسيا", 5)
    index.sync([(f"c{i}", t) for i, t in enumerate(texts)], 2)
    assert index.search("روبيو روسيا", 5) == before
    assert index.generation == 2


def test_an_index_synced_down_scores_like_one_built_fresh() -> None:
    index = _index("روبيو الوقت", "روبيو روسيا", "Rubio")
    index.sync([("c0", "روبيو الوقت")], 2)
    fresh = _index("روبيو الوقت")
    assert index.coverage("Rubio") == fresh.coverage("Rubio") == 0.0
    assert index.search("روبيو", 5) == fresh.search("روبيو", 5)


def test_a_saved_index_loads_with_the_same_ranking(tmp_path: Path) -> None:
    index = _index("روبيو يلتقي بوتين", "روسيا تريد السلام", "الوقت يمر بسرعة", generation=7)
    index.sync_ids(["c0", "c2"], lambda ids: {}, 8)  # c1 dropped
    path = tmp_path / "lexical.npz"
    index.save(path)
    loaded = LexicalIndex.load(path)
    assert loaded is not None and loaded.generation == 8 and len(loaded) == 2
    for query in ("روبيو", "السلام", "الوقت يمر"):
        assert loaded.search(query, 5) == index.search(query, 5)
    assert loaded.coverage("روبيو السلام") == index.coverage("روبيو السلام")


def test_sync_ids_tokenises_only_the_chunks_it_lacks() -> None:
    index = _index("روبيو", "روسيا")
    asked: list[list[str]] = []

    def texts(ids: list[str]) -> dict[str, str]:
        asked.append(ids)
        return {cid: "الوقت يمر" for cid in ids}

    assert index.sync_ids(["c0", "c1", "c9"], texts, 2) is True
    assert asked == [["c9"]] and index.search("الوقت", 5)[0][0] == "c9"
    assert index.sync_ids(["c0", "c1", "c9"], texts, 3) is False and asked == [["c9"]]  # nothing new


def test_an_unreadable_or_foreign_index_file_is_not_loaded(tmp_path: Path) -> None:
    import assistant.retrieval.lexical as lexical

    path = tmp_path / "lexical.npz"
    assert LexicalIndex.load(path) is None  # none yet
    path.write_bytes(b"not a numpy file")
    assert LexicalIndex.load(path) is None
    _index("روبيو").save(path)
    lexical.TOKENS_VERSION += 1  # as if match_tokens had changed since it was saved
    try:
        assert LexicalIndex.load(path) is None
    finally:
        lexical.TOKENS_VERSION -= 1
    assert LexicalIndex.load(path) is not None
