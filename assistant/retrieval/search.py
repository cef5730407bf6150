"""Hybrid retrieval: dense (e5 in Chroma) and BM25, fused by weighted reciprocal rank.

Plain RRF of e5 and BM25 drags cross-lingual questions down (BM25 cannot read an English
question over Arabic text, so its ranking is noise). The lexical side therefore joins with a
weight equal to its *coverage* of the question (the idf-weighted share of question tokens the
corpus contains) and only when that reaches ``lexical_min_coverage``: an Arabic question over
Arabic news fuses both; an English one falls back to dense unless it shares names or numbers
with the corpus.

``score = 1/(rrf_k + dense_rank) + coverage/(rrf_k + lexical_rank)``

The ranked chunks are handed back with their paragraphs, chunks of one paragraph making one
passage (``retrieval.parents``): what a reader opens holds the sentence that answers, not only
the chunk beside it.

When BM25 stays out, the dense candidates are re-scored by their best sentence
(``cos(q, chunk) + sentence_weight × max cos(q, sentence)``, sentence vectors made at
ingestion): a chunk whose one sentence answers is not diluted by the rest; and, for an English
question over Arabic chunks, by the share of the question's words the lexicon traces into each
chunk (``+ traced_weight × share``, through the ``cross_lingual`` scorer the façade passes in:
``answering.evidence.traced_shares``). It helps English
questions over Arabic and hurt Arabic ones, which BM25 already reads, so it is left out when BM25
joins (figures: docs/design.md, Retrieval).

Deliberately not here: the question's history (``answering.question.condense``), and reranking models
(none is available offline).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.ingestion.chunking import index_text
from assistant.models.embedding import Embedder
from assistant.records import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.parents import gather
from assistant.retrieval.recency import decayed
from assistant.settings import RetrievalSettings
from assistant.storage.catalog import Catalog, ChunkRow
from assistant.storage.chroma import ChromaStore, Filters

QUERY_VECTORS_KEPT = 256
LEXICAL_FILE = "lexical.npz"


@dataclass
class SearchTrace:
    """How one search ranked: kept for evaluation and debugging."""

    dense: list[tuple[str, float]]
    lexical: list[tuple[str, float]]
    lexical_weight: float


class HybridSearcher:
    """Searches the store and the lexical index and fuses the two rankings."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        catalog: Catalog,
        embedder: Embedder,
        settings: RetrievalSettings,
        embed_title: bool = True,
        cross_lingual: Callable[[str, list[str]], list[float]] | None = None,
    ) -> None:
        self.store = store
        self.cross_lingual = cross_lingual
        self.catalog = catalog
        self.embedder = embedder
        self.settings = settings
        self.embed_title = embed_title
        self.lexical = LexicalIndex()
        self._lexical_lock = threading.Lock()
        self.last_trace: SearchTrace | None = None
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()

    def query_vector(self, query: str) -> np.ndarray:
        """The e5 vector of ``query``, remembered for the last ``QUERY_VECTORS_KEPT`` queries: the answer
        stage ranks its evidence with the vector its search has just made."""
        with self._query_lock:
            vector = self._query_vectors.get(query)
            if vector is not None:
                self._query_vectors.move_to_end(query)
                return vector
        vector = self.embedder.embed_queries([query])[0]
        with self._query_lock:
            self._query_vectors[query] = vector
            while len(self._query_vectors) > QUERY_VECTORS_KEPT:
                self._query_vectors.popitem(last=False)
        return vector

    def _by_best_sentence(self, dense: list[tuple[str, float]], vector: np.ndarray) -> list[tuple[str, float]]:
        """Dense candidates re-scored by ``cos(q, chunk) + sentence_weight × max cos(q, sentence)``, best first.

        A chunk without stored sentence vectors (ingested with ``sentence_vectors`` off, or not yet
        retrieved) counts its own cosine as its best sentence's, so it is neither helped nor hurt.
        """
        weight = self.settings.sentence_weight
        if not weight or not dense:
            return dense
        stored = self.catalog.sentence_vectors([cid for cid, _ in dense], self.embedder.name)
        rescored = []
        for cid, cosine in dense:
            matrix = stored[cid][1] if cid in stored else None
            best = float(np.max(matrix @ vector)) if matrix is not None and len(matrix) else cosine
            rescored.append((cid, cosine + weight * best))
        return sorted(rescored, key=lambda item: (-item[1], item[0]))

    def _by_traced_words(self, query: str, dense: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Dense candidates re-scored with ``traced_weight × `` the share of the question's words the
        lexicon traces into each chunk (``cross_lingual``; 0 for a question in the chunks' script),
        best first."""
        weight = self.settings.traced_weight
        if not weight or not dense or self.cross_lingual is None:
            return dense
        rows = self.catalog.chunk_rows([cid for cid, _ in dense])
        shares = self.cross_lingual(query, [rows[cid].text if cid in rows else "" for cid, _ in dense])
        if not any(shares):
            return dense
        rescored = [(cid, score + weight * share) for (cid, score), share in zip(dense, shares, strict=True)]
        return sorted(rescored, key=lambda item: (-item[1], item[0]))

    @property
    def lexical_path(self) -> Path:
        """Where the lexical index is kept, beside the catalog."""
        return self.catalog.folder / LEXICAL_FILE

    def _index_texts(self, chunk_ids: list[str]) -> dict[str, str]:
        rows = self.catalog.chunk_rows(chunk_ids)
        return {cid: index_text(r.title, r.text, self.embed_title) for cid, r in rows.items()}

    def refresh_lexical(self) -> None:
        """Bring the lexical index in step with the catalog and save it when it changed: after an
        ingestion, and before a search when another process has ingested meanwhile. The first call
        of a process loads the saved index and checks it against the catalog's chunks (a crash may
        have left it behind); only chunks it lacks are tokenised."""
        generation = self.catalog.generation
        if self.lexical.generation == generation:
            return
        with self._lexical_lock:
            if self.lexical.generation < 0:
                self.lexical = LexicalIndex.load(self.lexical_path) or self.lexical
                self.lexical.generation = -1  # whatever it says, check it against the catalog once
            if self.lexical.generation == generation:
                return
            if self.lexical.sync_ids(self.catalog.all_chunk_ids(), self._index_texts, generation):
                with contextlib.suppress(OSError):  # a read-only store still searches; a writer saves it
                    self.lexical.save(self.lexical_path)

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        """The lexical rows a filter lets through (None: all)."""
        if filters is None or filters.is_empty():
            return None
        rows = self.catalog.chunk_rows(self.lexical.chunk_ids)
        return self.lexical.mask([cid for cid, row in rows.items() if filters.admits(row)])

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        recency: float | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first (``recency``: a half-life in days, see
        ``retrieval.recency``; default ``settings.recency_half_life``, off)."""
        return self.search_traced(query, k, filters, mode, recency)[0]

    def search_traced(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        recency: float | None = None,
    ) -> tuple[list[Passage], SearchTrace]:
        """``search``, with how it ranked (the trace is also kept as ``last_trace``, for tests)."""
        k = k or self.settings.k
        mode = mode or self.settings.mode
        n = max(self.settings.candidates, k)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        weight = 0.0
        if mode in ("hybrid", "lexical"):
            self.refresh_lexical()
            weight = self.lexical.coverage(query) if mode == "hybrid" else 1.0
            if mode == "lexical" or weight >= self.settings.lexical_min_coverage:
                lexical = self.lexical.search(query, n, self._allowed(filters))
            else:
                weight = 0.0
        if mode in ("hybrid", "dense"):
            vector = self.query_vector(query)
            dense = self.store.query(vector, n, filters)
            if not lexical:
                # The best-sentence channel, and the question's words traced into each chunk through
                # the lexicon, stand in for BM25 where BM25 cannot read the question.
                dense = self._by_traced_words(query, self._by_best_sentence(dense, vector))
        trace = self.last_trace = SearchTrace(dense, lexical, weight)

        fused: dict[str, float] = {}
        dense_rank = {cid: rank for rank, (cid, _) in enumerate(dense, start=1)}
        lexical_rank = {cid: rank for rank, (cid, _) in enumerate(lexical, start=1)}
        for cid, rank in dense_rank.items():
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank)
        for cid, rank in lexical_rank.items():
            fused[cid] = fused.get(cid, 0.0) + weight / (self.settings.rrf_k + rank)
        ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))
        # Vectors with no catalog row (left by an interrupted ingestion) are not articles yet.
        rows = self.catalog.chunk_rows(ranked)
        half_life = recency if recency is not None else self.settings.recency_half_life
        if half_life:  # off by default: the ranking above is untouched unless asked
            fused, ranked = self._by_recency(fused, rows, half_life)
        chunks = [
            rows[cid].to_passage(fused[cid], dense_rank.get(cid), lexical_rank.get(cid))
            for cid in ranked
            if cid in rows
        ]
        # Each chunk is handed back with its paragraph; chunks of one paragraph make one passage.
        passages = gather(chunks, self.catalog.article_text, k, self.settings.parent_chars)
        return passages[:k], trace

    def _by_recency(
        self, fused: dict[str, float], rows: dict[str, ChunkRow], half_life: float
    ) -> tuple[dict[str, float], list[str]]:
        """Fused scores decayed by their article's age, counted from the store's newest article."""
        newest = self.catalog.newest_published()
        published = {cid: row.published for cid, row in rows.items()}
        fused = decayed(fused, published, half_life, newest or date.today())
        return fused, sorted(fused, key=lambda cid: (-fused[cid], cid))


class AssistantRetriever(BaseRetriever):
    """LangChain retriever over the hybrid search (``Assistant.as_retriever()``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=p.text,
                id=p.chunk_id,
                metadata={
                    "chunk_id": p.chunk_id,
                    "article_id": p.article_id,
                    "key": p.key,
                    "title": p.title,
                    "source": p.source,
                    "start": p.start,
                    "end": p.end,
                    "published": p.published.isoformat() if p.published else None,
                    "score": p.score,
                },
            )
            for p in self.searcher.search(query, self.k, self.filters)
        ]
