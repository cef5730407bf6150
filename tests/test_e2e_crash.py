"""End to end: `briefing ingest` killed with SIGKILL mid-run (real e5 model, embedded Chroma), then
the store is opened, checked for consistency, and the same ingestion is run again to the end."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.ingestion.chunking import index_text
from assistant.retrieval.lexical import LexicalIndex

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"
BRIEFING = Path(sys.executable).parent / "briefing"
N_ARTICLES = 100  # about 600 chunks: both runs together take about a minute on two idle cores
# Small batches: a commit every ~5 articles, so the kill lands between commits early on.
ENV = {**os.environ, "BRIEFING_INGEST__BATCH_CHUNKS": "32"}


def _catalog_state(path: Path) -> tuple[int, bool]:
    """(articles committed, a batch in flight) as another process sees the catalog; (0, False) before it exists."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            n = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            row = db.execute("SELECT value FROM meta WHERE key = 'pending_chunk_ids'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return 0, False
    return int(n), bool(row and json.loads(row[0]))


def _check_consistent(a: Assistant) -> set[str]:
    """Every catalog article has its vectors and every vector its catalog row, each once; the article ids."""
    got = a.store.collection.get(include=["metadatas"])
    ids, metadatas = got["ids"], got["metadatas"] or []
    assert len(ids) == len(set(ids))
    catalog_articles = {info.article_id for info in a.articles()}
    assert {str(m["article_id"]) for m in metadatas} == catalog_articles
    catalog_chunks = {cid for article_id in catalog_articles for cid in a.catalog.chunk_ids_of(article_id)}
    assert set(ids) == catalog_chunks and a.catalog.counts() == (len(catalog_articles), len(ids))
    return catalog_articles


def _lexical_matches_rebuild(a: Assistant) -> None:
    """The lexical index a process loads from disk and brings in step with the catalog ranks as one
    rebuilt from the catalog's chunks does."""
    a.searcher.refresh_lexical()
    loaded = a.searcher.lexical
    rebuilt = LexicalIndex()
    rebuilt.sync(((r.chunk_id, index_text(r.title, r.text, True)) for r in a.catalog.iter_chunk_rows()), 0)
    assert len(loaded) == len(rebuilt) == a.catalog.counts()[1]
    for info in a.articles()[:20]:  # each article's title as a query
        got, want = loaded.search(info.title, 10), rebuilt.search(info.title, 10)
        assert [cid for cid, _ in got] == [cid for cid, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)


def test_ingestion_killed_mid_run_resumes_without_duplicates(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    with NEWS.open(encoding="utf-8") as source:
        corpus.write_text("".join(next(source) for _ in range(N_ARTICLES)), encoding="utf-8")
    store = tmp_path / "store"
    log_path = tmp_path / "ingest.log"
    command = [str(BRIEFING), "ingest", str(corpus), "--store", str(store)]

    with log_path.open("wb") as log:  # a file, not a pipe: the progress bar would fill a pipe
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=ENV)
        deadline = time.monotonic() + 300  # only a machine busy with other work comes near it
        # Kill inside a batch's write (vectors in Chroma, catalog not yet committed) when the poll
        # catches one, else once 20 articles are in; either way some articles are in and some not.
        while True:
            committed, in_flight = _catalog_state(store / "catalog.sqlite")
            if (committed >= 10 and in_flight) or committed >= 20:
                break
            assert process.poll() is None, f"ingestion ended before it was killed: {log_path.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"too few articles committed in 300 s: {log_path.read_text()[-2000:]}"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL

    settings = Settings(vectorstore_dir=store)
    a = Assistant(settings)  # opens, and rolls back the batch that was in flight
    survived = _check_consistent(a)
    assert 10 <= len(survived) < N_ARTICLES
    # The lexical index was saved after an earlier batch: loaded, it catches up with the catalog.
    assert a.searcher.lexical_path.exists()
    _lexical_matches_rebuild(a)
    title = a.articles()[0].title
    assert a.search(title, k=1)[0].title == title
    a.close()

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600, env=ENV)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"added {N_ARTICLES - len(survived)}, unchanged {len(survived)}, replaced 0, failed 0" in rerun.stdout
    assert "articles/s" in rerun.stdout and "chunks/s" in rerun.stdout

    b = Assistant(settings, embedder=a.embedder)
    final = _check_consistent(b)
    assert len(final) == N_ARTICLES and survived <= final
    keys = [json.loads(line)["doc_id"] for line in corpus.open(encoding="utf-8")]
    assert sorted(info.key for info in b.articles()) == sorted(keys)  # each article exactly once
    _lexical_matches_rebuild(b)
