"""Deterministic fakes for unit tests (shipped, like httpx's ``MockTransport``).

``HashEmbedder`` maps each normalised word to a fixed random direction and sums them, so
texts sharing words are close and results never change between runs. It is not a language
model: use it to test plumbing, never retrieval quality.
"""

from __future__ import annotations

import hashlib

import numpy as np

from assistant.arabic import match_tokens


class HashEmbedder:
    """A bag-of-words embedder with fixed, hash-seeded word vectors."""

    def __init__(self, dim: int = 64, name: str = "test/hash-embedder") -> None:
        self.dim = dim
        self.name = name
        self.calls = 0  # texts embedded so far, for tests that check re-embedding is skipped

    def _vector(self, text: str) -> np.ndarray:
        total = np.zeros(self.dim, dtype=np.float32)
        for token in match_tokens(text):
            seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
            total += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        norm = float(np.linalg.norm(total))
        if norm == 0:
            total[0], norm = 1.0, 1.0
        return total / norm

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2
