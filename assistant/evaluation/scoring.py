"""Scoring question sets (JSON Lines, format in ``evals/README.md``): one row, then a run.

Per row, ``score_retrieval`` searches the question in each mode (dense, lexical, hybrid) and
records the rank of the first hit; ``score_answer`` scores an ``Answer`` (key facts, token F1,
citations, quotes, abstention, timings, tokens). ``summarize`` aggregates rows into the
figures of a report: retrieval by mode and language, answers overall, by language, by
verification state, latency per stage and tokens.

Deliberately not here: the scoring functions themselves (``metrics``), running a whole set with
resume and stamps (``runner``), tables and plots (``report``), any judge model.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant.assistant import standalone_question as condense
from assistant.errors import SettingsError
from assistant.evaluation.metrics import (
    cites_evidence,
    is_hit,
    is_paragraph_hit,
    key_facts_found,
    mean,
    percentile,
    quote_is_verbatim,
    rank_of_first_hit,
    recall_at,
    retrieval_summary,
    share,
    token_f1,
)
from assistant.records import Answer, Passage
from assistant.text.arabic import language_of

Row = dict[str, Any]
# search(question, k, mode) -> passages, best first
Search = Callable[[str, int, str], list[Passage]]

MODES = ("dense", "lexical", "hybrid")
STATES = ("verified", "checked", "draft", "quoted", "abstained")
DEPTH = 10
_MARKER = re.compile(r"\s*\[\d+\]")


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


def has_gold(row: Row) -> bool:
    """Whether retrieval and citations can be scored for a row (it says where the answer is)."""
    return bool(row.get("answerable", True)) and bool(
        any(str(e).strip() for e in row.get("evidence") or []) or row.get("gold_passage_id") or row.get("gold_doc_id")
    )


def standalone_question(row: Row) -> str:
    """What the answer pipeline searches for: a follow-up condensed with its earlier ``turns``.

    >>> standalone_question({"turns": ["Who is Steve Witkoff?"], "question": "What does he believe about Putin?"})
    'What does Steve Witkoff believe about Putin?'
    """
    history: list[str] = []
    for turn in row.get("turns") or []:
        history.append(condense(turn, history))
    return condense(row["question"], history)


def passage_id(passage: Passage) -> str:
    """A retrieved passage as its article key and chunk index, e.g. ``xquad-02-00#0``; a file's
    key is shortened to its name (``000_409043fa5ea248dc.txt#3``), so results do not hold paths."""
    key = passage.key
    if "://" not in key:
        key = key.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{key}#{passage.index}"


def score_retrieval(search: Search, row: Row, *, modes: Iterable[str] = MODES, depth: int = DEPTH) -> dict[str, Any]:
    """Per mode: the rank of the first hit (None: not in the top ``depth``), strict and by paragraph
    (``metrics.is_hit``, ``metrics.is_paragraph_hit``), the mean length of the top five, the ids
    retrieved, the ms.

    Rows without evidence or gold id (unanswerable ones) are not searched: ``{}``.
    """
    if not has_gold(row):
        return {}
    question = standalone_question(row)
    scored = {}
    for mode in modes:
        started = time.perf_counter()
        passages = search(question, depth, mode)
        elapsed = (time.perf_counter() - started) * 1000
        scored[mode] = {
            "rank": rank_of_first_hit([is_hit(p, row) for p in passages]),
            "paragraph_rank": rank_of_first_hit([is_paragraph_hit(p, row) for p in passages]),
            # What a reader of the top five opens: their mean length in characters.
            "chars@5": round(sum(len(p.text) for p in passages[:5]) / max(1, len(passages[:5])), 1),
            "retrieved": [passage_id(p) for p in passages],
            "ms": round(elapsed, 2),
        }
    return scored


def answer_words(answer: Answer) -> str:
    """The answer's own words, for token F1: its written sentences without the draft label and
    the ``[n]`` markers, or its quotes when it wrote nothing else, or its abstention text."""
    if answer.abstained:
        return answer.text
    written = [s.raw for s in answer.sentences if s.state != "quote"]
    if not written:
        return " ".join(c.quote for c in answer.citations) or answer.text
    return " ".join(_MARKER.sub("", t).strip() for t in written)


def score_answer(answer: Answer, row: Row) -> dict[str, Any]:
    """Per-question answer metrics (definitions in ``report``): key facts, F1, citations, abstention.

    ``key_facts`` and ``token_f1`` are None for unanswerable rows and rows without ``must`` /
    ``reference``; ``cited_evidence`` (one citation holds the evidence) is None for rows
    without evidence or gold id.
    """
    answerable = bool(row.get("answerable", True))
    citations = [
        {
            "n": c.n,
            "passage": passage_id(c.passage),
            "quote": c.quote,
            "holds_evidence": cites_evidence(c.passage, row),
            "verbatim": quote_is_verbatim(c),
        }
        for c in answer.citations
    ]
    must = row.get("must") or []
    reference = row.get("reference") or ""
    return {
        "answer": answer.text,
        "state": answer.state,
        "abstained": answer.abstained,
        "backend": answer.backend,
        "answer_passages": [passage_id(p) for p in answer.passages],
        "citations": citations,
        # An abstention that quotes a near miss gives no answer, whatever its quote holds.
        "key_facts": (not answer.abstained and key_facts_found(answer.text, must)) if answerable and must else None,
        # Written in the question's language, not only quoted (an English answer over Arabic articles).
        "in_question_language": any(s.state != "quote" and language_of(s.raw) == answer.lang for s in answer.sentences),
        "token_f1": round(token_f1(answer_words(answer), reference), 4) if answerable and reference else None,
        "cited_evidence": any(c["holds_evidence"] for c in citations) if has_gold(row) else None,
        "removed": answer.removed,
        "timings": {**answer.timings, "total": round(sum(answer.timings.values()), 4)},
        "tokens_in": answer.tokens_in,
        "tokens_out": answer.tokens_out,
    }


# -- aggregation -----------------------------------------------------------------------------


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def summarize_retrieval(results: list[Row], modes: Iterable[str] = MODES) -> dict[str, Any]:
    """Per mode: ``all`` and each language with recall@1/3/5/10 and MRR@10 (strict hits), the
    paragraph-level recall@1/5 beside them, the mean length of the top five passages, and search
    ms p50/p95."""
    summary: dict[str, Any] = {}
    for mode in modes:
        scored = [r for r in results if mode in (r.get("retrieval") or {})]
        if not scored:
            continue
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in scored:
            groups["all"].append(r["retrieval"][mode])
            groups[r["lang"]].append(r["retrieval"][mode])
        summary[mode] = {}
        for g, scores in sorted(groups.items(), key=lambda item: (item[0] != "all", item[0])):
            figures = retrieval_summary([s["rank"] for s in scores])
            paragraph = [s.get("paragraph_rank", s["rank"]) for s in scores]
            figures["paragraph_recall@1"] = recall_at(paragraph, 1)
            figures["paragraph_recall@5"] = recall_at(paragraph, 5)
            chars = [s["chars@5"] for s in scores if "chars@5" in s]
            if chars:
                figures["chars@5"] = sum(chars) / len(chars)
            summary[mode][g] = {k: (int(v) if k == "n" else round(v, 4)) for k, v in figures.items()}
        ms = [r["retrieval"][mode]["ms"] for r in scored]
        summary[mode]["latency_ms"] = {"p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95)}
    return summary


def _known(rows: list[Row], key: str) -> list[Any]:
    """The values of ``key`` in the rows that have one (None: not scored for that row)."""
    return [r[key] for r in rows if r.get(key) is not None]


def _answer_metrics(results: list[Row]) -> dict[str, Any]:
    """The core answer figures over some rows (all of them, or one language)."""
    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    citations = [c for r in results for c in r["citations"]]
    # What an abstention quotes (a near miss: the articles hold the topic, not the asked fact) is no
    # answer's citation: only answers' citations count for precision.
    claimed = [c for r in results if not r["abstained"] for c in r["citations"]]
    return {
        "n": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "key_fact_accuracy": _rounded(share(_known(answerable, "key_facts"))),
        "token_f1": _rounded(mean(_known(answerable, "token_f1"))),
        "citation_precision": _rounded(share([c["holds_evidence"] for c in claimed])),
        "citation_recall": _rounded(share(_known(answerable, "cited_evidence"))),
        "quote_fidelity": _rounded(share([c["verbatim"] for c in citations])),
        "abstain_rate_unanswerable": _rounded(share([r["abstained"] for r in unanswerable])),
        "false_abstain_rate": _rounded(share([r["abstained"] for r in answerable])),
        "in_question_language": _rounded(share(_known(answerable, "in_question_language"))),
        "citations": len(citations),
    }


def _state_metrics(results: list[Row]) -> dict[str, Any]:
    """Figures of the answers in one verification state (key facts and F1 over answerable rows)."""
    answerable = [r for r in results if r["answerable"]]
    return {
        "n": len(results),
        "answerable": len(answerable),
        "key_fact_accuracy": _rounded(share(_known(answerable, "key_facts"))),
        "token_f1": _rounded(mean(_known(answerable, "token_f1"))),
    }


def summarize_answers(results: list[Row]) -> dict[str, Any]:
    """Answer figures overall, by language, by verification state and by both.

    ``verified.accuracy`` (``checked.accuracy``) is the share of answers marked verified (checked)
    whose key facts are right, such an answer to an unanswerable question counting as wrong:
    whether to trust the mark.
    """
    answered = [r for r in results if "state" in r]
    langs = sorted({r["lang"] for r in answered})
    summary: dict[str, Any] = {
        "overall": _answer_metrics(answered),
        "by_lang": {lang: _answer_metrics([r for r in answered if r["lang"] == lang]) for lang in langs},
        "by_state": {s: _state_metrics([r for r in answered if r["state"] == s]) for s in STATES},
        "by_lang_state": {
            lang: {s: _state_metrics([r for r in answered if r["lang"] == lang and r["state"] == s]) for s in STATES}
            for lang in langs
        },
    }
    for state in ("verified", "checked"):  # whether to trust the mark
        marked = [r for r in answered if r["state"] == state]
        summary[state] = {
            "n": len(marked),
            "unanswerable": sum(not r["answerable"] for r in marked),
            "accuracy": _rounded(share([bool(r["answerable"] and r["key_facts"]) for r in marked])),
        }
    return summary


def summarize_latency(results: list[Row]) -> dict[str, dict[str, float]]:
    """Seconds per answer stage (``Answer.timings``) and in total: p50 and p95 over the rows that ran it."""
    stages: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for stage, seconds in (r.get("timings") or {}).items():
            stages[stage].append(seconds)
    order = [s for s in stages if s != "total"] + (["total"] if "total" in stages else [])
    return {
        s: {"n": len(stages[s]), "p50": percentile(stages[s], 0.5), "p95": percentile(stages[s], 0.95)} for s in order
    }


def summarize_tokens(results: list[Row]) -> dict[str, dict[str, float]]:
    """Tokens in (prompts) and out (generated), in total and per answer."""
    answered = [r for r in results if "tokens_in" in r]
    return {
        side: {
            "total": sum(r[f"tokens_{side}"] for r in answered),
            "mean": round(mean([r[f"tokens_{side}"] for r in answered]) or 0.0, 1),
        }
        for side in ("in", "out")
    }


def summarize(results: list[Row], modes: Iterable[str] = MODES) -> dict[str, Any]:
    """Everything a report shows, from the per-question rows."""
    summary: dict[str, Any] = {
        "questions": len(results),
        "answerable": sum(bool(r["answerable"]) for r in results),
        "unanswerable": sum(not r["answerable"] for r in results),
        "by_lang": {lang: sum(r["lang"] == lang for r in results) for lang in sorted({r["lang"] for r in results})},
        "retrieval": summarize_retrieval(results, modes),
    }
    if any("state" in r for r in results):
        summary["answers"] = summarize_answers(results)
        summary["latency_s"] = summarize_latency(results)
        summary["tokens"] = summarize_tokens(results)
    return summary


def evaluate_retrieval(
    search: Search,
    rows: list[Row],
    *,
    modes: tuple[str, ...] = MODES,
    depth: int = DEPTH,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Search every row with evidence or gold id in every mode: ``{"rows": [...], "summary": {...}}``.

    The in-memory retrieval half of ``runner.run_eval`` (no files, no answers).
    """
    results = []
    for i, row in enumerate(rows):
        retrieval = score_retrieval(search, row, modes=modes, depth=depth)
        if retrieval:
            results.append({"id": row["id"], "lang": row["lang"], "answerable": True, "retrieval": retrieval})
        if progress:
            progress(i + 1, len(rows))
    return {"rows": results, "summary": summarize_retrieval(results, modes)}
