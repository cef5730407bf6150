"""End to end on two real servers, as app servers on several machines run: the catalog in PostgreSQL
(an initdb cluster on 127.0.0.1, ``tests/postgres.py``), the vectors in `chroma run`, the real e5
model. Every process has its own ``--store`` folder (another machine's disk) and shares nothing else.

- Two `briefing serve` processes in a real browser: an article uploaded through one is listed,
  found and answered by the other.
- What one process ingests, another that is already running finds in its next search and answers
  from: its lexical index catches up from the catalog.
- Two ingestions started at once from two processes: every article once, none lost (they take turns
  on PostgreSQL's advisory lock).
- An ingestion killed with SIGKILL mid-run leaves the shared stores consistent; run again, it ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from postgres import Server
from test_e2e_crash import _check_consistent

from assistant import Assistant, Settings
from assistant.testing import running_ui

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"
BRIEFING = Path(sys.executable).parent / "briefing"
SHOTS = Path(os.environ.get("BRIEFING_SCREENSHOTS", ROOT / "build" / "screenshots"))


def _corpus(path: Path, first: int, last: int) -> Path:
    """ANT sample articles first..last-1 as a JSON Lines file."""
    with NEWS.open(encoding="utf-8") as source:
        lines = [line for i, line in zip(range(last), source, strict=False) if i >= first]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _env(catalog_url: str, chroma_url: str, collection: str) -> dict[str, str]:
    return {
        **os.environ,
        "BRIEFING_CATALOG_URL": catalog_url,
        "BRIEFING_CHROMA_URL": chroma_url,
        "BRIEFING_COLLECTION": collection,
        "BRIEFING_INGEST__BATCH_CHUNKS": "32",  # a commit every few articles
    }


def _settings(folder: Path, env: dict[str, str]) -> Settings:
    return Settings(
        vectorstore_dir=folder,
        catalog_url=env["BRIEFING_CATALOG_URL"],
        chroma_url=env["BRIEFING_CHROMA_URL"],
        collection=env["BRIEFING_COLLECTION"],
    )


def _consistent_keys(a: Assistant) -> set[str]:
    """The stores checked as after a crash on one machine (``test_e2e_crash``); the articles' keys,
    each once."""
    _check_consistent(a)
    keys = [info.key for info in a.articles()]
    assert len(keys) == len(set(keys))
    return set(keys)


def _keys(corpus: Path) -> set[str]:
    return {json.loads(line)["doc_id"] for line in corpus.open(encoding="utf-8")}


@pytest.fixture
def shared(postgres: Server, chroma_server: str) -> dict[str, str]:
    """The environment of a process on one of the machines: a fresh database and collection."""
    return _env(postgres.database(), chroma_server, f"t{uuid.uuid4().hex[:12]}")


def test_an_article_uploaded_through_one_server_is_answered_by_the_other(
    shared: dict[str, str], tmp_path: Path, browser: Any
) -> None:
    env = {key: shared[key] for key in ("BRIEFING_CATALOG_URL", "BRIEFING_CHROMA_URL", "BRIEFING_COLLECTION")}
    env["BRIEFING_LLM__BACKEND"] = "extractive"
    seeded = Assistant(_settings(tmp_path / "one", shared))  # serve wants a store with an article
    seeded.ingest([ROOT / "seeds"])
    seeded.close()
    (tmp_path / "two").mkdir()
    upload = tmp_path / "harbour.txt"
    upload.write_text(f"Harbour news\n\n{HARBOUR}", encoding="utf-8")
    with running_ui(tmp_path / "one", env) as one, running_ui(tmp_path / "two", env) as two:
        page_one = browser.new_page()
        page_one.goto(one)
        page_one.set_input_files("#upload input[type=file]", str(upload))
        page_one.wait_for_selector("#ingest-status :text('Ingested: added 1')", timeout=120_000)

        page_two = browser.new_context().new_page()
        page_two.goto(two)
        page_two.wait_for_selector("#question textarea", timeout=60_000)
        page_two.wait_for_selector("#sources :text('Harbour news')", timeout=30_000)
        page_two.fill("#question textarea", "When will the Old Harbour bridge reopen?")
        page_two.click("#ask")
        page_two.wait_for_selector("#transcript .msg.bot[data-state]", timeout=120_000)
        answer = page_two.locator("#transcript .msg.bot[data-state]").first
        assert answer.get_attribute("data-state") == "quoted", answer.inner_text()
        assert "reopen in May" in answer.locator("blockquote.quote").first.inner_text()
        assert "Harbour news" in answer.locator("details.citation summary").first.inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page_two.screenshot(path=str(SHOTS / "5-second-server-answers-from-the-shared-catalog.png"), full_page=True)
    assert not (tmp_path / "one" / "catalog.sqlite").exists() and not (tmp_path / "two" / "catalog.sqlite").exists()


HARBOUR = (
    "The mayor said the Old Harbour bridge will reopen in May after repairs. "
    "Engineers replaced forty steel cables and repainted the towers."
)


def test_what_one_process_ingests_another_finds_and_answers(shared: dict[str, str], tmp_path: Path) -> None:
    reader = Assistant(_settings(tmp_path / "reader", shared))  # already running, its store empty
    ingest = [str(BRIEFING), "ingest", str(ROOT / "seeds"), "--store", str(tmp_path / "writer")]
    done = subprocess.run(ingest, capture_output=True, text=True, timeout=600, env=shared)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (tmp_path / "writer" / "catalog.sqlite").exists() and not (tmp_path / "writer" / "chroma").exists()

    [hit, *_] = reader.search("ماذا قال روبيو لروسيا؟", k=3)
    assert "روبيو" in hit.text and hit.key.endswith(".txt")
    seed_key = hit.key
    answer = reader.ask("ماذا قال روبيو لروسيا؟", backend="extractive")
    assert not answer.abstained and answer.citations[0].passage.article_id == hit.article_id

    news = _corpus(tmp_path / "news.jsonl", 0, 1)
    row = json.loads(news.read_text(encoding="utf-8"))
    more = [str(BRIEFING), "ingest", str(news), "--store", str(tmp_path / "writer")]
    done = subprocess.run(more, capture_output=True, text=True, timeout=600, env=shared)
    assert done.returncode == 0, done.stderr[-2000:]
    [hit, *_] = reader.search(row["title"], k=3)  # the reader's next search sees the new article
    assert hit.key == row["doc_id"] and hit.title == row["title"]
    assert sorted(info.key for info in reader.articles()) == sorted([seed_key, row["doc_id"]])
    reader.close()


def test_two_ingestions_at_once_keep_every_article_once(shared: dict[str, str], tmp_path: Path) -> None:
    first = _corpus(tmp_path / "first.jsonl", 0, 10)
    second = _corpus(tmp_path / "second.jsonl", 5, 15)  # 5 articles in both
    processes = [
        subprocess.Popen(
            [str(BRIEFING), "ingest", str(corpus), "--store", str(tmp_path / name)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=shared,
        )  # fmt: skip
        for corpus, name in ((first, "machine-a"), (second, "machine-b"))
    ]
    outputs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    a = Assistant(_settings(tmp_path / "check", shared))
    assert _consistent_keys(a) == _keys(first) | _keys(second)  # 15 articles, each once
    added = [int(out.split("added ")[1].split(",")[0]) for out in outputs]
    assert sorted(added) == [5, 10]  # whoever went second found the 5 shared articles in already
    a.close()


def _catalog_state(url: str) -> tuple[int, bool]:
    """(articles committed, a batch in flight) as another machine sees the catalog."""
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            n = connection.execute("SELECT COUNT(*) FROM articles").fetchone()
            row = connection.execute("SELECT value FROM meta WHERE key = 'pending_chunk_ids'").fetchone()
    except psycopg.Error:
        return 0, False  # the tables are not made yet
    return int(n[0]) if n else 0, bool(row and json.loads(row[0]))


def test_an_ingestion_killed_mid_run_leaves_the_shared_stores_consistent(
    shared: dict[str, str], tmp_path: Path
) -> None:
    n_articles = 30
    corpus = _corpus(tmp_path / "news.jsonl", 0, n_articles)
    command = [str(BRIEFING), "ingest", str(corpus), "--store", str(tmp_path / "writer")]
    with (tmp_path / "ingest.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=shared)
        deadline = time.monotonic() + 300
        while True:  # kill inside a batch's write when the poll catches one, else once 10 are in
            committed, in_flight = _catalog_state(shared["BRIEFING_CATALOG_URL"])
            if (committed >= 3 and in_flight) or committed >= 10:
                break
            assert process.poll() is None, (tmp_path / "ingest.log").read_text()[-2000:]
            assert time.monotonic() < deadline, (tmp_path / "ingest.log").read_text()[-2000:]
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL

    other = Assistant(_settings(tmp_path / "other", shared))  # another machine opens the stores
    survived = _consistent_keys(other)
    assert 3 <= len(survived) < n_articles
    other.close()

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600, env=shared)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"added {n_articles - len(survived)}, unchanged {len(survived)}, replaced 0, failed 0" in rerun.stdout
    final = Assistant(_settings(tmp_path / "other", shared))
    assert _consistent_keys(final) == _keys(corpus)
    final.close()
