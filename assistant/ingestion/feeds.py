"""RSS 2.0 and Atom feeds into articles, one an entry (feedparser).

An entry that carries its full text (``content:encoded``, Atom ``content``, or a long enough
``description``) becomes an article from that text; one that carries only a summary has its
page fetched (``web``) and the page becomes the article. Either way the article is keyed by the
entry's canonical page URL (so the same story reached by a feed and by its URL is one article),
takes the entry's date when the page gives none, and its outlet is the page's site name or the
feed's title. Each entry has a ``fingerprint`` (a hash of its id, link, title, text and update
time) so that an entry seen before and unchanged is skipped without fetching its page
(``storage.feeds``).

Entry text is untrusted: the HTML of an entry is reduced to its text (no script, style, or
markup survives), and its link is only ever fetched over http(s).

Deliberately not here: fetching (``fetching``), remembering what was seen (``storage.feeds``),
scheduling (``watching``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import FetchError, IngestError
from assistant.ingestion.fetching import Fetched, Fetcher, is_url
from assistant.ingestion.reading import make_article
from assistant.ingestion.web import article_from_page, normalise_url
from assistant.records import Article, IngestFailure, content_hash
from assistant.storage.feeds import EntryMark, FeedStates

# An entry whose own text is at least this long is the article; a shorter one is a summary.
FULL_TEXT_CHARS = 500
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as read (text already reduced from HTML)."""

    key: str  # its guid (Atom id), else its link
    link: str | None
    title: str
    published: date | None
    text: str  # the full text when the entry has it, else its summary
    full: bool  # whether ``text`` is the article (else the page must be fetched)
    author: str | None
    fingerprint: str


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, its entries, and a note when it was not well-formed."""

    title: str
    entries: list[FeedEntry]
    note: str | None = None


def looks_like_feed(fetched: Fetched) -> bool:
    """Whether a response is a feed: served as one, or XML whose first element is rss, feed or RDF."""
    if fetched.kind == "feed":
        return True
    head = fetched.body.lstrip()[:1024].lower()
    return fetched.kind == "xml" and (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head)


def parse_feed(fetched: Fetched) -> Feed:
    """The entries of an RSS or Atom response; ``FetchError`` when it is no readable feed."""
    import feedparser

    parsed: Any = feedparser.parse(fetched.body, response_headers={"content-location": fetched.final_url})
    problem = str(getattr(parsed, "bozo_exception", "") or "")
    if not parsed.version and not parsed.entries:
        raise FetchError(
            fetched.url,
            f"is not a readable RSS or Atom feed ({problem or 'no feed element'}); check the address",
            fetched.status,
        )
    title = " ".join(str(parsed.feed.get("title", "")).split())[:200]
    entries = [e for e in (_entry(raw) for raw in parsed.entries) if e is not None]
    note = f"the feed is not well-formed ({problem}); {len(entries)} entries read anyway" if parsed.bozo else None
    return Feed(title, entries, note)


def _entry(raw: Any) -> FeedEntry | None:
    link = str(raw.get("link") or "").strip() or None
    key = str(raw.get("id") or link or "").strip()
    if not key:
        return None
    content = " ".join(str(c.get("value", "")) for c in raw.get("content", []) or [])
    summary = str(raw.get("summary") or "")
    text = html_to_text(content) if content.strip() else html_to_text(summary)
    keys = set(raw.keys())  # ``raw.get("updated")`` would fall back to "published" with a warning
    when = raw.get("published_parsed") or (raw["updated_parsed"] if "updated_parsed" in keys else None)
    published = datetime.fromtimestamp(calendar.timegm(when), UTC).date() if when else None
    title = " ".join(html_to_text(str(raw.get("title") or "")).split())[:300]
    updated = str((raw["updated"] if "updated" in keys else None) or raw.get("published") or "")
    return FeedEntry(
        key=key,
        link=link,
        title=title,
        published=published,
        text=text,
        full=len(text) >= (FULL_TEXT_CHARS if content.strip() else 2 * FULL_TEXT_CHARS),
        author=str(raw.get("author") or "").strip() or None,
        fingerprint=content_hash(key, link or "", title, text, updated),
    )


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment, a line a block; scripts and styles dropped, nothing kept as markup.

    >>> html_to_text("<p>One <b>bold</b> word.</p><script>alert(1)</script><p>Two &amp; three</p>")
    'One bold word.\\nTwo & three'
    """
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript|//iframe|//object"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def entry_article(entry: FeedEntry, feed: Feed, fetcher: Fetcher, feed_url: str) -> Article:
    """The article of an entry: its own full text, else its page fetched and read."""
    if entry.full or not entry.link:
        if not entry.text.strip():
            raise IngestError(entry.key, f"the entry has no text and no link to fetch (in {feed_url})")
        key = normalise_url(entry.link) if entry.link and is_url(entry.link) else f"{feed_url}#{entry.key}"
        return make_article(
            key=key, text=entry.text, title=entry.title or None, source=feed.title, url=entry.link,
            published=entry.published, author=entry.author, origin=entry.link or entry.key,
        )  # fmt: skip
    if not is_url(entry.link):
        raise FetchError(entry.link, f"the entry's link is not an http(s) address (in {feed_url}); not fetched")
    article = article_from_page(fetcher.get(entry.link))
    changes: dict[str, Any] = {}
    if article.published is None and entry.published is not None:
        changes["published"] = entry.published
    if not article.source or article.source == (_host(article.key)):
        changes["source"] = feed.title or article.source
    return replace(article, **changes) if changes else article


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


@dataclass
class FeedRead:
    """What one read of a feed gave: new entries' articles (with the marks to record once they are
    committed), entries skipped as seen, failures, and whether the read was complete (its
    validators may be kept: no entry failed in a way worth retrying)."""

    url: str
    fetched: Fetched
    feed: Feed
    articles: list[tuple[EntryMark, Article]] = field(default_factory=list)
    skipped: list[EntryMark] = field(default_factory=list)
    failures: list[IngestFailure] = field(default_factory=list)
    gave_up: list[EntryMark] = field(default_factory=list)  # failed for good: recorded, not retried
    complete: bool = True


def read_feed(url: str, fetched: Fetched, states: FeedStates, fetcher: Fetcher) -> FeedRead:
    """Every entry of a fetched feed not seen before, as an article (pages fetched as needed)."""
    read = FeedRead(url, fetched, parse_feed(fetched))
    for entry in read.feed.entries:
        mark = EntryMark(url, entry.key, entry.link, entry.fingerprint)
        earlier = states.seen(url, entry.key, entry.link, entry.fingerprint)
        if earlier is not None:
            read.skipped.append(earlier)
            continue
        try:
            read.articles.append((mark, entry_article(entry, read.feed, fetcher, url)))
        except IngestError as exc:
            read.failures.append(IngestFailure(exc.path, exc.reason))
            if isinstance(exc, FetchError) and exc.retryable:
                read.complete = False  # a timeout or a server error: try the entry again next time
            else:
                read.gave_up.append(replace(mark, error=exc.reason))
    return read
