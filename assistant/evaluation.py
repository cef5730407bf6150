"""Evaluation runs over question sets (JSON Lines, format in ``evals/README.md``).

This module holds the retrieval half: every question is searched in each mode (dense, lexical,
hybrid) and scored by ``metrics``; results are grouped by question language.

Deliberately not here: the scoring functions themselves (``metrics``) and any judge model.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import SettingsError
from assistant.metrics import is_hit, percentile, rank_of_first_hit, retrieval_summary

Row = dict[str, Any]


def load_question_set(path: str | Path) -> list[Row]:
    """Rows of a question set; a clear error names the file and line of a bad row."""
    path = Path(path)
    if not path.is_file():
        raise SettingsError(f"Question set {path} does not exist; give a .jsonl file of questions.")
    rows: list[Row] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{path}:{number} is not valid JSON ({exc.msg}); fix or remove the line.") from exc
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise SettingsError(f"{path}:{number} has no 'question' text; each line needs one.")
        row.setdefault("id", f"{path.stem}-{number}")
        row.setdefault("lang", "ar" if any("\u0600" <= c <= "\u06ff" for c in row["question"]) else "en")
        rows.append(row)
    return rows


def evaluate_retrieval(
    search: Callable[[str, int, str], list[Any]],
    rows: list[Row],
    *,
    modes: tuple[str, ...] = ("dense", "lexical", "hybrid"),
    depth: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Search every answerable row in every mode; return per-row ranks and summaries.

    ``search(question, k, mode)`` returns passages, best first. The summary has, per mode,
    ``all`` and one entry per language, each with recall@1/3/5/10 and MRR@10, and the
    search latency p50/p95 in milliseconds.
    """
    answerable = [
        r
        for r in rows
        if r.get("answerable", True) and (r.get("evidence") or r.get("gold_passage_id") or r.get("gold_doc_id"))
    ]
    per_row: list[dict[str, Any]] = []
    ranks: dict[str, dict[str, list[int | None]]] = {m: defaultdict(list) for m in modes}
    latency: dict[str, list[float]] = {m: [] for m in modes}
    for i, row in enumerate(answerable):
        result: dict[str, Any] = {"id": row["id"], "lang": row["lang"]}
        for mode in modes:
            started = time.perf_counter()
            passages = search(row["question"], depth, mode)
            latency[mode].append((time.perf_counter() - started) * 1000)
            rank = rank_of_first_hit([is_hit(p, row) for p in passages])
            result[mode] = {"rank": rank, "retrieved": [p.key for p in passages[:5]]}
            ranks[mode]["all"].append(rank)
            ranks[mode][row["lang"]].append(rank)
        per_row.append(result)
        if progress:
            progress(i + 1, len(answerable))
    summary: dict[str, Any] = {}
    for mode in modes:
        summary[mode] = {group: retrieval_summary(r) for group, r in sorted(ranks[mode].items())}
        summary[mode]["latency_ms"] = {"p50": percentile(latency[mode], 0.5), "p95": percentile(latency[mode], 0.95)}
    return {"rows": per_row, "summary": summary}


def retrieval_table(summary: dict[str, Any]) -> str:
    """A Markdown table: one line per mode and language group."""
    lines = [
        "| mode | questions | n | R@1 | R@3 | R@5 | R@10 | MRR@10 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mode, groups in summary.items():
        for group, m in groups.items():
            if group == "latency_ms":
                continue
            lines.append(
                f"| {mode} | {group} | {int(m['n'])} | {m['recall@1']:.3f} | {m['recall@3']:.3f} | "
                f"{m['recall@5']:.3f} | {m['recall@10']:.3f} | {m['mrr@10']:.3f} |"
            )
    return "\n".join(lines)


def score_answer(answer: Any, row: Row) -> dict[str, Any]:
    """Per-question answer metrics (see ``metrics``): key facts, citations, abstention."""
    from assistant.metrics import contains_evidence, key_facts_found

    evidence = row.get("evidence") or []
    # A citation is right when its passage holds the evidence (the quote is part of the passage).
    cited_ok = [contains_evidence(c.passage.text, evidence) for c in answer.citations]
    quote_ok = [c.passage.text.find(c.quote) >= 0 for c in answer.citations]
    return {
        "id": row["id"],
        "lang": row["lang"],
        "answerable": bool(row.get("answerable", True)),
        "state": answer.state,
        "abstained": answer.abstained,
        "key_facts": key_facts_found(answer.text, row.get("must") or []) if row.get("answerable", True) else None,
        "citations": len(answer.citations),
        "citations_holding_evidence": sum(cited_ok),
        "quotes_verbatim": sum(quote_ok),
        "answer": answer.text,
        "removed": answer.removed,
        "timings": answer.timings,
    }


def summarize_answers(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate answer metrics, overall and by language and verification state."""

    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    cited = [r for r in results if r["citations"]]
    summary: dict[str, Any] = {
        "questions": len(results),
        "citation_recall": share([r["citations_holding_evidence"] > 0 for r in answerable]),
        "citation_precision": round(
            sum(r["citations_holding_evidence"] for r in cited) / max(1, sum(r["citations"] for r in cited)), 3
        ),
        "quote_fidelity": round(
            sum(r["quotes_verbatim"] for r in cited) / max(1, sum(r["citations"] for r in cited)), 3
        ),
        "abstain_rate_unanswerable": share([r["abstained"] for r in unanswerable]),
        "false_abstain_rate": share([r["abstained"] for r in answerable]),
    }
    for lang in sorted({r["lang"] for r in answerable}):
        rows = [r for r in answerable if r["lang"] == lang]
        summary[f"key_fact_accuracy_{lang}"] = share([bool(r["key_facts"]) for r in rows])
        for state in ("verified", "draft", "quoted", "abstained"):
            in_state = [r for r in rows if r["state"] == state]
            summary[f"{lang}_{state}"] = {
                "n": len(in_state),
                "key_fact_accuracy": share([bool(r["key_facts"]) for r in in_state]),
            }
    verified = [r for r in answerable if r["state"] == "verified"]
    summary["verified_answers"] = {
        "n": len(verified),
        "key_fact_accuracy": share([bool(r["key_facts"]) for r in verified]),
    }
    return summary


def evaluate_answers(
    assistant: Any,
    rows: list[Row],
    *,
    backend: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Ask every row (earlier ``turns`` first, in one conversation) and score the answers."""
    results = []
    for i, row in enumerate(rows):
        conversation = assistant.conversation(backend)
        for turn in row.get("turns") or []:
            conversation.ask(turn)
        results.append(score_answer(conversation.ask(row["question"]), row))
        if progress:
            progress(i + 1, len(rows))
    return {"rows": results, "summary": summarize_answers(results)}
