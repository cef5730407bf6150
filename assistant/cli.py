"""The ``briefing`` command line.

Examples:

\b
    briefing ingest seeds/                      # files and folders; progress bar, summary
    briefing search "What did Rubio tell Russia?" -k 5
    briefing search "ماذا قال روبيو لروسيا؟" --json
    briefing sources                            # what is ingested
    briefing eval-retrieval evals/xquad/xquad_dev.jsonl --corpus evals/xquad/xquad_ar_corpus.jsonl
    briefing ask "What did Rubio tell Russia?" --llm extractive
    briefing eval-answers evals/seed_questions.jsonl --llm local --out evals/results/seed-local

Output is for people by default; ``--json`` gives machine-readable output. Errors are
printed as one readable line (exit code 1), never as a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from assistant.errors import BriefingError

F = TypeVar("F", bound=Callable[..., Any])


def _friendly_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BriefingError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _assistant(store: str | None) -> Any:
    from assistant import Assistant

    return Assistant(vectorstore_dir=store) if store else Assistant()


def _eval_assistant(corpus: str | None, store: str | None) -> Any:
    """The assistant an evaluation runs on: with ``corpus``, a separate store that ingests it first."""
    if corpus:
        store = store or tempfile.mkdtemp(prefix="briefing-eval-")
    assistant = _assistant(store)
    if corpus:
        click.echo(f"corpus {corpus}: {assistant.ingest([corpus]).summary()}", err=True)
    return assistant


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


store_option = click.option(
    "--store", "store", default=None, metavar="DIR", help="Vector store folder (default: vectorstore/)."
)


@click.group(help=__doc__)
@click.version_option(package_name="briefing-assistant")
def main() -> None:
    pass


@main.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_friendly_errors
def ingest(paths: tuple[str, ...], store: str | None, as_json: bool) -> None:
    """Ingest .txt, .md, .html and .jsonl files and folders."""
    from tqdm import tqdm

    assistant = _assistant(store)
    with tqdm(desc="ingesting", unit="article", file=sys.stderr, disable=as_json) as bar:

        def progress(done: int, seen: int) -> None:
            bar.total = seen
            bar.n = done
            bar.refresh()

        report = assistant.ingest(list(paths), progress=progress)
    if as_json:
        click.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
        return
    click.echo(report.summary())
    for failure in report.failed:
        click.echo(f"  failed: {failure.path}: {failure.reason}")
    articles, chunks = assistant.catalog.counts()
    click.echo(f"store {assistant.settings.vectorstore_dir}: {articles} articles, {chunks} chunks")


@main.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, help="Passages to show.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default=None)
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Published on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Published on or before.")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print passages as JSON.")
@_friendly_errors
def search(
    question: str,
    k: int,
    mode: str | None,
    sources: tuple[str, ...],
    since: Any,
    until: Any,
    store: str | None,
    as_json: bool,
) -> None:
    """Print the passages that best match QUESTION, best first."""
    from assistant.assistant import check_question

    check_question(question)  # before loading any model: a bad question should fail at once
    assistant = _assistant(store)
    hits = assistant.search(
        question,
        k,
        mode=mode,
        sources=list(sources),
        since=since.date() if since else None,
        until=until.date() if until else None,
    )
    if as_json:
        click.echo(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2, default=_jsonable))
        return
    if not hits:
        click.echo("No passages found. Ingest articles first: briefing ingest PATH")
    for rank, hit in enumerate(hits, start=1):
        when = hit.published.isoformat() if hit.published else "date unknown"
        click.echo(f"[{rank}] {hit.title} — {hit.source}, {when} (score {hit.score:.4f}, chars {hit.start}–{hit.end})")
        click.echo(f"    {hit.text}\n")


@main.command()
@click.argument("question")
@click.option("--llm", "backend", type=click.Choice(["local", "openai", "extractive"]), default=None)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@_friendly_errors
def ask(question: str, backend: str | None, store: str | None, as_json: bool) -> None:
    """Answer QUESTION from the articles, with its verification state and cited quotes."""
    from assistant.assistant import check_question

    check_question(question)
    answer = _assistant(store).ask(question, backend=backend)
    if as_json:
        data = {
            "question": answer.question,
            "standalone_question": answer.standalone_question,
            "text": answer.text,
            "state": answer.state,
            "verified": answer.verified,
            "abstained": answer.abstained,
            "sentences": [asdict(s) for s in answer.sentences],
            "citations": [
                {
                    "n": c.n,
                    "quote": c.quote,
                    "quote_start": c.quote_start,
                    "quote_end": c.quote_end,
                    "article_id": c.passage.article_id,
                    "title": c.passage.title,
                    "source": c.passage.source,
                    "published": c.passage.published,
                }
                for c in answer.citations
            ],
            "removed": answer.removed,
            "timings": answer.timings,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable))
        return
    click.echo(answer.text)
    click.echo(f"\n[{answer.state}] backend {answer.backend}, {sum(answer.timings.values()):.1f} s")
    for c in answer.citations:
        when = c.passage.published.isoformat() if c.passage.published else "date unknown"
        click.echo(f"[{c.n}] {c.passage.title} — {c.passage.source}, {when}, chars {c.quote_start}–{c.quote_end}")
    for removed in answer.removed:
        click.echo(f"removed (contradicted its evidence): {removed}")


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True)
@_friendly_errors
def sources(store: str | None, as_json: bool) -> None:
    """List the ingested articles."""
    infos = _assistant(store).articles()
    if as_json:
        click.echo(json.dumps([asdict(i) for i in infos], ensure_ascii=False, indent=2, default=_jsonable))
        return
    for info in infos:
        when = info.published.isoformat() if info.published else "----------"
        click.echo(f"{when}  {info.source:<12} {info.n_chunks:>3} chunks  {info.title}")


@main.command("eval-retrieval")
@click.argument("question_set", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", default=None, help="Ingest this corpus into a separate, temporary store first.")
@store_option
@click.option("--out", default=None, help="Write the per-question results and summary as JSON here.")
@click.option("--limit", type=int, default=None, help="Only the first N questions.")
@_friendly_errors
def eval_retrieval(
    question_set: str, corpus: str | None, store: str | None, out: str | None, limit: int | None
) -> None:
    """Recall@1/3/5/10 and MRR@10 for dense, lexical and hybrid search."""
    from tqdm import tqdm

    from assistant.evaluation import evaluate_retrieval, load_question_set, retrieval_table

    assistant = _eval_assistant(corpus, store)
    rows = load_question_set(question_set)[:limit]
    with tqdm(total=len(rows), desc="questions", file=sys.stderr) as bar:
        result = evaluate_retrieval(
            lambda q, k, m: assistant.search(q, k, mode=m),
            rows,
            progress=lambda done, total: bar.update(done - bar.n),
        )
    click.echo(retrieval_table(result["summary"]))
    for mode, groups in result["summary"].items():
        click.echo(f"{mode}: search p50 {groups['latency_ms']['p50']:.1f} ms, p95 {groups['latency_ms']['p95']:.1f} ms")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


@main.command("eval-answers")
@click.argument("question_set", type=click.Path(exists=True, dir_okay=False))
@click.option("--llm", "backend", type=click.Choice(["local", "openai", "extractive"]), default=None)
@click.option("--corpus", default=None, help="Ingest this corpus into a separate, temporary store first.")
@store_option
@click.option("--out", default=None, help="Write results.jsonl and summary.json into this folder.")
@click.option("--limit", type=int, default=None, help="Only the first N questions.")
@_friendly_errors
def eval_answers(
    question_set: str, backend: str | None, corpus: str | None, store: str | None, out: str | None, limit: int | None
) -> None:
    """Citations, key facts, abstention and verification states of the answers to a question set."""
    from tqdm import tqdm

    from assistant.evaluation import evaluate_answers, load_question_set

    assistant = _eval_assistant(corpus, store)
    rows = load_question_set(question_set)[:limit]
    with tqdm(total=len(rows), desc="questions", file=sys.stderr) as bar:
        result = evaluate_answers(
            assistant, rows, backend=backend, progress=lambda done, total: bar.update(done - bar.n)
        )
    click.echo(json.dumps(result["summary"], ensure_ascii=False, indent=2))
    if out:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "results.jsonl").open("w", encoding="utf-8") as handle:
            for row in result["rows"]:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        (folder / "summary.json").write_text(json.dumps(result["summary"], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
