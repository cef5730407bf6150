"""End to end with the real parts: the materialised e5 model, a real Chroma store, the CLI.

These take about a minute; they are what tells us retrieval works, so they run in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.evaluation.scoring import evaluate_retrieval, load_question_set

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
BOILERPLATE = ["المحكمة العليا", "النيجر", "كورسك", "الملك تشارلز"]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    store = tmp_path_factory.mktemp("store")
    assistant = Assistant(Settings(vectorstore_dir=store))
    report = assistant.ingest([ROOT / "seeds"])
    assert len(report.added) == 1 and not report.failed
    return assistant


def test_first_question_finds_the_time_is_running_out_passage(real: Assistant) -> None:
    hits = real.search("What did Rubio tell Russia?", k=5)
    assert len(hits) == 5
    assert "الوقت يمر بسرعة" in hits[0].text
    assert real.article_text(hits[0].article_id)[hits[0].start : hits[0].end] == hits[0].text  # type: ignore[index]


def test_arabic_question(real: Assistant) -> None:
    hits = real.search("ماذا قال ريابكوف عن المقترحات الأمريكية؟", k=3)
    assert any("نحن نأخذ النماذج والحلول التي اقترحها الأمريكيون" in h.text for h in hits)


def test_no_indexed_passage_holds_boilerplate(real: Assistant) -> None:
    documents = real.store.collection.get(include=["documents"])["documents"]
    assert len(documents) == real.catalog.counts()[1] > 5
    assert not [p for p in BOILERPLATE for d in documents if p in d]


def test_every_seed_question_has_its_evidence_in_the_top_5(real: Assistant) -> None:
    rows = load_question_set(ROOT / "evals" / "seed_questions.jsonl")
    result = evaluate_retrieval(lambda q, k, m: real.search(q, k, mode=m), rows, modes=("hybrid",))
    ranks = [(r["id"], r["retrieval"]["hybrid"]["rank"]) for r in result["rows"]]
    misses = [(i, rank) for i, rank in ranks if (rank or 99) > 5]
    assert len(result["rows"]) >= 25
    assert misses == []


def test_reingest_with_the_real_store_changes_nothing(real: Assistant) -> None:
    before = real.store.count()
    report = real.ingest([ROOT / "seeds"])
    assert len(report.unchanged) == 1 and report.chunks_added == 0
    assert real.store.count() == before


def test_cli_ingest_and_search(tmp_path: Path) -> None:
    env = {**os.environ, "BRIEFING_VECTORSTORE_DIR": str(tmp_path / "store")}
    cli = [sys.executable, "-m", "assistant.cli"]
    ingest = subprocess.run([*cli, "ingest", str(ROOT / "seeds")], capture_output=True, text=True, env=env)
    assert ingest.returncode == 0, ingest.stderr
    assert "added 1, unchanged 0, replaced 0, failed 0" in ingest.stdout
    search = subprocess.run(
        [*cli, "search", "What did Rubio tell Russia?", "-k", "3", "--json"], capture_output=True, text=True, env=env
    )
    assert search.returncode == 0, search.stderr
    hits = json.loads(search.stdout)
    assert len(hits) == 3 and "الوقت يمر بسرعة" in hits[0]["text"]
    bad = subprocess.run([*cli, "search", "   "], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: The question is empty")
    assert "Traceback" not in bad.stderr
