"""What the catalog remembers of feeds: per feed, its validators and its health; per entry, that it
was ingested (or failed for good), so the next fetch skips it.

Two tables in the catalog's SQLite file (``catalog.sqlite``), opened on their own connection:

- ``feeds``: the URL, the ``ETag`` and ``Last-Modified`` of the last complete read (sent back as
  a conditional request), the consecutive failures and when to try again (back-off), the last
  error, when it was last checked, its title.
- ``feed_entries``: per feed and entry key (guid, else link), the entry's link, its fingerprint
  and the article it became (none when it failed for good, with the reason).

An entry is recorded only after its article is committed, and a feed's validators only after
all its entries are: a process killed in between fetches the feed again and skips what is in,
so nothing is lost and nothing is ingested twice.

Deliberately not here: parsing feeds (``ingestion.feeds``), scheduling (``ingestion.watching``).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    last_error TEXT,
    last_checked TEXT,
    title TEXT
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_url TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    link TEXT,
    fingerprint TEXT NOT NULL,
    article_id TEXT,
    error TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_url, entry_key)
);
CREATE INDEX IF NOT EXISTS feed_entries_link ON feed_entries(link);
"""


@dataclass(frozen=True)
class FeedRecord:
    """A feed's remembered state."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_try: datetime | None = None
    last_error: str | None = None
    last_checked: datetime | None = None
    title: str | None = None


@dataclass(frozen=True)
class EntryMark:
    """An entry to remember: ingested as ``article_id``, or failed for good with ``error``."""

    feed_url: str
    key: str
    link: str | None
    fingerprint: str
    article_id: str | None = None
    error: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class FeedStates:
    """The feed tables of a catalog file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, url: str) -> FeedRecord:
        """A feed's state (a fresh record for a feed never seen)."""
        with self._lock:
            row = self._db.execute(
                "SELECT url, etag, last_modified, failures, next_try, last_error, last_checked, title "
                "FROM feeds WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return FeedRecord(url)
        return FeedRecord(row[0], row[1], row[2], row[3], _time(row[4]), row[5], _time(row[6]), row[7])

    def feeds(self) -> list[FeedRecord]:
        """Every feed the store has read, by URL."""
        with self._lock:
            urls = [r[0] for r in self._db.execute("SELECT url FROM feeds ORDER BY url")]
        return [self.get(url) for url in urls]

    def seen(self, feed_url: str, key: str, link: str | None, fingerprint: str) -> EntryMark | None:
        """The record of an entry with this fingerprint, under its key in this feed or by its link in
        any feed (a story syndicated in two feeds is fetched once); None when it is new or changed."""
        with self._lock:
            row = self._db.execute(
                "SELECT feed_url, entry_key, link, fingerprint, article_id, error FROM feed_entries "
                "WHERE fingerprint = ? AND ((feed_url = ? AND entry_key = ?) OR (link IS NOT NULL AND link = ?)) "
                "LIMIT 1",
                (fingerprint, feed_url, key, link),
            ).fetchone()
        return EntryMark(*row) if row else None

    def mark(self, marks: list[EntryMark]) -> None:
        """Record entries as done (in one transaction)."""
        now = _now().isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO feed_entries VALUES (?,?,?,?,?,?,?)",
                    [(m.feed_url, m.key, m.link, m.fingerprint, m.article_id, m.error, now) for m in marks],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def succeeded(self, url: str, *, etag: str | None, last_modified: str | None, title: str | None) -> None:
        """A complete read (or a 304): keep its validators, clear the failures."""
        self._upsert(url, etag=etag, last_modified=last_modified, failures=0, next_try=None, last_error=None,
                     title=title)  # fmt: skip

    def unchanged(self, url: str) -> None:
        """A 304: the validators hold; clear the failures."""
        record = self.get(url)
        self.succeeded(url, etag=record.etag, last_modified=record.last_modified, title=record.title)

    def failed(self, url: str, error: str, *, base: float, cap: float) -> FeedRecord:
        """One more failure: wait ``base`` seconds doubled per consecutive failure, at most ``cap``."""
        record = self.get(url)
        failures = record.failures + 1
        wait = min(cap, base * 2 ** (failures - 1))
        self._upsert(url, etag=record.etag, last_modified=record.last_modified, failures=failures,
                     next_try=_now() + timedelta(seconds=wait), last_error=error, title=record.title)  # fmt: skip
        return self.get(url)

    def _upsert(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        failures: int,
        next_try: datetime | None,
        last_error: str | None,
        title: str | None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO feeds VALUES (?,?,?,?,?,?,?,?)",
                (url, etag, last_modified, failures, next_try.isoformat() if next_try else None, last_error,
                 _now().isoformat(timespec="seconds"), title),
            )  # fmt: skip
