"""BM25 over Arabic-normalised, lightly stemmed tokens (the lexical half of hybrid search).

The index is a sparse chunk × term matrix of BM25 weights (scipy), so a query costs a few
column sums whatever the corpus size. It is kept in step with the catalog: ``sync`` tokenises
only chunks it has not seen and drops those the catalog no longer has.

``coverage`` says how much of a question the index can read at all: the idf-weighted share
of its tokens that occur in the corpus. A cross-lingual question (English over Arabic) scores
near zero, and hybrid search then leaves the lexical side out instead of letting it add noise.

It is kept on disk too (``save`` / ``load``: the term counts, vocabulary and chunk ids as one
NumPy ``.npz`` file, replaced atomically), so a new process does not tokenise the whole catalog
again (14 s at 100k chunks): it loads the file and catches up with what the catalog gained or
lost since (``sync_ids``), which is also how a crash mid-ingestion is mended. bm25s, the obvious
library, cannot add or remove documents without rebuilding (its author says so: xhluca/bm25s#5),
which each ingestion would need.

Deliberately not here: phrase or proximity matching.
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant.text.arabic import match_tokens

# Bump when ``match_tokens`` changes what it makes of a text: a saved index is then rebuilt.
TOKENS_VERSION = 1


class LexicalIndex:
    """BM25 (k1, b) over chunk texts, addressed by chunk id."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._lock = threading.Lock()
        self._vocab: dict[str, int] = {}
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._counts = sparse.csr_matrix((0, 0), dtype=np.float32)  # raw term frequencies
        self._weights = sparse.csc_matrix((0, 0), dtype=np.float32)  # BM25 weights, idf included
        self._idf = np.zeros(0, dtype=np.float32)
        self._df = np.zeros(0, dtype=np.float32)
        self._max_idf = 1.0
        self.generation = -1  # catalog generation this index reflects

    def __len__(self) -> int:
        return int(self._alive.sum())

    @property
    def chunk_ids(self) -> list[str]:
        return self._ids

    def sync(self, chunks: Iterable[tuple[str, str]], generation: int) -> None:
        """Make the index hold exactly ``chunks`` (pairs of chunk id and text to index)."""
        wanted = dict(chunks)
        self.sync_ids(wanted, lambda ids: {cid: wanted[cid] for cid in ids}, generation)

    def sync_ids(self, ids: Iterable[str], texts: Callable[[list[str]], dict[str, str]], generation: int) -> bool:
        """Make the index hold exactly the chunks ``ids``, asking ``texts`` only for those it lacks
        (id → text to index); returns whether anything changed."""
        with self._lock:
            wanted = set(ids)
            new_ids = sorted(i for i in wanted if i not in self._row)
            alive = np.fromiter((cid in wanted for cid in self._ids), dtype=bool, count=len(self._ids))
            changed = bool(new_ids) or not np.array_equal(alive, self._alive)
            self._alive = alive
            if new_ids:
                found = texts(new_ids)
                self._append([(cid, found[cid]) for cid in new_ids if cid in found])
            if changed or self._weights.shape != self._counts.shape:
                self._reweigh()
            self.generation = generation
            return changed

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (``.npz``), atomically: a reader sees the old file or the new one."""
        with self._lock:
            counts = self._counts.tocsr()
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                weights = self._weights
                np.savez(
                    f,
                    version=np.array([TOKENS_VERSION, self.generation], dtype=np.int64),
                    data=counts.data, indices=counts.indices, indptr=counts.indptr,
                    shape=np.array(counts.shape, dtype=np.int64),
                    alive=self._alive, ids=np.array(self._ids, dtype=str),
                    vocab=np.array(list(self._vocab), dtype=str),
                    # The BM25 weights too: recomputing them is most of a load at 100k chunks.
                    w_data=weights.data, w_indices=weights.indices, w_indptr=weights.indptr,
                    idf=self._idf, df=self._df, max_idf=np.array([self._max_idf]),
                )  # fmt: skip
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, k1: float = 1.2, b: float = 0.75) -> LexicalIndex | None:
        """The index saved at ``path``, BM25 weights included; None when there is none, it is
        unreadable, or it was made by another tokeniser (then it is rebuilt from the catalog)."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                version, generation = (int(v) for v in saved["version"])
                if version != TOKENS_VERSION:
                    return None
                shape = tuple(int(n) for n in saved["shape"])
                counts = sparse.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=shape)
                alive, ids, vocab = saved["alive"], saved["ids"].tolist(), saved["vocab"].tolist()
                weights = sparse.csc_matrix((saved["w_data"], saved["w_indices"], saved["w_indptr"]), shape=shape)
                idf, df, max_idf = saved["idf"], saved["df"], float(saved["max_idf"][0])
        except (OSError, ValueError, KeyError, EOFError):
            return None
        if len(ids) != shape[0] or len(vocab) != shape[1] or len(alive) != shape[0] or len(idf) != shape[1]:
            return None
        index = cls(k1, b)
        index._counts, index._alive, index._ids = counts, alive.astype(bool), ids
        index._row = {cid: i for i, cid in enumerate(ids)}
        index._vocab = {token: i for i, token in enumerate(vocab)}
        index._weights, index._idf, index._df, index._max_idf = weights, idf, df, max_idf
        index.generation = generation
        return index

    def _append(self, new: list[tuple[str, str]]) -> None:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[int] = []
        vocab = self._vocab
        for offset, (cid, text) in enumerate(new):
            tf = Counter(match_tokens(text))  # counted in C: this loop is most of a rebuild
            rows.extend([offset] * len(tf))
            cols.extend([vocab.setdefault(token, len(vocab)) for token in tf])
            vals.extend(tf.values())
            self._row[cid] = len(self._ids)
            self._ids.append(cid)
        block = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(new), len(self._vocab))
        )
        old = self._counts
        old.resize((old.shape[0], len(self._vocab)))
        self._counts = sparse.vstack([old, block], format="csr")
        self._alive = np.concatenate([self._alive, np.ones(len(new), dtype=bool)])

    def _reweigh(self) -> None:
        counts = self._counts
        if not self._alive.all():
            counts = counts.multiply(self._alive[:, None]).tocsr()
            counts.eliminate_zeros()  # masked rows keep explicit zeros, which would count as documents
        n_docs = max(1, int(self._alive.sum()))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        avg = float(lengths[self._alive].mean()) if self._alive.any() else 1.0
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
        self._df = df
        self._idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        coo = counts.tocoo()
        norm = self.k1 * (1 - self.b + self.b * lengths[coo.row] / max(avg, 1e-9))
        tfw = coo.data * (self.k1 + 1) / (coo.data + norm)
        self._weights = sparse.csc_matrix(
            ((tfw * self._idf[coo.col]).astype(np.float32), (coo.row, coo.col)), shape=counts.shape
        )
        self._max_idf = float(math.log1p((n_docs + 0.5) / 0.5))

    def coverage(self, query: str) -> float:
        """Idf-weighted share of the query's tokens that the corpus contains (0.0–1.0).

        Unknown tokens weigh as much as the rarest possible term.
        """
        tokens = match_tokens(query)
        if not tokens or not self._vocab:
            return 0.0
        known = unknown = 0.0
        for token in tokens:
            col = self._vocab.get(token)
            if col is None or self._df[col] == 0:
                unknown += self._max_idf
            else:
                known += float(self._idf[col])
        return known / (known + unknown)

    def search(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top ``n`` (chunk id, BM25 score) with a positive score; ``allowed`` masks rows."""
        cols = [self._vocab[t] for t in match_tokens(query) if t in self._vocab]
        if not cols or n <= 0:
            return []
        scores = np.asarray(self._weights[:, cols].sum(axis=1)).ravel()
        scores[~self._alive] = 0.0
        if allowed is not None:
            scores[~allowed] = 0.0
        positive = int((scores > 0).sum())
        if positive == 0:
            return []
        top = min(n, positive)
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self._ids[i], float(scores[i])) for i in best]

    def mask(self, chunk_ids: Iterable[str]) -> np.ndarray:
        """A row mask allowing only ``chunk_ids`` (for filters)."""
        allowed = np.zeros(len(self._ids), dtype=bool)
        for cid in chunk_ids:
            row = self._row.get(cid)
            if row is not None:
                allowed[row] = True
        return allowed
