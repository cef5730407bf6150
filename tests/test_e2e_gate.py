"""The CI gate: the small evaluations of ``evals/gate.toml`` with the real e5 model, real Chroma
stores and the real local model; a metric past its threshold fails the build.

Each section of the file is one test. Run with ``-s`` to see every gated figure.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings
from assistant.evaluation.layout import write_text_layout
from assistant.evaluation.runner import flatten, gate_failures, run_eval
from assistant.evaluation.scoring import MODES, Row, load_question_set

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
GATE: dict[str, dict[str, Any]] = tomllib.loads((ROOT / "evals" / "gate.toml").read_text(encoding="utf-8"))


def select_rows(section: dict[str, Any]) -> list[Row]:
    """The section's questions: all, the listed ``ids`` (in that order), or ``per_paragraph`` of each."""
    rows = load_question_set(ROOT / section["questions"])
    if "ids" in section:
        by_id = {r["id"]: r for r in rows}
        missing = [i for i in section["ids"] if i not in by_id]
        assert not missing, f"gate.toml names questions that {section['questions']} lacks: {missing}"
        return [by_id[i] for i in section["ids"]]
    if "per_paragraph" in section:
        taken: dict[tuple[str, str], int] = {}
        chosen = []
        for row in rows:
            key = (row["gold_passage_id"], row["lang"])
            if taken.get(key, 0) < section["per_paragraph"]:
                taken[key] = taken.get(key, 0) + 1
                chosen.append(row)
        return chosen
    return rows


def corpus_for(section: dict[str, Any], rows: list[Row], folder: Path) -> Path:
    """The corpus to ingest: as named, or (with ``distractor_docs``) the documents holding the rows'
    gold paragraphs plus the distractors, written to a file in ``folder``; with ``layout = "txt"``,
    as one ``.txt`` file per row in a folder there."""
    corpus = _subset(section, rows, folder)
    if section.get("layout") == "txt":
        return write_text_layout(corpus, folder / f"{corpus.stem}-txt")
    return corpus


def _subset(section: dict[str, Any], rows: list[Row], folder: Path) -> Path:
    corpus = ROOT / section["corpus"]
    if "distractor_docs" not in section:
        return corpus
    lines = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    doc_of = {p["passage_id"]: p["doc_id"] for p in lines}
    docs = {doc_of[r["gold_passage_id"]] for r in rows} | set(section["distractor_docs"])
    subset = folder / f"{corpus.stem}-subset.jsonl"
    subset.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in lines if p["doc_id"] in docs), encoding="utf-8"
    )
    return subset


@pytest.fixture(scope="module")
def store_for(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Assistant]:
    """One store per corpus, all sharing one embedder (the model loads once)."""
    built: dict[Path, Assistant] = {}

    def get(corpus: Path) -> Assistant:
        if corpus not in built:
            embedder = next(iter(built.values())).embedder if built else None
            assistant = Assistant(Settings(vectorstore_dir=tmp_path_factory.mktemp("store")), embedder=embedder)
            report = assistant.ingest([corpus])
            assert report.added and not report.failed, report.summary()
            built[corpus] = assistant
        return built[corpus]

    return get


@pytest.mark.parametrize("name", list(GATE))
def test_gate(name: str, store_for: Callable[[Path], Assistant], tmp_path: Path) -> None:
    section = GATE[name]
    rows = select_rows(section)
    corpus = corpus_for(section, rows, tmp_path)
    summary = run_eval(
        store_for(corpus),
        rows,
        tmp_path / name,
        backend=section.get("llm"),
        retrieval_only="llm" not in section,
        modes=section.get("modes", MODES),
        corpus=section["corpus"],
        plots=False,
    )
    minimum, maximum = section.get("minimum", {}), section.get("maximum", {})
    flat = flatten(summary)
    print(f"\n{name} ({len(rows)} questions):", ", ".join(f"{m} = {flat.get(m)}" for m in [*minimum, *maximum]))
    failures = gate_failures(summary, minimum=minimum, maximum=maximum)
    assert not failures, f"gate {name} (evals/gate.toml) failed: " + "; ".join(failures)
