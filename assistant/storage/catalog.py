"""The catalog: a SQLite record of every ingested article and its chunks.

It is the record manager of the index (which source key holds which article version), the
source list the interfaces show, the home of each article's cleaned text (chunk texts are
slices of it, by offsets) and the record of the boilerplate stripped from it — kept outside
the vector index, as asked. It lives beside the Chroma store (``catalog.sqlite``).

An article counts as ingested only once its catalog row is committed, and that happens after
its vectors are in Chroma; so a crash leaves at worst vectors with no catalog row, which
searches ignore and the next ingestion overwrites (chunk ids are deterministic).

It also keeps the vectors of each chunk's sentences once the answer stage has embedded them
(the first time the chunk is retrieved), with the model that made them; they go with the chunk.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.records import Article, Chunk, Passage, Stripped

# A chunk's sentences as the answer stage embeds them: offsets within the chunk text, and one
# unit vector per sentence (rows in the same order).
SentenceVectors = tuple[list[tuple[int, int]], np.ndarray]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    published TEXT,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    stripped TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    author TEXT,
    pages TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    chunk_id TEXT PRIMARY KEY REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    spans TEXT NOT NULL,
    vectors BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
"""

# Columns added to ``articles`` after stores existed: a store made before gets them on opening.
_ADDED_COLUMNS = {"author": "TEXT", "pages": "TEXT"}
_ARTICLE_COLUMNS = (
    "article_id, key, title, source, url, published, lang, text, stripped, n_chunks, ingested_at, author, pages"
)


@dataclass(frozen=True)
class ArticleInfo:
    """An article as the catalog lists it (text not included)."""

    article_id: str
    key: str
    title: str
    source: str
    url: str | None
    published: date | None
    lang: str
    n_chunks: int
    author: str | None = None


@dataclass(frozen=True)
class ChunkRow:
    """A chunk's position, with what a passage needs from its article."""

    chunk_id: str
    article_id: str
    key: str
    index: int
    start: int
    end: int
    text: str
    title: str
    source: str
    url: str | None
    published: date | None
    lang: str
    pages: tuple[int, ...] = ()  # where each page starts in the article (PDF, DOCX), else ()

    def to_passage(self, score: float = 0.0, dense_rank: int | None = None, lexical_rank: int | None = None) -> Passage:
        """This chunk as a retrieved passage, with how it ranked."""
        return Passage(
            chunk_id=self.chunk_id, article_id=self.article_id, key=self.key, index=self.index, text=self.text,
            start=self.start, end=self.end, title=self.title, source=self.source, lang=self.lang,
            published=self.published, url=self.url, score=score, dense_rank=dense_rank, lexical_rank=lexical_rank,
            pages=self.pages,
        )  # fmt: skip


class Catalog:
    """SQLite catalog; safe to share between threads (one connection, one lock).

    ``PostgresCatalog`` (``storage.postgres``) is the same catalog on a PostgreSQL server: the
    queries here are written once, with ``?`` marks; what differs between the two databases is
    the connection, the schema's types, and the four upserts below (class attributes it overrides).
    """

    # SQLite's REPLACE deletes a row whose key (article_id or the source key; chunk_id) conflicts,
    # what references it going with it (ON DELETE CASCADE: an article's chunks, a chunk's sentence
    # vectors), before inserting the new one.
    _PUT_META = "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)"
    _PUT_ARTICLE = f"INSERT OR REPLACE INTO articles ({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    _PUT_CHUNK = "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?)"
    _PUT_SENTENCES = (
        "INSERT OR REPLACE INTO sentence_vectors SELECT ?, ?, ?, ? "
        "WHERE EXISTS (SELECT 1 FROM chunks WHERE chunk_id = ?)"
    )

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.folder = path.parent  # what is kept beside the catalog: the saved lexical index, stories
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        have = {row[1] for row in self._db.execute("PRAGMA table_info(articles)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in have:
                self._db.execute(f"ALTER TABLE articles ADD COLUMN {column} {kind}")

    @property
    def where(self) -> str:
        """Where the catalog lives, for messages: its file, or its server (without a password)."""
        return str(self.path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _put_article_row(self, db: Any, row: tuple[Any, ...]) -> None:
        db.execute(self._PUT_ARTICLE, row)

    def _put_chunk_rows(self, db: Any, rows: list[tuple[Any, ...]]) -> None:
        db.executemany(self._PUT_CHUNK, rows)

    # -- stamps -------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(self._PUT_META, (key, value))

    def setdefault_meta(self, key: str, value: str) -> str:
        """The stamp ``key``, set to ``value`` first if it has none: two processes opening a new
        catalog at once agree on one value (the first written)."""
        with self._transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value))
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0])

    @property
    def generation(self) -> int:
        """Bumped by every change to articles, so caches (the lexical index) know to refresh."""
        return int(self.get_meta("generation") or 0)

    # -- articles ----------------------------------------------------------------------

    def article_id_for_key(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT article_id FROM articles WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def has_article(self, article_id: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return row is not None

    def put(
        self,
        items: Iterable[tuple[Article, list[Chunk]]],
        *,
        replacing: Iterable[str] = (),
        sentences: tuple[str, dict[str, SentenceVectors]] | None = None,
    ) -> None:
        """Commit articles and their chunks in one transaction, removing replaced versions; with
        ``sentences`` (model name, vectors per chunk id) the chunks' sentence vectors go in it too."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            for old_id in replacing:
                db.execute("DELETE FROM articles WHERE article_id = ?", (old_id,))
            for article, chunks in items:
                stripped = json.dumps([{"rule": s.rule, "text": s.text} for s in article.stripped], ensure_ascii=False)
                self._put_article_row(
                    db,
                    (
                        article.id,
                        article.key,
                        article.title,
                        article.source,
                        article.url,
                        article.published.isoformat() if article.published else None,
                        article.lang,
                        article.text,
                        stripped,
                        len(chunks),
                        now,
                        article.author,
                        json.dumps(list(article.pages)) if article.pages else None,
                    ),
                )
                self._put_chunk_rows(db, [(c.id, c.article_id, c.index, c.start, c.end) for c in chunks])
            if sentences:
                self._put_sentence_vectors(db, *sentences)
            generation = int((db.execute("SELECT value FROM meta WHERE key='generation'").fetchone() or [0])[0])
            db.execute(self._PUT_META, ("generation", str(generation + 1)))

    def articles(self) -> list[ArticleInfo]:
        """Every article, newest first (unknown dates last), then by title."""
        with self._lock:
            rows = self._db.execute(
                "SELECT article_id, key, title, source, url, published, lang, n_chunks, author FROM articles "
                "ORDER BY published IS NULL, published DESC, title"
            ).fetchall()
        return [
            ArticleInfo(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]) if r[5] else None, r[6], r[7], r[8])
            for r in rows
        ]

    def newest_published(self) -> date | None:
        """The date of the newest dated article (an archive's "now", for recency)."""
        with self._lock:
            row = self._db.execute("SELECT MAX(published) FROM articles").fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def article_text(self, article_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT text FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def stripped(self, article_id: str) -> list[Stripped]:
        """The boilerplate removed from an article before indexing."""
        with self._lock:
            row = self._db.execute("SELECT stripped FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return [Stripped(**item) for item in json.loads(row[0])] if row else []

    def counts(self) -> tuple[int, int]:
        """(articles, chunks)."""
        with self._lock:
            n_articles = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            n_chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(n_articles), int(n_chunks)

    # -- chunks ------------------------------------------------------------------------

    _CHUNK_SELECT = (
        'SELECT c.chunk_id, c.article_id, c.idx, c.start, c."end", a.text, a.title, a.source, a.url, '
        "a.published, a.lang, a.key, a.pages FROM chunks c JOIN articles a ON a.article_id = c.article_id"
    )

    @staticmethod
    def _chunk_row(r: tuple) -> ChunkRow:  # type: ignore[type-arg]
        return ChunkRow(
            chunk_id=r[0],
            article_id=r[1],
            key=r[11],
            index=r[2],
            start=r[3],
            end=r[4],
            text=r[5][r[3] : r[4]],
            title=r[6],
            source=r[7],
            url=r[8],
            published=date.fromisoformat(r[9]) if r[9] else None,
            lang=r[10],
            pages=tuple(json.loads(r[12])) if r[12] else (),
        )

    def chunk_rows(self, chunk_ids: list[str]) -> dict[str, ChunkRow]:
        """Rows for the given chunk ids; ids unknown to the catalog are left out."""
        found: dict[str, ChunkRow] = {}
        with self._lock:
            for i in range(0, len(chunk_ids), 500):
                batch = chunk_ids[i : i + 500]
                marks = ",".join("?" * len(batch))
                for r in self._db.execute(f"{self._CHUNK_SELECT} WHERE c.chunk_id IN ({marks})", batch):
                    found[r[0]] = self._chunk_row(r)
        return found

    def iter_chunk_rows(self) -> Iterator[ChunkRow]:
        """Every chunk, article by article, in a stable order (one article text in memory at a time)."""
        with self._lock:
            article_ids = [r[0] for r in self._db.execute("SELECT article_id FROM articles ORDER BY article_id")]
        for article_id in article_ids:
            with self._lock:
                rows = self._db.execute(
                    f"{self._CHUNK_SELECT} WHERE c.article_id = ? ORDER BY c.idx", (article_id,)
                ).fetchall()
            for r in rows:
                yield self._chunk_row(r)

    # -- sentence vectors ----------------------------------------------------------------

    def sentence_vectors(self, chunk_ids: list[str], model: str) -> dict[str, SentenceVectors]:
        """The stored sentence vectors of these chunks made by ``model`` (chunks without any are left out)."""
        found: dict[str, SentenceVectors] = {}
        with self._lock:
            for i in range(0, len(chunk_ids), 500):
                batch = chunk_ids[i : i + 500]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    f"SELECT chunk_id, spans, vectors FROM sentence_vectors WHERE model = ? AND chunk_id IN ({marks})",
                    [model, *batch],
                ).fetchall()
                for chunk_id, spans, blob in rows:
                    offsets = [(int(s), int(e)) for s, e in json.loads(spans)]
                    # A chunk with no candidate sentence (a list of names, say) has an empty blob.
                    vectors = np.frombuffer(blob, dtype=np.float32).reshape(len(offsets), -1 if offsets else 0)
                    found[chunk_id] = (offsets, vectors)
        return found

    def put_sentence_vectors(self, model: str, items: dict[str, SentenceVectors]) -> None:
        """Store chunks' sentence vectors; chunks no longer in the catalog are skipped."""
        with self._transaction() as db:
            self._put_sentence_vectors(db, model, items)

    def _put_sentence_vectors(self, db: Any, model: str, items: dict[str, SentenceVectors]) -> None:
        for chunk_id, (offsets, vectors) in items.items():
            if len(offsets) != len(vectors):
                raise ValueError(f"{len(offsets)} sentence spans but {len(vectors)} vectors for chunk {chunk_id}")
            db.execute(
                self._PUT_SENTENCES,
                (
                    chunk_id,
                    model,
                    json.dumps(offsets),
                    np.ascontiguousarray(vectors, dtype=np.float32).tobytes(),
                    chunk_id,
                ),
            )

    def all_chunk_ids(self) -> list[str]:
        """Every chunk id in the catalog."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks")]

    def chunk_spans(self, article_id: str) -> list[tuple[str, int, int]]:
        """(chunk id, start, end) of an article's chunks, in order."""
        with self._lock:
            rows = self._db.execute(
                'SELECT chunk_id, start, "end" FROM chunks WHERE article_id = ? ORDER BY idx', (article_id,)
            ).fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def chunk_ids_of(self, article_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk_id FROM chunks WHERE article_id = ? ORDER BY idx", (article_id,)
            ).fetchall()
        return [r[0] for r in rows]
