"""The catalog on a PostgreSQL server, so that several app servers read and write one corpus.

- ``PostgresCatalog``: the ``Catalog`` over a psycopg connection: the same tables (``BYTEA`` for
  the sentence vectors), the same queries (their ``?`` marks become ``%s``), the same transactions,
  stamps, pairing and journal; only the upserts are PostgreSQL's own;
- ``AdvisoryLock``: the one-writer lock as a PostgreSQL advisory lock, held on a connection of its
  own, so ingestions on two machines take turns; the server releases it when the holder's
  connection drops, a process killed with SIGKILL included (as the kernel does a ``flock``);
- ``redact``: a connection URL without its password, for messages and logs.

Chosen by ``BRIEFING_CATALOG_URL=postgresql://…`` (CLI ``--catalog-url``). One corpus a database.
What stays on the local disk beside it: the saved lexical index and story grouping (each process
rebuilds or catches up on them from the catalog) and the feed watcher's state (``feeds.sqlite``).

Deliberately not here: the queries (``storage.catalog``), when to lock (``ingestion.indexer``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from assistant.errors import StoreError
from assistant.storage.catalog import _ARTICLE_COLUMNS, Catalog
from assistant.storage.catalog import _SCHEMA as SQLITE_SCHEMA
from assistant.storage.consistency import OneWriter, WriterLock

# The SQLite schema with PostgreSQL's type for bytes.
_SCHEMA = SQLITE_SCHEMA.replace(" BLOB ", " BYTEA ")
# Two servers opening an empty database at once must not both create the tables.
_SCHEMA_LOCK = "briefing-schema"
_WRITER_LOCK = "briefing-ingest"
FEEDS_FILE = "feeds.sqlite"


def redact(url: str) -> str:
    """``url`` without its password.

    >>> redact("postgresql://briefing:s3cret@db.example:5432/news")
    'postgresql://briefing:***@db.example:5432/news'
    >>> redact("postgresql://127.0.0.1/news")
    'postgresql://127.0.0.1/news'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for ``name`` (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def connect(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection, or ``StoreError`` naming the server and what to do."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreError(
            f"Cannot open the catalog at {redact(url)}: {reason}. Check that PostgreSQL is running and "
            f"the URL (--catalog-url, BRIEFING_CATALOG_URL) names a database you may write to."
        ) from None


class _Connection:
    """A psycopg connection that takes the catalog's SQLite-style ``?`` marks."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    @staticmethod
    def _sql(query: str) -> str:
        return query.replace("?", "%s")

    def execute(self, query: str, params: Any = ()) -> psycopg.Cursor[Any]:
        return self.connection.execute(self._sql(query), params or None)  # type: ignore[arg-type]

    def executemany(self, query: str, rows: list[tuple[Any, ...]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self._sql(query), rows)  # type: ignore[arg-type]

    def close(self) -> None:
        self.connection.close()


class PostgresCatalog(Catalog):
    """The catalog in a PostgreSQL database; ``folder`` holds what each process keeps locally."""

    _PUT_META = "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    _PUT_ARTICLE = f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    _PUT_CHUNK = "INSERT INTO chunks VALUES (?,?,?,?,?)"
    _PUT_SENTENCES = (
        "INSERT INTO sentence_vectors SELECT ?::text, ?::text, ?::text, ?::bytea "
        "WHERE EXISTS (SELECT 1 FROM chunks WHERE chunk_id = ?) "
        "ON CONFLICT (chunk_id) DO UPDATE SET "
        "model = excluded.model, spans = excluded.spans, vectors = excluded.vectors"
    )

    def __init__(self, url: str, folder: Path) -> None:  # noqa: D107 (no super().__init__: no SQLite file)
        folder.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.folder = folder
        self.path = folder / FEEDS_FILE  # the local file beside it: the feed watcher's state
        self._lock = threading.RLock()
        self._db = _Connection(connect(url))  # type: ignore[assignment]
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_lock_key(_SCHEMA_LOCK),))
            db.connection.execute(_SCHEMA)

    @property
    def where(self) -> str:
        return redact(self.url)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock, self._db.connection.transaction():  # type: ignore[attr-defined]
            yield self._db

    # REPLACE's semantics: the old row (same id or same source key) and what references it go first.
    def _put_article_row(self, db: Any, row: tuple[Any, ...]) -> None:
        db.execute("DELETE FROM articles WHERE article_id = ? OR key = ?", (row[0], row[1]))
        db.execute(self._PUT_ARTICLE, row)

    def _put_chunk_rows(self, db: Any, rows: list[tuple[Any, ...]]) -> None:
        db.execute("DELETE FROM chunks WHERE chunk_id = ANY(?)", ([r[0] for r in rows],))
        db.executemany(self._PUT_CHUNK, rows)


def open_catalog(url: str, folder: Path) -> tuple[Catalog, OneWriter]:
    """The catalog a store uses and its writer lock: on PostgreSQL when ``url`` is given (``folder``
    keeps what each process rebuilds), else ``folder/catalog.sqlite`` and ``folder/ingest.lock``."""
    if url:
        return PostgresCatalog(url, folder), AdvisoryLock(url)
    return Catalog(folder / "catalog.sqlite"), WriterLock(folder / "ingest.lock")


class AdvisoryLock(OneWriter):
    """The one-writer lock as a PostgreSQL session-level advisory lock, on a connection of its own."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.path = redact(url)  # what messages name as the lock's place
        self._key = _lock_key(_WRITER_LOCK)
        self._connection: psycopg.Connection[Any] | None = None

    def _take(self, blocking: bool) -> bool:
        connection = connect(self.url)
        if blocking:
            connection.execute("SELECT pg_advisory_lock(%s)", (self._key,))
        elif not connection.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()[0]:  # type: ignore[index]
            connection.close()
            return False
        self._connection = connection
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()  # the session ends, and its advisory locks with it
