"""Catalog ↔ Chroma consistency with the hash embedder: pairing, the writer lock, roll-back of a
write interrupted between the vectors and the catalog commit. The roll-back and writer-lock tests
run with the catalog in SQLite and in PostgreSQL (a real server, ``tests/postgres.py``), whose
writer lock is an advisory lock."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postgres import Server

from assistant import Assistant, Settings, StoreError
from assistant.storage.chroma import ChromaStore
from assistant.storage.consistency import JOURNAL, WriterLock, pair
from assistant.storage.postgres import AdvisoryLock
from assistant.testing import HashEmbedder


def _assistant(folder: Path, store: ChromaStore | None = None, catalog_url: str = "") -> Assistant:
    settings = Settings(vectorstore_dir=folder, cache_dir=folder / "cache", catalog_url=catalog_url)
    return Assistant(settings, embedder=HashEmbedder(), store=store)


@pytest.fixture(params=["sqlite", "postgres"])
def catalog_url(request: pytest.FixtureRequest) -> str:
    """ "" (the SQLite catalog in the store folder) or a fresh PostgreSQL database."""
    return "" if request.param == "sqlite" else str(request.getfixturevalue("postgres").database())


def _writer(folder: Path, catalog_url: str) -> WriterLock | AdvisoryLock:
    return AdvisoryLock(catalog_url) if catalog_url else WriterLock(folder / "ingest.lock")


def _store(path: Path) -> ChromaStore:
    settings = Settings()
    return ChromaStore(
        path=path,
        collection=settings.collection,
        embedding_model=HashEmbedder().name,
        dim=HashEmbedder().dim,
        chunking=settings.chunking.stamp(),
    )


def _articles(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "news.jsonl"
    rows = [
        {"doc_id": f"n{i}", "title": f"خبر رقم {i}", "text": f"قال المتحدث في اليوم {i} إن المحادثات مستمرة. " * 30}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _chroma_article_ids(a: Assistant) -> list[str]:
    metadatas = a.store.collection.get(include=["metadatas"])["metadatas"] or []
    return [str(m["article_id"]) for m in metadatas]


def test_catalog_refuses_another_collection(tmp_path: Path, seed_path: Path) -> None:
    a = _assistant(tmp_path / "store")
    a.ingest([seed_path])
    a.close()
    with pytest.raises(StoreError, match=r"indexes 1 articles in the Chroma collection at .*store/chroma, not in"):
        _assistant(tmp_path / "store", store=_store(tmp_path / "elsewhere"))


def test_filled_collection_refuses_another_catalog(tmp_path: Path, seed_path: Path) -> None:
    a = _assistant(tmp_path / "store")
    a.ingest([seed_path])
    with pytest.raises(StoreError, match="indexed by another catalog"):
        _assistant(tmp_path / "other", store=a.store)


def test_empty_catalog_and_empty_collection_pair_freely(tmp_path: Path) -> None:
    a = _assistant(tmp_path / "store")
    b = _assistant(tmp_path / "store", store=_store(tmp_path / "elsewhere"))  # nothing ingested: nothing to mix
    assert b.catalog.get_meta("chroma_where") == str(tmp_path / "elsewhere")
    assert b.store.owner == a.catalog.get_meta("catalog_id")


def test_catalog_from_before_pairing_is_taken_as_embedded(tmp_path: Path, seed_path: Path) -> None:
    a = _assistant(tmp_path / "store")
    a.ingest([seed_path])
    for key in ("chroma_collection_id", "chroma_where"):
        a.catalog._db.execute("DELETE FROM meta WHERE key = ?", (key,))
    server = _store(tmp_path / "server")
    server.is_server = True  # as a Chroma server would be
    with pytest.raises(StoreError, match=r"store/chroma, not in the one at .*server.*the embedded store"):
        pair(a.catalog, server)
    pair(a.catalog, a.store)  # the embedded store it was built on is accepted and recorded
    assert a.catalog.get_meta("chroma_collection_id") == a.store.collection_id


def test_write_interrupted_before_the_catalog_commit_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog_url: str
) -> None:
    corpus = _articles(tmp_path / "in", 6)
    a = _assistant(tmp_path / "store", catalog_url=catalog_url)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies after its vectors are written

    monkeypatch.setattr(a.catalog, "put", crash)
    with pytest.raises(KeyboardInterrupt):
        a.ingest([corpus])
    monkeypatch.undo()
    assert a.catalog.counts() == (0, 0) and a.store.count() > 0  # vectors without catalog rows
    assert a.searcher.search("المحادثات مستمرة") == []  # they never surface (the façade says the store is empty)
    assert json.loads(a.catalog.get_meta(JOURNAL) or "[]")

    b = _assistant(tmp_path / "store", catalog_url=catalog_url)  # the next open rolls the write back
    assert b.store.count() == 0 and json.loads(b.catalog.get_meta(JOURNAL) or "[]") == []
    report = b.ingest([corpus])
    assert len(report.added) == 6
    ids = b.store.all_ids()
    assert len(ids) == len(set(ids)) == b.catalog.counts()[1]
    assert sorted(set(_chroma_article_ids(b))) == sorted(i.article_id for i in b.articles())


def test_replacement_interrupted_after_the_catalog_commit_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog_url: str
) -> None:
    path = tmp_path / "story.txt"
    path.write_text("عنوان الخبر\nالجملة الأولى عن روسيا. الجملة الثانية عن أوكرانيا.", encoding="utf-8")
    a = _assistant(tmp_path / "store", catalog_url=catalog_url)
    old_id = a.ingest([path]).added[0]
    path.write_text("عنوان الخبر\nنص جديد تماما عن بروكسل وحلف الناتو.", encoding="utf-8")
    monkeypatch.setattr(a.store, "delete_chunks", lambda ids: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        a.ingest([path])  # the new version is committed, the old vectors are still in Chroma
    monkeypatch.undo()
    [info] = a.articles()
    assert set(_chroma_article_ids(a)) == {old_id, info.article_id}

    b = _assistant(tmp_path / "store", catalog_url=catalog_url)
    assert set(_chroma_article_ids(b)) == {info.article_id}
    assert sorted(b.store.all_ids()) == sorted(b.catalog.chunk_ids_of(info.article_id))


def test_a_live_writer_keeps_its_journal(tmp_path: Path, seed_path: Path, catalog_url: str) -> None:
    a = _assistant(tmp_path / "store", catalog_url=catalog_url)
    a.catalog.set_meta(JOURNAL, json.dumps(["in-flight-chunk"]))
    a.store.collection.upsert(ids=["in-flight-chunk"], embeddings=[[1.0] + [0.0] * 63], metadatas=[{"article_id": "x"}])
    writer = _writer(tmp_path / "store", catalog_url)
    assert writer.acquire(blocking=False)  # another writer, mid-batch
    assert not _writer(tmp_path / "store", catalog_url).acquire(blocking=False)
    b = _assistant(tmp_path / "store", catalog_url=catalog_url)
    assert b.store.count() == 1  # not rolled back: its writer is alive
    writer.release()
    c = _assistant(tmp_path / "store", catalog_url=catalog_url)
    assert c.store.count() == 0


def test_the_advisory_lock_dies_with_a_killed_process(postgres: Server) -> None:
    url = postgres.database()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not AdvisoryLock(url).acquire(blocking=False)
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        lock = AdvisoryLock(url)
        deadline = time.monotonic() + 30  # the server notices the dropped connection at once, or nearly
        while not lock.acquire(blocking=False):
            assert time.monotonic() < deadline, "the killed process's lock was never released"
            time.sleep(0.1)
        lock.release()
    finally:
        holder.kill()
        holder.wait(timeout=30)


HOLD_LOCK = """
import sys, time
from assistant.storage.postgres import AdvisoryLock
lock = AdvisoryLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_a_catalog_url_that_cannot_be_reached_is_named_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://briefing:s3cret@127.0.0.1:1/news"  # port 1: nothing listens
    named = r"Cannot open the catalog at postgresql://briefing:\*\*\*@127\.0\.0\.1:1/news"
    with pytest.raises(StoreError, match=named) as caught:
        _assistant(tmp_path / "store", catalog_url=url)
    assert "s3cret" not in str(caught.value)
