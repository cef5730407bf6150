"""Running a question set into a results folder, resuming it, and comparing two runs.

``run_eval`` asks every question (the answer unless ``retrieval_only``, then retrieval in
each mode) and appends one row to ``results.jsonl`` as each finishes, so an
interrupted run resumes where it stopped. Every row carries the run's key: the hash of
everything that changes results (settings, models, backend, modes, store contents), so rows
of another configuration are never mixed in. At the end it writes ``summary.json``,
``report.md`` and the plots (``report``)::

    from assistant import Assistant
    from assistant.evaluation.runner import run_eval
    summary = run_eval(Assistant(), "evals/seed_questions.jsonl", "evals/results/seed-local")
    summary["answers"]["verified"]   # {"n", "unanswerable", "accuracy"} of the answers marked verified

``compare_runs(a, b)`` gives metric deltas and the questions whose outcome flipped.

Deliberately not here: the scores (``metrics``, ``scoring``), the report's text and plots (``report``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from assistant.assistant import Assistant, llm_name
from assistant.errors import SettingsError
from assistant.evaluation.report import write_report
from assistant.evaluation.scoring import DEPTH, MODES, Row, load_question_set, score_answer, score_retrieval, summarize
from assistant.records import content_hash
from assistant.settings import Backend, SearchMode, Settings

RESULTS = "results.jsonl"
SUMMARY = "summary.json"


def assistant_for_corpus(
    corpus: str | Path, *, settings: Settings | None = None, store: str | Path | None = None
) -> Assistant:
    """An assistant on a separate store (a new temporary folder unless ``store``) holding ``corpus``."""
    folder = Path(store) if store else Path(tempfile.mkdtemp(prefix="briefing-eval-"))
    assistant = Assistant(settings, vectorstore_dir=folder)
    report = assistant.ingest([corpus])
    if report.failed and not (report.added or report.unchanged or report.replaced):
        raise SettingsError(f"The corpus {corpus} gave no articles ({report.failed[0].reason}); check the path.")
    return assistant


def settings_hash(settings: Settings, backend: str) -> str:
    """sha256 of the settings as JSON, with the backend the run uses. Left out: where things live
    (store folder, Chroma server, catalog database, model cache: they do not change results), the chat UI's settings,
    and secrets (API key, UI password).
    """
    data = settings.model_dump(mode="json")
    for name in ("vectorstore_dir", "chroma_url", "catalog_url", "cache_dir", "ui"):
        data.pop(name, None)
    data["llm"].pop("api_key", None)
    data["llm"]["backend"] = backend
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def git_commit(folder: Path | None = None) -> str:
    """The short commit of the working tree, ``+dirty`` when it has uncommitted changes; ``unknown``
    outside git."""
    cwd = folder or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}+dirty" if dirty else commit


def run_stamp(
    assistant: Assistant,
    *,
    backend: Backend,
    retrieval_only: bool,
    modes: tuple[str, ...],
    depth: int,
    question_set: str,
    corpus: str | None,
) -> dict[str, Any]:
    """What a run was: date, commit, settings hash, models, store; ``run`` keys the rows for resume."""
    articles, chunks = assistant.catalog.counts()
    stamp: dict[str, Any] = {
        "settings_hash": settings_hash(assistant.settings, backend),
        "embedding_model": assistant.embedder.name,
        "llm_backend": "none (retrieval only)" if retrieval_only else backend,
        "llm_model": "none" if retrieval_only else llm_name(assistant.settings, backend),
        "modes": list(modes),
        "depth": depth,
        "corpus": corpus,
        "store": {"articles": articles, "chunks": chunks},
    }
    stamp["run"] = content_hash(json.dumps(stamp, sort_keys=True), length=12)
    stamp.update(
        {
            "question_set": question_set,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
        }
    )
    return stamp


def row_hash(row: Row) -> str:
    """A question row's content hash: an edited question is asked again on resume."""
    return content_hash(json.dumps(row, sort_keys=True, ensure_ascii=False), length=12)


def read_results(folder: str | Path) -> list[Row]:
    """The rows of a results folder, skipping a line cut short by an interruption."""
    path = Path(folder) / RESULTS
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _resumable(folder: Path, rows: list[Row], run: str, log: Callable[[str], None]) -> dict[str, Row]:
    """The finished rows of this run for these questions; the results file is rewritten to hold only them."""
    wanted = {row["id"]: row_hash(row) for row in rows}
    existing = read_results(folder)
    done = {r["id"]: r for r in existing if r.get("run") == run and wanted.get(r.get("id")) == r.get("row_hash")}
    if existing:
        dropped = len(existing) - len(done)
        if done:
            log(f"resuming: {len(done)} done")
        if dropped:
            log(f"dropping {dropped} earlier rows of {folder / RESULTS}: another run, or questions not in this set")
        with (folder / RESULTS).open("w", encoding="utf-8") as handle:
            for r in done.values():
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    return done


def evaluate_row(
    assistant: Assistant,
    row: Row,
    *,
    backend: Backend,
    retrieval_only: bool,
    modes: tuple[str, ...],
    depth: int,
) -> Row:
    """One question: the answer (unless retrieval only), in one conversation, then retrieval in each mode.

    The answer goes first so that its stage timings are those of a fresh question: the searcher
    keeps recent question vectors, and the retrieval scoring that follows reuses them.
    """
    result: Row = {
        "id": row["id"],
        "lang": row["lang"],
        "answerable": bool(row.get("answerable", True)),
        "question": row["question"],
        "turns": row.get("turns") or [],
    }
    scored: Row = {}
    if not retrieval_only:
        conversation = assistant.conversation(backend)
        for turn in row.get("turns") or []:
            conversation.ask(turn)
        scored = score_answer(conversation.ask(row["question"]), row)
    result["retrieval"] = score_retrieval(
        lambda q, k, m: assistant.search(q, k, mode=cast(SearchMode, m)), row, modes=modes, depth=depth
    )
    return {**result, **scored}


def run_eval(
    assistant: Assistant,
    questions: str | Path | list[Row],
    out: str | Path,
    *,
    backend: Backend | None = None,
    retrieval_only: bool = False,
    limit: int | None = None,
    lang: str | None = None,
    modes: Iterable[str] = MODES,
    depth: int = DEPTH,
    corpus: str | None = None,
    plots: bool = True,
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run a question set (a .jsonl path or rows) into ``out``; return the summary.

    ``out`` receives ``results.jsonl`` (row by row, flushed), ``summary.json``, ``report.md``
    and the plots. ``lang`` keeps only the questions in that language, before ``limit``. Rows
    already there from the same run (same key, same question) are kept, not asked again.
    ``corpus`` is only recorded (ingest it with ``assistant_for_corpus``).
    ``progress(done, total)`` is called after each question, ``log(message)`` for notices.
    """
    modes = tuple(modes)
    rows = _select_rows(questions, modes=modes, depth=depth, limit=limit, lang=lang)
    backend = backend or assistant.settings.llm.backend
    name = str(questions) if isinstance(questions, str | Path) else f"{len(rows)} rows given in Python"
    stamp = run_stamp(
        assistant,
        backend=backend,
        retrieval_only=retrieval_only,
        modes=modes,
        depth=depth,
        question_set=name if lang is None else f"{name} (lang {lang})",
        corpus=corpus,
    )
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    done = _resumable(folder, rows, stamp["run"], log or (lambda message: None))
    if progress:
        progress(len(done), len(rows))
    with (folder / RESULTS).open("a", encoding="utf-8") as handle:
        for row in rows:
            if row["id"] in done:
                continue
            result = evaluate_row(
                assistant, row, backend=backend, retrieval_only=retrieval_only, modes=modes, depth=depth
            )
            result.update({"run": stamp["run"], "row_hash": row_hash(row), "commit": stamp["commit"]})
            handle.write(json.dumps(result, ensure_ascii=False) + "\n")
            handle.flush()
            done[row["id"]] = result
            if progress:
                progress(len(done), len(rows))
    return _finish(folder, stamp, [done[row["id"]] for row in rows], modes, plots)


def _select_rows(
    questions: str | Path | list[Row], *, modes: tuple[str, ...], depth: int, limit: int | None, lang: str | None
) -> list[Row]:
    """The rows a run asks, after checking its options: those in ``lang``, then the first ``limit``."""
    if not modes or set(modes) - set(MODES):
        raise SettingsError(f"modes must be some of {', '.join(MODES)}; got {', '.join(modes) or 'none'}.")
    if depth <= 0:
        raise SettingsError(f"depth must be greater than 0. Currently, depth is {depth}")
    if limit is not None and limit <= 0:
        raise SettingsError(f"limit must be greater than 0. Currently, limit is {limit}")
    rows = load_question_set(questions) if isinstance(questions, str | Path) else list(questions)
    if lang is not None:
        rows = [r for r in rows if r.get("lang") == lang]
        if not rows:
            raise SettingsError(f"The question set has no questions with lang {lang!r}; use en or ar.")
    rows = rows[:limit]
    duplicates = [i for i, n in Counter(r["id"] for r in rows).items() if n > 1]
    if duplicates:
        raise SettingsError(f"Question ids must be unique; repeated: {', '.join(duplicates[:5])}.")
    return rows


def _finish(
    folder: Path, stamp: dict[str, Any], results: list[dict[str, Any]], modes: tuple[str, ...], plots: bool
) -> dict[str, Any]:
    """Write the run's summary and report; return the summary."""
    commits = Counter(r.get("commit") for r in results)
    if len(commits) > 1:
        stamp["row_commits"] = dict(commits)
    summary = {"stamp": stamp, **summarize(results, modes)}
    (folder / SUMMARY).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_report(folder, summary, results, plots=plots)
    return summary


# -- comparing runs ----------------------------------------------------------------------


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a summary by dotted path (the stamp left out).

    >>> flatten({"stamp": {"depth": 10}, "answers": {"overall": {"token_f1": 0.5, "n": 3}}})
    {'answers.overall.token_f1': 0.5, 'answers.overall.n': 3}
    """
    flat: dict[str, float] = {}
    for key, value in summary.items():
        path = f"{prefix}{key}"
        if path == "stamp":
            continue
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[path] = value
    return flat


def outcomes(row: Row) -> dict[str, Any]:
    """What can flip for one question: a hit in the top 5 per mode, key facts, a right citation, the state."""
    found: dict[str, Any] = {
        f"{mode} hit@5": (r["rank"] or 99) <= 5 for mode, r in (row.get("retrieval") or {}).items()
    }
    for key in ("key_facts", "cited_evidence", "state"):
        if row.get(key) is not None:
            found[key] = row[key]
    return found


def load_run(folder: str | Path) -> tuple[dict[str, Any], list[Row]]:
    """A results folder's summary and rows; a clear error when it is not one."""
    path = Path(folder) / SUMMARY
    if not path.is_file():
        raise SettingsError(f"{folder} holds no {SUMMARY}; give a folder written by `briefing eval --out`.")
    return json.loads(path.read_text(encoding="utf-8")), read_results(folder)


def compare_runs(a: str | Path, b: str | Path) -> dict[str, Any]:
    """Metric deltas (B − A) and the questions whose outcome flipped between two results folders."""
    summary_a, rows_a = load_run(a)
    summary_b, rows_b = load_run(b)
    flat_a, flat_b = flatten(summary_a), flatten(summary_b)
    metrics = [
        {
            "metric": m,
            "a": flat_a.get(m),
            "b": flat_b.get(m),
            "delta": round(flat_b[m] - flat_a[m], 4) if m in flat_a and m in flat_b else None,
        }
        for m in [*flat_a, *(m for m in flat_b if m not in flat_a)]
    ]
    by_id_b = {r["id"]: r for r in rows_b}
    flipped = []
    for row in rows_a:
        other = by_id_b.get(row["id"])
        if other is None:
            continue
        before, after = outcomes(row), outcomes(other)
        changes = {k: [before[k], after[k]] for k in before if k in after and before[k] != after[k]}
        if changes:
            flipped.append({"id": row["id"], "lang": row["lang"], "changes": changes})
    return {
        "a": {"folder": str(a), **summary_a.get("stamp", {})},
        "b": {"folder": str(b), **summary_b.get("stamp", {})},
        "metrics": metrics,
        "flipped": flipped,
        "only_in_a": sorted(set(r["id"] for r in rows_a) - set(by_id_b)),
        "only_in_b": sorted(set(by_id_b) - set(r["id"] for r in rows_a)),
    }


def gate_failures(
    summary: dict[str, Any], *, minimum: dict[str, float] | None = None, maximum: dict[str, float] | None = None
) -> list[str]:
    """One message per threshold a summary misses (metrics by dotted path, as ``flatten`` names them).

    >>> s = {"retrieval": {"hybrid": {"all": {"recall@5": 0.9}}}}
    >>> gate_failures(s, minimum={"retrieval.hybrid.all.recall@5": 0.95, "answers.overall.token_f1": 0.2})
    ['retrieval.hybrid.all.recall@5 = 0.9, below the minimum 0.95', 'answers.overall.token_f1 is missing (minimum 0.2)']
    """
    flat = flatten(summary)
    failures = []
    for bound, thresholds in (("minimum", minimum or {}), ("maximum", maximum or {})):
        for metric, threshold in thresholds.items():
            value = flat.get(metric)
            if value is None:
                failures.append(f"{metric} is missing ({bound} {threshold})")
            elif (value < threshold) if bound == "minimum" else (value > threshold):
                failures.append(
                    f"{metric} = {value}, {'below' if bound == 'minimum' else 'above'} the {bound} {threshold}"
                )
    return failures
