"""Following feeds: read each one every so often, ingest what is new, say so in one line a cycle.

A ``Watcher`` runs cycles. A cycle reads every feed that is due with a conditional request (the
``ETag`` and ``Last-Modified`` the catalog kept: a feed that has not changed answers 304 and costs
nothing), ingests the entries not seen before (``Indexer.follow``), and logs one line: how many
articles are new, how many entries and feeds were unchanged, how many failed, and which feeds
failed and why. A feed that fails (a 500, a timeout, a malformed feed) is left alone for a while,
doubling after each further failure (``settings.watch.backoff`` up to ``max_backoff``), and the
other feeds go on. State lives in the catalog, so a new process takes over where the last one
stopped; stopping at any moment is safe (an interrupted batch is rolled back to whole articles,
and entries are recorded only after their articles are committed).

Deliberately not here: fetching and parsing (``fetching``, ``feeds``), the command line.
"""

from __future__ import annotations

import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import SettingsError
from assistant.ingestion.indexer import Indexer
from assistant.settings import WatchSettings


@dataclass
class CycleReport:
    """What one cycle did."""

    number: int
    new: int = 0  # articles added or replaced
    unchanged: int = 0  # feeds answering 304, and entries seen before
    failed: int = 0  # feeds and entries that failed
    feeds: int = 0
    waiting: list[str] = field(default_factory=list)  # feeds left alone after failing
    failures: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason)
    seconds: float = 0.0

    def line(self) -> str:
        """The cycle in one line, e.g. ``cycle 2: 0 new, 3 unchanged, 1 failed (3 feeds, 0 waiting, 0.4 s)``."""
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = (
            f"{when} cycle {self.number}: {self.new} new, {self.unchanged} unchanged, {self.failed} failed "
            f"({self.feeds} feeds, {len(self.waiting)} waiting, {self.seconds:.1f} s)"
        )
        if self.failures:
            line += "; " + "; ".join(f"{url}: {reason}" for url, reason in self.failures)
        return line


def parse_every(value: str) -> float:
    """Seconds from ``90``, ``30s``, ``15m``, ``2h``.

    >>> parse_every("15m"), parse_every("90"), parse_every("1.5h")
    (900.0, 90.0, 5400.0)
    """
    text = value.strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600}.get(text[-1:], 0)
    try:
        seconds = float(text[:-1] if scale else text) * (scale or 1)
    except ValueError:
        raise SettingsError(f"--every {value!r}: give seconds or a number with s, m or h (e.g. 15m)") from None
    if seconds <= 0:
        raise SettingsError(f"--every {value!r}: give a time greater than 0 (e.g. 15m)")
    return seconds


def read_feed_list(path: Path) -> list[str]:
    """The feed URLs of a TOML file: ``feeds = ["https://…", …]`` or ``[[feed]]`` tables with ``url``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f'--feeds {path}: cannot read it as TOML ({exc}); write feeds = ["https://…"]') from None
    urls = [str(u) for u in data.get("feeds", [])] + [str(t.get("url", "")) for t in data.get("feed", [])]
    urls = [u.strip() for u in urls if u.strip()]
    if not urls:
        raise SettingsError(f'--feeds {path}: no feed in it; write feeds = ["https://…"] or [[feed]] url = "…"')
    return list(dict.fromkeys(urls))


class Watcher:
    """Reads ``feeds`` in cycles through ``indexer``; ``log`` gets one line a cycle."""

    def __init__(
        self,
        indexer: Indexer,
        feeds: list[str],
        settings: WatchSettings,
        log: Callable[[str], None] = print,
    ) -> None:
        if not feeds:
            raise SettingsError("Give at least one feed to watch: --feed URL or --feeds feeds.toml")
        self.indexer = indexer
        self.feeds = list(dict.fromkeys(feeds))
        self.settings = settings
        self.log = log
        self.cycles = 0

    def cycle(self) -> CycleReport:
        """Read the feeds that are due once; log and return what happened."""
        started = time.perf_counter()
        self.cycles += 1
        report = CycleReport(self.cycles, feeds=len(self.feeds))
        now = datetime.now(UTC)
        due: list[str] = []
        for url in self.feeds:
            state = self.indexer.feeds.get(url)
            (report.waiting if state.next_try and state.next_try > now else due).append(url)
        ingested, outcomes = self.indexer.follow(due)
        report.new = len(ingested.added) + len(ingested.replaced)
        report.unchanged = len(ingested.unchanged) + sum(o == "unchanged" for o in outcomes.values())
        report.failed = len(ingested.failed)
        report.failures = [(f.path, f.reason) for f in ingested.failed]
        for url, outcome in outcomes.items():
            if outcome == "failed":
                reason = next((r for u, r in report.failures if u == url), "failed")
                self.indexer.feeds.failed(url, reason, base=self.settings.backoff, cap=self.settings.max_backoff)
        report.seconds = time.perf_counter() - started
        self.log(report.line())
        return report

    def run(self, every: float, cycles: int | None = None, stop: threading.Event | None = None) -> list[CycleReport]:
        """Cycles every ``every`` seconds until ``cycles`` are done or ``stop`` is set."""
        stop = stop or threading.Event()
        done: list[CycleReport] = []
        while not stop.is_set():
            done.append(self.cycle())
            if cycles is not None and len(done) >= cycles:
                break
            stop.wait(every)
        return done
