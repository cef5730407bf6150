"""The vector store: Chroma, embedded in ``vectorstore/`` (or a Chroma server), given our vectors.

The collection is stamped with the embedding model, its dimension and the chunking settings;
opening it with another embedding model raises ``EmbeddingMismatchError``. Chunk metadata
carries what filters need (article, source, language, publication day).

Deliberately not here: embedding (the store never embeds: Chroma's default function is
English-only and downloads), the article catalog (``catalog``), and ranking (``retrieval``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import EmbeddingMismatchError, SettingsError, StoreError
from assistant.records import Article, Chunk

_EPOCH = date(1970, 1, 1)
OWNER_KEY = "catalog_id"  # collection metadata: which catalog indexes the collection


def day_number(day: date) -> int:
    """Days since 1970-01-01 (Chroma filters compare numbers, not dates).

    >>> day_number(date(1970, 1, 2))
    1
    """
    return (day - _EPOCH).days


class Filterable(Protocol):
    """What a filter reads of a chunk: its source, its article and its article's date."""

    @property
    def source(self) -> str: ...
    @property
    def article_id(self) -> str: ...
    @property
    def published(self) -> date | None: ...


@dataclass(frozen=True)
class Filters:
    """Restrict a search to some sources, articles, or a publication date range.

    A date bound excludes articles whose date is unknown.
    """

    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def is_empty(self) -> bool:
        return not (self.sources or self.article_ids or self.since or self.until)

    def admits(self, row: Filterable) -> bool:
        """Whether an article's chunk passes the filter (the rule ``to_chroma`` gives Chroma)."""
        return (
            (not self.sources or row.source in self.sources)
            and (not self.article_ids or row.article_id in self.article_ids)
            and (not self.since or (row.published is not None and row.published >= self.since))
            and (not self.until or (row.published is not None and row.published <= self.until))
        )

    def to_chroma(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        if self.since:
            clauses.append({"published_day": {"$gte": day_number(self.since)}})
        if self.until:
            clauses.append({"published_day": {"$lte": day_number(self.until)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """One Chroma collection of chunk vectors."""

    def __init__(
        self,
        *,
        path: Path | None = None,
        url: str | None = None,
        collection: str = "articles",
        embedding_model: str,
        dim: int,
        chunking: str,
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError(
                f"The Chroma URL must start with http:// or https://, e.g. http://127.0.0.1:8000; got {url!r}"
            )
        where = url or str(path)
        try:
            if url:
                from urllib.parse import urlparse

                parsed = urlparse(url)
                self.client = chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or 8000,
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self.collection = self.client.get_or_create_collection(
                name=collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": embedding_model, "dim": dim, "chunking": chunking},
            )
        except Exception as exc:  # chromadb raises many types; the user needs the place and the cause
            hint = " Start the server (chroma run --path DIR --port N) or check the URL." if url else ""
            raise StoreError(f"Could not open the Chroma store at {where}: {str(exc).rstrip('.')}.{hint}") from exc
        stamp = self.collection.metadata or {}
        if stamp.get("embedding_model") != embedding_model or int(stamp.get("dim", dim)) != dim:
            stored_dim = int(stamp.get("dim", dim))
            raise EmbeddingMismatchError(where, str(stamp.get("embedding_model")), embedding_model, stored_dim, dim)
        if stamp.get("chunking") != chunking:
            raise StoreError(
                f"The store at {where} was chunked with settings {stamp.get('chunking')!r}, not the "
                f"current {chunking!r}. Restore the chunking settings, or use a new store and ingest again."
            )
        self.where = where
        self.is_server = bool(url)

    @property
    def collection_id(self) -> str:
        """Chroma's id of the collection: a new one whenever the collection is created anew."""
        return str(self.collection.id)

    @property
    def owner(self) -> str | None:
        """The id of the catalog that indexes this collection (see ``consistency.pair``)."""
        owner = (self.collection.metadata or {}).get(OWNER_KEY)
        return str(owner) if owner else None

    def claim(self, owner: str) -> None:
        """Record ``owner`` (a catalog id) in the collection's metadata, keeping the other stamps."""
        self.collection.modify(metadata={**(self.collection.metadata or {}), OWNER_KEY: owner})

    def count(self) -> int:
        return int(self.collection.count())

    def upsert(self, articles: dict[str, Article], chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Write chunk vectors (ids are deterministic, so writing twice changes nothing)."""
        if not chunks:
            return
        metadatas = []
        for chunk in chunks:
            article = articles[chunk.article_id]
            meta: dict[str, Any] = {
                "article_id": chunk.article_id,
                "index": chunk.index,
                "start": chunk.start,
                "end": chunk.end,
                "source": article.source,
                "lang": article.lang,
            }
            if article.published:
                meta["published_day"] = day_number(article.published)
            metadatas.append(meta)
        # Chroma caps a batch; stay well under it.
        for i in range(0, len(chunks), 1000):
            part = slice(i, i + 1000)
            self.collection.upsert(
                ids=[c.id for c in chunks[part]],
                embeddings=vectors[part].tolist(),
                documents=[c.text for c in chunks[part]],
                metadatas=metadatas[part],  # type: ignore[arg-type]
            )

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        for i in range(0, len(chunk_ids), 1000):
            self.collection.delete(ids=chunk_ids[i : i + 1000])

    def delete_article(self, article_id: str) -> None:
        self.collection.delete(where={"article_id": article_id})

    def query(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first."""
        # No count() first: an empty collection answers with no ids, and at 100k chunks count() costs
        # several times the HNSW query itself (8 ms against 2 ms).
        if n <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=n,
            where=filters.to_chroma() if filters else None,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=5000, offset=offset)["ids"]
            ids.extend(page)
            if len(page) < 5000:
                return ids
            offset += len(page)

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks (ids the collection lacks are left out)."""
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(chunk_ids), 2000):
            got = self.collection.get(ids=chunk_ids[i : i + 2000], include=["embeddings"])
            embeddings = got.get("embeddings")
            if embeddings is None:
                continue
            for cid, vector in zip(got["ids"], embeddings, strict=True):
                found[cid] = np.asarray(vector, dtype=np.float32)
        return found
