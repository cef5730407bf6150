"""``briefing eval`` and ``briefing eval-compare``: question sets run against a store, and two runs
compared. The ``briefing`` group (``assistant.cli``) adds them."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from assistant.cli import common
from assistant.cli.common import friendly_errors, store_option
from assistant.settings import BACKENDS, SEARCH_MODES, Backend


@click.command("eval")
@click.argument("question_set", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", default=None, help="Ingest this corpus into a separate store (temporary unless --store).")
@click.option("--llm", "backend", type=click.Choice(BACKENDS), default=None)
@click.option("--out", default=None, metavar="DIR", help="Results folder (default: evals/runs/SET-BACKEND).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N questions.")
@click.option("--lang", type=click.Choice(["en", "ar"]), default=None, help="Only the questions in this language.")
@click.option("--retrieval-only", is_flag=True, help="Score retrieval only: no answers, no model loaded.")
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(SEARCH_MODES),
    help="Search modes scored (repeatable; default all three).",
)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@friendly_errors
def evaluate(
    question_set: str,
    corpus: str | None,
    backend: Backend | None,
    out: str | None,
    limit: int | None,
    lang: str | None,
    retrieval_only: bool,
    modes: tuple[str, ...],
    store: str | None,
    as_json: bool,
) -> None:
    """Run QUESTION_SET (JSON Lines): retrieval, answers, citations, abstention, latency.

    Writes results.jsonl (row by row: an interrupted run resumes), summary.json, report.md and
    PNG plots into the --out folder.
    """
    from assistant.evaluation.runner import assistant_for_corpus
    from assistant.evaluation.scoring import MODES

    with contextlib.ExitStack() as cleanup:
        if corpus:
            click.echo(f"ingesting {corpus} into {store or 'a temporary store'}…", err=True)
            if not store:
                store = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="briefing-eval-"))
            assistant = assistant_for_corpus(corpus, store=store)
        else:
            assistant = common.open_assistant(store)
            assistant.require_articles()
        backend = backend or assistant.settings.llm.backend
        kind = "retrieval" if retrieval_only else backend
        folder = out or str(Path("evals") / "runs" / f"{Path(question_set).stem}-{kind}")
        options = dict(retrieval_only=retrieval_only, limit=limit, lang=lang, modes=modes or MODES, corpus=corpus)
        summary = _run_with_progress(assistant, question_set, folder, backend, as_json, options)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print_summary(summary, folder)


def _run_with_progress(
    assistant: Any, question_set: str, folder: str, backend: Backend, quiet: bool, options: dict[str, Any]
) -> dict[str, Any]:
    """``run_eval`` with a progress bar on stderr (none when ``quiet``)."""
    from tqdm import tqdm

    from assistant.evaluation.runner import run_eval

    with tqdm(desc="questions", unit="question", file=sys.stderr, disable=quiet) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        return run_eval(
            assistant,
            question_set,
            folder,
            backend=backend,
            progress=progress,
            log=lambda message: bar.write(message, file=sys.stderr),
            **options,
        )


def _print_summary(summary: dict[str, Any], folder: str) -> None:
    from assistant.evaluation.report import fmt, headline, table

    click.echo(table(["metric", "value"], [[label, value] for label, value, _ in headline(summary)]))
    answers = summary.get("answers")
    if answers:
        v = answers["verified"]
        click.echo(f"answers marked verified: {v['n']}, accuracy {fmt(v['accuracy'])}")
    click.echo(f"report: {Path(folder) / 'report.md'}")


@click.command("eval-compare")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@friendly_errors
def eval_compare(run_a: str, run_b: str, as_json: bool) -> None:
    """Metric deltas (B − A) between two eval folders, and the questions whose outcome flipped."""
    from assistant.evaluation.report import comparison_markdown
    from assistant.evaluation.runner import compare_runs

    comparison = compare_runs(run_a, run_b)
    click.echo(json.dumps(comparison, ensure_ascii=False, indent=2) if as_json else comparison_markdown(comparison))
