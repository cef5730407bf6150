"""``briefing watch``: follow feeds, one line a cycle."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from assistant.cli import common
from assistant.cli.common import friendly_errors, store_option


@click.command()
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="A feed to follow (repeatable).")
@click.option("--feeds", "feed_file", default=None, metavar="FILE", help='A TOML file: feeds = ["https://…", …].')
@click.option("--every", default=None, metavar="TIME", help="Time between cycles: 30s, 15m, 2h (default 15m).")
@click.option("--cycles", type=click.IntRange(1), default=None, help="Stop after this many cycles (default: never).")
@store_option
@friendly_errors
def watch(
    feeds: tuple[str, ...], feed_file: str | None, every: str | None, cycles: int | None, store: str | None
) -> None:
    """Follow RSS or Atom feeds (given, or those the store follows already, e.g. added in the UI).
    Each cycle reads them with conditional requests (a feed that has not changed costs a 304),
    ingests the entries not seen before, and prints one line: new, unchanged, failed. A failing
    feed is left alone for a while (doubling), the others go on. Ctrl+C (or a kill) stops it at any
    moment: whole articles are kept, and the next run goes on from there.

    \b
        briefing watch --feed https://www.bbc.com/arabic/index.xml --every 15m
        briefing watch --feeds feeds.toml --cycles 1      # one read, e.g. from cron
    """
    from assistant.assistant import parse_every, read_feed_list

    urls = list(feeds) + (read_feed_list(Path(feed_file)) if feed_file else [])
    assistant = common.open_assistant(store, create=True)
    urls = urls or [f.url for f in assistant.feeds()]  # none given: the feeds this store follows
    seconds = parse_every(every) if every else assistant.settings.watch.every

    def log(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    watcher = assistant.watcher(urls, log=log)
    stop = threading.Event()

    def stop_softly(signum: int, frame: FrameType | None) -> None:
        stop.set()  # between cycles: stop waiting; inside one, the batch under way still commits or rolls back

    signal.signal(signal.SIGTERM, stop_softly)
    click.echo(f"watching {len(watcher.feeds)} feeds every {seconds:g} s; Ctrl+C stops", err=True)
    try:
        watcher.run(seconds, cycles, stop)
    except KeyboardInterrupt:
        articles, _ = assistant.catalog.counts()
        click.echo(f"Stopped: the store holds {articles} whole articles; the next run goes on from here.", err=True)
        sys.exit(130)
