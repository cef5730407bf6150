"""Keeps the SQLite catalog and the Chroma collection it indexes in step.

Three guards, each cheap enough to run every time a store is opened:

- **Pairing** (``pair``). A catalog indexes one Chroma collection, and a collection is indexed
  by one catalog. The catalog records the collection's id and where it lives; the collection
  records the catalog's id in its metadata. Opening a catalog with another collection (the
  embedded store where a server was used, or the reverse, or a collection made anew), or a
  filled collection with a catalog that did not fill it, raises ``StoreError`` instead of
  silently mixing two indexes.
- **One writer** (``WriterLock``). An ingestion holds an exclusive ``flock`` on
  ``<store>/ingest.lock``; the kernel releases it when the process ends, even by SIGKILL.
- **Roll-back of an interrupted write** (``journal``, ``recover``). Before a batch touches
  Chroma, the chunk ids it may write or delete are journalled in the catalog; after the
  catalog commit the journal is cleared. A journal found with no writer alive means a crash:
  its chunk ids that have no catalog row are deleted from Chroma, so an article is either in
  both (vectors and catalog row) or in neither. Example: a batch journals ``[a1-0, a1-1]``,
  writes both vectors and dies before the catalog commit; the next open deletes both vectors.

Deliberately not here: the writes themselves (``Assistant.ingest``), and a full scan of Chroma
against the catalog (the journal makes it unnecessary; searches ignore stray vectors anyway).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from assistant.errors import StoreError
from assistant.storage.catalog import Catalog
from assistant.storage.chroma import ChromaStore

CATALOG_ID = "catalog_id"
COLLECTION_ID = "chroma_collection_id"
COLLECTION_WHERE = "chroma_where"
JOURNAL = "pending_chunk_ids"


def pair(catalog: Catalog, store: ChromaStore) -> None:
    """Bind ``catalog`` and ``store`` to each other, or raise ``StoreError`` if either belongs elsewhere."""
    catalog_id = catalog.get_meta(CATALOG_ID) or catalog.setdefault_meta(CATALOG_ID, uuid.uuid4().hex)
    n_articles = catalog.counts()[0]
    recorded_id = catalog.get_meta(COLLECTION_ID)
    recorded_where = catalog.get_meta(COLLECTION_WHERE)
    if recorded_id is None and n_articles and store.is_server:
        # Catalogs from before pairing was recorded were all built on the embedded store.
        recorded_id, recorded_where = "embedded", str(catalog.folder / "chroma")
    if recorded_id not in (None, store.collection_id) and n_articles:
        how = (
            f"--chroma-url {recorded_where} (or BRIEFING_CHROMA_URL)"
            if str(recorded_where).startswith(("http://", "https://"))
            else "the embedded store (no --chroma-url, BRIEFING_CHROMA_URL unset)"
        )
        raise StoreError(
            f"The catalog {catalog.where} indexes {n_articles} articles in the Chroma collection at "
            f"{recorded_where}, not in the one at {store.where}: mixing them would show articles without "
            f"vectors. Open it with {how}, or give this Chroma its own folder (--store DIR) and ingest again."
        )
    owner = store.owner
    if owner not in (None, catalog_id) and store.count():
        raise StoreError(
            f"The Chroma collection {store.collection.name!r} at {store.where} holds {store.count()} vectors "
            f"indexed by another catalog (id {owner}), not by {catalog.where}: their articles are not in this "
            f"catalog. Use the vectorstore folder that built it (--store DIR), or another collection "
            f"(BRIEFING_COLLECTION=...)."
        )
    if owner != catalog_id:
        store.claim(catalog_id)
    if recorded_id != store.collection_id or recorded_where != store.where:
        catalog.set_meta(COLLECTION_ID, store.collection_id)
        catalog.set_meta(COLLECTION_WHERE, store.where)


class OneWriter:
    """One writer at a time: other threads of this process wait on a thread lock, other processes on
    what a subclass takes in ``_take`` (a ``flock``, a PostgreSQL advisory lock); without
    ``blocking``, ``acquire`` gives up at once instead of waiting."""

    def __init__(self) -> None:
        self._thread_lock = threading.Lock()
        self._held = False

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the lock; without ``blocking``, return False at once if someone else holds it."""
        if not self._thread_lock.acquire(blocking=blocking):
            return False
        try:
            taken = self._take(blocking)
        except BaseException:
            self._thread_lock.release()
            raise
        if not taken:
            self._thread_lock.release()
            return False
        self._held = True
        return True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._drop()
            self._thread_lock.release()

    def _take(self, blocking: bool) -> bool:
        """Take the other processes' lock: True once held, False if (without blocking) it is not free."""
        raise NotImplementedError

    def _drop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> OneWriter:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


class WriterLock(OneWriter):
    """An exclusive lock on a file, held by whoever writes to the store: other processes, and
    other threads using the same ``WriterLock``, wait (or, without ``blocking``, give up).

    A process killed while holding it releases it at once (the kernel drops ``flock`` locks
    with the process).
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._fd: int | None = None

    def _take(self, blocking: bool) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BaseException as exc:
            os.close(fd)
            if isinstance(exc, BlockingIOError):  # only without blocking: another process holds it
                return False
            raise
        self._fd = fd
        return True

    def _drop(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


@contextmanager
def journal(catalog: Catalog, chunk_ids: list[str]) -> Iterator[None]:
    """Record ``chunk_ids`` as in flight while the block writes them; cleared only if it completes."""
    catalog.set_meta(JOURNAL, json.dumps(chunk_ids))
    yield
    catalog.set_meta(JOURNAL, "[]")


def recover(catalog: Catalog, store: ChromaStore) -> int:
    """Undo what an interrupted write left in Chroma; returns how many journalled chunks had no catalog row.

    Call it only while holding the ``WriterLock``: a live writer's journal is not a leftover.
    """
    chunk_ids: list[str] = json.loads(catalog.get_meta(JOURNAL) or "[]")
    if not chunk_ids:
        return 0
    catalogued = catalog.chunk_rows(chunk_ids)
    stray = [cid for cid in chunk_ids if cid not in catalogued]
    store.delete_chunks(stray)
    catalog.set_meta(JOURNAL, "[]")
    return len(stray)
