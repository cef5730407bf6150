"""The Indexer on its own: a catalog, a real (embedded) Chroma store and the hash embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.ingestion.indexer import Indexer
from assistant.settings import Settings
from assistant.storage.catalog import Catalog
from assistant.storage.chroma import ChromaStore
from assistant.storage.consistency import JOURNAL, WriterLock, pair
from assistant.testing import HashEmbedder

STORY = (
    "Harbour news\n\nThe mayor said on Friday the Old Harbour bridge will reopen in May after repairs. "
    "Engineers denied that the cables of the bridge were ever unsafe for traffic. "
    "The council will vote on the budget for the repairs next week, officials said."
)


def _indexer(tmp_path: Path, **changes: object) -> Indexer:
    settings = Settings(vectorstore_dir=tmp_path / "store", cache_dir=tmp_path / "cache")
    for section, values in changes.items():
        part = getattr(settings, section).model_copy(update=values)
        settings = settings.model_copy(update={section: part})
    embedder = HashEmbedder()
    catalog = Catalog(tmp_path / "store" / "catalog.sqlite")
    store = ChromaStore(
        path=tmp_path / "store" / "chroma",
        embedding_model=embedder.name,
        dim=embedder.dim,
        chunking=settings.chunking.stamp(),
    )
    pair(catalog, store)
    return Indexer(
        catalog=catalog,
        store=store,
        embedder=embedder,
        ingest=settings.ingest,
        chunking=settings.chunking,
        embedding=settings.embedding,
        writer=WriterLock(tmp_path / "store" / "ingest.lock"),
    )


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_new_unchanged_and_changed_articles(tmp_path: Path, seed_path: Path) -> None:
    indexer = _indexer(tmp_path)
    story = _write(tmp_path / "in", "harbour.txt", STORY)
    first = indexer.ingest([seed_path, story])
    assert len(first.added) == 2 and first.chunks_added > 0 and not first.failed
    assert indexer.store.count() == indexer.catalog.counts()[1] == first.chunks_added

    again = indexer.ingest(story)  # a single path is accepted as well as a list
    assert again.unchanged == first.added[1:] and not again.added and again.chunks_added == 0

    old_id = first.added[1]
    old_chunks = indexer.catalog.chunk_ids_of(old_id)
    story.write_text(STORY.replace("in May", "in June"), encoding="utf-8")  # same file, new text
    changed = indexer.ingest(story)
    assert len(changed.replaced) == 1 and not indexer.catalog.has_article(old_id)
    assert not set(old_chunks) & set(indexer.catalog.chunk_ids_of(changed.replaced[0]))
    assert indexer.store.count() == indexer.catalog.counts()[1]  # the old chunks left the store too


def test_small_batches_flush_as_they_fill_and_report_progress(tmp_path: Path) -> None:
    indexer = _indexer(tmp_path, ingest={"batch_chunks": 1})
    folder = tmp_path / "in"
    for i in range(4):
        _write(folder, f"story-{i}.txt", STORY.replace("Friday", f"day {i}"))
    calls: list[tuple[int, int]] = []
    report = indexer.ingest([folder], progress=lambda done, seen: calls.append((done, seen)))
    assert len(report.added) == 4
    assert [done for done, _ in calls] == [1, 2, 3, 4] and all(done <= seen for done, seen in calls)
    assert indexer.store.count() == report.chunks_added


def test_a_bad_file_is_reported_and_the_rest_go_on(tmp_path: Path) -> None:
    indexer = _indexer(tmp_path)
    folder = tmp_path / "in"
    _write(folder, "good.txt", STORY)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    report = indexer.ingest([folder, tmp_path / "missing"])
    assert len(report.added) == 1
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert "missing" in failed and "empty.txt" in failed


@pytest.mark.parametrize("with_sentences", [True, False])
def test_sentence_vectors_follow_the_setting(tmp_path: Path, with_sentences: bool) -> None:
    indexer = _indexer(tmp_path, embedding={"sentence_vectors": with_sentences})
    report = indexer.ingest(_write(tmp_path / "in", "harbour.txt", STORY))
    chunk_ids = indexer.catalog.chunk_ids_of(report.added[0])
    stored = indexer.catalog.sentence_vectors(chunk_ids, indexer.embedder.name)
    if with_sentences:
        assert stored and all(len(spans) == len(vectors) > 0 for spans, vectors in stored.values())
    else:
        assert stored == {}


def test_recovery_rolls_back_only_when_no_writer_is_alive(tmp_path: Path) -> None:
    indexer = _indexer(tmp_path)
    # What a writer leaves mid-batch: a journalled chunk in Chroma with no catalog row yet.
    indexer.catalog.set_meta(JOURNAL, json.dumps(["in-flight"]))
    indexer.store.collection.upsert(ids=["in-flight"], embeddings=[[1.0] + [0.0] * 63], metadatas=[{"article_id": "x"}])
    live = WriterLock(indexer.writer.path)
    assert live.acquire(blocking=False)
    indexer.recover_if_idle()  # returns at once: the journal is a live writer's
    assert indexer.store.count() == 1
    live.release()
    indexer.recover_if_idle()  # the writer is gone: its chunk is a leftover
    assert indexer.store.count() == 0 and json.loads(indexer.catalog.get_meta(JOURNAL) or "[]") == []
