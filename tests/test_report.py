"""report.md and the plots, from hand-made rows (no models)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation.report import DEFINITIONS, comparison_markdown, report_markdown, write_report
from assistant.evaluation.scoring import summarize

STAMP = {
    "date": "2026-11-29T10:00:00+00:00",
    "commit": "abc1234",
    "settings_hash": "f" * 64,
    "run": "0123456789ab",
    "embedding_model": "intfloat/multilingual-e5-small",
    "llm_backend": "local",
    "llm_model": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "question_set": "evals/seed_questions.jsonl",
    "corpus": None,
    "store": {"articles": 1, "chunks": 15},
}


def _row(id: str, lang: str, rank: int | None, state: str, right: bool, answerable: bool = True) -> dict[str, Any]:
    return {
        "id": id,
        "lang": lang,
        "answerable": answerable,
        "retrieval": {"hybrid": {"rank": rank, "ms": 20.0}} if answerable else {},
        "state": state,
        "abstained": state == "abstained",
        "citations": [] if state == "abstained" else [{"holds_evidence": right, "verbatim": True}],
        "key_facts": right if answerable else None,
        "token_f1": (0.5 if right else 0.0) if answerable else None,
        "cited_evidence": right if answerable else None,
        "timings": {"retrieve": 0.05, "generate": 2.0, "total": 2.05},
        "tokens_in": 0,
        "tokens_out": 20,
    }


ROWS = [
    _row("en-1", "en", 1, "draft", True),
    _row("en-2", "en", 6, "quoted", False),
    _row("ar-1", "ar", 2, "verified", True),
    _row("un-1", "en", None, "abstained", False, answerable=False),
]


def test_report_has_the_stamp_every_section_and_the_plots(tmp_path: Path) -> None:
    summary = {"stamp": STAMP, **summarize(ROWS, modes=("hybrid",))}
    path = write_report(tmp_path, summary, ROWS)
    report = path.read_text(encoding="utf-8")
    for expected in [
        "| date | 2026-11-29T10:00:00+00:00 |",
        "| git commit | abc1234 |",
        f"| settings hash (sha256) | `{'f' * 64}` |",
        "| embedding model | intfloat/multilingual-e5-small |",
        "| LLM | local (qwen2.5-coder-1.5b-instruct-q4_k_m.gguf) |",
        "| questions | 4 (1 ar, 3 en; 1 unanswerable) |",
        "| hybrid R@5 | 0.667 |",  # ranks 1, 6, 2
        "| hybrid | en | 2 | 0.500 | 0.500 | 0.500 | 1.000 | 0.500 | – | 0.583 |",  # ranks 1, 6: MRR (1 + 1/6) / 2
        "| all | 4 | 0.667 | 0.333 | 0.667 | 0.667 | 1.000 | 1.000 | 0.000 |",
        "**Answers marked verified: 1, accuracy 1.000** (0 of them on unanswerable questions).",
        "| en | draft | 1 | 1 | 1.000 | 0.500 |",
        "| generate | 4 | 2.000 | 2.000 |",
        "Tokens: in 0 (mean 0.0 per answer), out 80 (mean 20.0).",
        "## Definitions",
        DEFINITIONS,
    ]:
        assert expected in report, expected
    for png in ("metrics.png", "retrieval.png", "latency.png", "breakdown.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG" and f"]({png})" in report


def test_every_headline_metric_is_defined() -> None:
    terms = ["R@k", "MRR@10", "key-fact accuracy", "token F1", "citation precision", "citation recall"]
    terms += ["quote fidelity", "abstain rate", "False-abstain rate", "verified accuracy", "latency", "tokens"]
    for term in terms:
        assert f"**{term}" in DEFINITIONS, term


def test_a_retrieval_only_report_drops_the_answer_plots_of_an_earlier_run(tmp_path: Path) -> None:
    (tmp_path / "breakdown.png").write_bytes(b"old")
    rows = [{k: v for k, v in r.items() if k in ("id", "lang", "answerable", "retrieval")} for r in ROWS]
    summary = {"stamp": {**STAMP, "llm_backend": "none (retrieval only)"}, **summarize(rows, modes=("hybrid",))}
    report = write_report(tmp_path, summary, rows).read_text(encoding="utf-8")
    assert not (tmp_path / "breakdown.png").exists()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["latency.png", "metrics.png", "retrieval.png"]
    assert "## Answers" not in report and "## Retrieval" in report


def test_report_without_plots_links_none() -> None:
    summary = {"stamp": STAMP, **summarize(ROWS, modes=("hybrid",))}
    assert ".png)" not in report_markdown(summary, plots=[])


def test_comparison_without_changes() -> None:
    comparison = {
        "a": {"folder": "runs/a", **STAMP},
        "b": {"folder": "runs/b", **STAMP},
        "metrics": [{"metric": "answers.overall.token_f1", "a": 0.5, "b": 0.5, "delta": 0.0}],
        "flipped": [],
        "only_in_a": [],
        "only_in_b": ["q9"],
    }
    text = comparison_markdown(comparison)
    assert "A: runs/a (2026-11-29 · commit abc1234 · settings ffffffffffff" in text
    assert "## Metrics that changed (0 of 1)\n\nNo metric changed." in text
    assert "## Questions whose outcome flipped (0)\n\nNone." in text and "Only in B: q9" in text
