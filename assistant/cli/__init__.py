"""The ``briefing`` command line.

Examples:

\b
    briefing ingest seeds/                      # files and folders; progress bar, summary
    briefing ingest https://example.org/news/1  # a web page, PDF, DOCX, or every entry of a feed
    briefing watch --feed https://example.org/rss.xml --every 15m   # follow feeds
    briefing search "What did Rubio tell Russia?" -k 5
    briefing search "ماذا قال روبيو لروسيا؟" --json
    briefing sources                            # what is ingested
    briefing --chroma-url http://127.0.0.1:8000 ingest seeds/   # vectors on a Chroma server
    briefing --catalog-url postgresql://briefing@127.0.0.1/news serve   # the catalog on PostgreSQL
    briefing serve --port 7860                  # the chat UI, on 127.0.0.1
    briefing brief --topic "Ukraine peace talks" -o brief.html --llm extractive
    briefing ask "What did Rubio tell Russia?" --llm extractive
    briefing eval evals/seed_questions.jsonl --out evals/results/seed-local   # needs seeds/ ingested
    briefing eval evals/xquad/xquad_dev.jsonl --corpus evals/xquad/xquad_ar_corpus.jsonl --retrieval-only
    briefing eval-compare evals/results/seed-extractive evals/results/seed-local

Output is for people by default; ``--json`` gives machine-readable output. Errors are
printed as one readable line (exit code 1), never as a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from assistant.cli import common
from assistant.cli.common import friendly_errors, jsonable, store_option
from assistant.cli.evaluate import eval_compare, evaluate
from assistant.cli.follow import watch
from assistant.records import AnswerEvent, StatusEvent
from assistant.settings import BACKENDS, SEARCH_MODES, Backend, SearchMode


@click.group(help=__doc__)
@click.version_option(package_name="briefing-assistant")
@click.option(
    "--chroma-url",
    default=None,
    metavar="URL",
    help="Keep the vectors on a Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded store; "
    "the catalog stays in --store. Default: BRIEFING_CHROMA_URL. Goes before the command.",
)
@click.option(
    "--catalog-url",
    default=None,
    metavar="URL",
    help="Keep the catalog in a PostgreSQL database (postgresql://user:password@host/name) instead of "
    "--store's catalog.sqlite, shared by app servers on several machines. Default: BRIEFING_CATALOG_URL. "
    "Goes before the command.",
)
def main(chroma_url: str | None, catalog_url: str | None) -> None:
    pass  # commands read --chroma-url and --catalog-url through common.open_assistant


@main.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly_errors
def ingest(paths: tuple[str, ...], store: str | None, as_json: bool) -> None:
    """Ingest files, folders and web addresses (creates the store when needed): .txt, .md, .html and
    .jsonl files, and http(s) URLs of pages.

    Exit status: 0 when every input went in; 1 when any path, file or JSON Lines row failed
    (each is listed, and everything else is kept: run the command again after fixing them);
    130 when interrupted (whole articles are kept).
    """
    from tqdm import tqdm

    assistant = common.open_assistant(store, create=True)
    with tqdm(desc="ingesting", unit="article", file=sys.stderr, disable=as_json) as bar:

        def progress(done: int, seen: int) -> None:
            bar.total = seen
            bar.n = done
            bar.refresh()

        try:
            report = assistant.ingest(list(paths), progress=progress)
        except KeyboardInterrupt:
            bar.close()
            articles, _ = assistant.catalog.counts()
            click.echo(f"Interrupted: the store holds {articles} whole articles; run the same command to add the rest.")
            sys.exit(130)
    if as_json:
        click.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary())
        click.echo(report.throughput())
        for failure in report.failed:
            click.echo(f"  failed: {failure.path}: {failure.reason}")
        for warning in report.warnings:
            click.echo(f"  repaired: {warning.path}: {warning.reason}")
        articles, chunks = assistant.catalog.counts()
        where = f" (vectors on {assistant.store.where})" if assistant.store.is_server else ""
        click.echo(f"store {assistant.settings.vectorstore_dir}{where}: {articles} articles, {chunks} chunks")
    if report.failed:  # a script or a cron job must notice; what went in stays in
        n = len(report.failed)
        click.echo(
            f"Error: {n} input{'s' if n != 1 else ''} failed (listed in the report); everything else was "
            "ingested. Fix them and run the same command again: unchanged articles are skipped.",
            err=True,
        )
        sys.exit(1)


@main.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, help="Passages to show.")
@click.option("--mode", type=click.Choice(SEARCH_MODES), default=None)
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Published on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Published on or before.")
@click.option("--recency", type=click.FloatRange(min=0, min_open=True), default=None, metavar="DAYS",
              help="Favour recent articles: scores halve every DAYS days of age (off by default).")  # fmt: skip
@click.option("--newest", is_flag=True, help="Show the best matches newest first (what's new on a topic).")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print passages as JSON.")
@friendly_errors
def search(
    question: str,
    k: int,
    mode: SearchMode | None,
    sources: tuple[str, ...],
    since: Any,
    until: Any,
    recency: float | None,
    newest: bool,
    store: str | None,
    as_json: bool,
) -> None:
    """Print the passages that best match QUESTION, best first: each with its rank and what found it
    (meaning: the e5 search; words: BM25; or both). --json adds the raw scores and ranks."""
    from assistant.assistant import check_question

    check_question(question)  # before loading any model: a bad question should fail at once
    assistant = common.open_assistant(store)
    hits = assistant.search(
        question,
        k,
        mode=mode,
        sources=list(sources),
        since=since.date() if since else None,
        until=until.date() if until else None,
        recency=recency,
        newest_first=newest,
    )
    if as_json:
        rows = [{k: v for k, v in asdict(h).items() if k != "pages"} | {"page": h.page} for h in hits]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=jsonable))
        return
    if not hits:
        click.echo("No passage matches; try other words, or fewer filters.")
    first_of: dict[str, int] = {}  # story → the rank that showed it first: a story counts once
    for rank, hit in enumerate(hits, start=1):  # rank and what found it; the fused scores are in --json
        when = hit.published.isoformat() if hit.published else "date unknown"
        page = f"; p. {hit.page}" if hit.page else ""
        where = f"{hit.source}, {when}{page}; found by {hit.matched_by}; chars {hit.start}–{hit.end}"
        click.echo(f"[{rank}] {hit.title} — {where}")
        first = first_of.setdefault(hit.story or hit.article_id, rank)
        if first != rank and hits[first - 1].article_id != hit.article_id:
            click.echo(f"    the same story as [{first}], from another outlet or article")
        elif first == rank and len(hit.outlets) > 1:
            click.echo(f"    one story, reported by {', '.join(hit.outlets)}")
        click.echo(f"    {hit.text}\n")
    articles = {(h.story or h.article_id, h.article_id) for h in hits}
    if len(first_of) < len({a for _, a in articles}):  # articles of one story among the results
        click.echo(f"{len(hits)} passages from {len(first_of)} stor{'y' if len(first_of) == 1 else 'ies'}")


# What ``ask`` prints on stderr as the answer pipeline reaches each stage (with a model).
ASK_STEPS = {
    "retrieving": "searching the articles",
    "checking": "the model reads the candidate sentences",
    "writing": "the model writes",
    "rendering": "rendering the quote in English and tracing each word",
}


@main.command()
@click.argument("question")
@click.option("--llm", "backend", type=click.Choice(BACKENDS), default=None)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@friendly_errors
def ask(question: str, backend: Backend | None, store: str | None, as_json: bool) -> None:
    """Answer QUESTION from the articles, with its verification state and cited quotes."""
    from assistant.assistant import check_question

    started = time.perf_counter()  # the footer's time is what the user waited: models loading included
    check_question(question)
    assistant = common.open_assistant(store)
    backend = backend or assistant.settings.llm.backend
    steps = common.Steps("answering", enabled=backend != "extractive")  # a model: seconds to load, then to write
    if backend == "local":
        steps("loading the local model")
    answer = None
    for event in assistant.stream(question, backend=backend):
        if isinstance(event, StatusEvent) and event.stage in ASK_STEPS:
            steps(ASK_STEPS[event.stage])
        elif isinstance(event, AnswerEvent):
            answer = event.answer
    assert answer is not None  # every stream ends with its answer
    if as_json:
        data = {
            "question": answer.question,
            "standalone_question": answer.standalone_question,
            "text": answer.text,
            "state": answer.state,
            "verified": answer.verified,
            "abstained": answer.abstained,
            "sentences": [s.to_dict() | {"raw": s.raw} for s in answer.sentences],
            "citations": [c.to_dict() for c in answer.citations],
            "removed": answer.removed,
            "timings": answer.timings,
            "seconds": answer.seconds,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=jsonable))
        return
    click.echo(answer.text)
    for s in (s for s in answer.sentences if s.trace):  # a rendering, word by word to its quote
        links = (f"{word} ← {source or '? (untraced)'}" for word, source in s.sources(answer.citations[0].quote))
        click.echo("  word by word: " + "; ".join(links))
        if s.state == "draft" and s.reasons:
            click.echo("  not checked: " + "; ".join(s.reasons))
    click.echo(f"\n[{answer.state}] backend {answer.backend}, {time.perf_counter() - started:.1f} s")
    for c in answer.citations:
        when = c.passage.published.isoformat() if c.passage.published else "date unknown"
        page = f", p. {c.page}" if c.page else ""
        also = f"; reported by {', '.join(c.passage.outlets)}" if len(c.passage.outlets) > 1 else ""
        where = f"{c.passage.source}, {when}{page}, chars {c.quote_start}–{c.quote_end}{also}"
        click.echo(f"[{c.n}] {c.passage.title} — {where}")
    for removed in answer.removed:
        click.echo(f"removed by the checks: {removed}")


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def sources(store: str | None, as_json: bool) -> None:
    """List the ingested articles (a store that does not exist is an error; an empty one lists nothing)."""
    from assistant.errors import EmptyStoreError

    assistant = common.open_assistant(store)
    infos = assistant.articles()
    if as_json:
        click.echo(json.dumps([asdict(i) for i in infos], ensure_ascii=False, indent=2, default=jsonable))
        return
    if not infos:
        click.echo(f"Note: {EmptyStoreError(assistant.settings.vectorstore_dir)}", err=True)
    for info in infos:
        when = info.published.isoformat() if info.published else "----------"
        click.echo(f"{when}  {info.source:<12} {info.n_chunks:>3} chunks  {info.title}")


@main.command()
@click.option("--topic", default=None, help="What the briefing is about (default: all articles).")
@click.option("--article", "articles", multiple=True, metavar="ID", help="Only these article ids (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Published on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Published on or before.")
@click.option("--language", type=click.Choice(["en", "ar"]), default="en", show_default=True)
@click.option(
    "--llm",
    "backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="Who renders Arabic quotes in English (default: extractive, none, as in the UI; local: a model call "
    "each, with progress on stderr).",
)
@click.option("--max-articles", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option(
    "-o", "--out", default=None, metavar="FILE", help="Write .md, .html or .json (default: Markdown on stdout)."
)
@store_option
@friendly_errors
def brief(
    topic: str | None,
    articles: tuple[str, ...],
    since: Any,
    until: Any,
    language: str,
    backend: Backend | None,
    max_articles: int,
    out: str | None,
    store: str | None,
) -> None:
    """A cited briefing: summary, who said what, timeline, disputed points, open questions."""
    from assistant.errors import SettingsError

    suffix = Path(out).suffix.lower() if out else ".md"
    if suffix not in (".md", ".html", ".json"):
        raise SettingsError(f"-o {out}: give a file ending in .md, .html or .json.")
    assistant = common.open_assistant(store)
    backend = backend or assistant.settings.briefing.backend
    briefing = assistant.brief(
        topic,
        articles=list(articles) or None,
        since=since.date() if since else None,
        until=until.date() if until else None,
        language=language,
        backend=backend,
        max_articles=max_articles,
        progress=common.Steps("briefing", enabled=backend != "extractive" and language == "en"),
    )
    if suffix == ".json":
        text = json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2)
    else:
        text = briefing.to_html() if suffix == ".html" else briefing.to_markdown()
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(
            f"{out}: {len(briefing.articles)} articles, {len(briefing.statements)} statements, "
            f"{len(briefing.citations)} citations",
            err=True,
        )
    else:
        click.echo(text)


@main.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 7860).")
@store_option
@friendly_errors
def serve(host: str | None, port: int | None, store: str | None) -> None:
    """Start the chat UI in the browser (loads the models first, then prints the address)."""
    from assistant.ui.app import serve as serve_ui

    click.echo("Loading the models…", err=True)
    assistant = common.open_assistant(store)
    assistant.require_articles()
    serve_ui(assistant, host, port)


main.add_command(evaluate)
main.add_command(eval_compare)
main.add_command(watch)
