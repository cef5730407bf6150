"""Feeds (``ingestion/feeds.py``), their state (``storage/feeds.py``) and the watcher
(``ingestion/watching.py``), with the hash embedder against the local HTTP server (and
MockTransport where a fake is clearer): entries into articles, pages fetched for summaries, seen
entries skipped, conditional requests, back-off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from localweb import (
    AR_FULL_TITLE,
    AR_PAGE_TITLE,
    CP1256_TITLE,
    EN_FULL_TITLE,
    EN_PAGE_TITLE,
    NEW_ITEM_TITLE,
    LocalWeb,
    add_new_item,
    atom,
    install_feeds,
    rss,
    serving,
)

from assistant import Assistant, Settings
from assistant.errors import FetchError, SettingsError
from assistant.ingestion.feeds import html_to_text, parse_feed
from assistant.ingestion.fetching import Fetched
from assistant.ingestion.watching import parse_every, read_feed_list
from assistant.settings import FetchSettings, WatchSettings
from assistant.testing import HashEmbedder


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with serving() as server:
        install_feeds(server)
        yield server


@pytest.fixture
def a(tmp_path: Path) -> Iterator[Assistant]:
    settings = Settings(
        vectorstore_dir=tmp_path / "store",
        cache_dir=tmp_path / "cache",
        fetch=FetchSettings(read_timeout=1.0, total_timeout=5.0),
        watch=WatchSettings(backoff=60, max_backoff=3600),
    )
    assistant = Assistant(settings, embedder=HashEmbedder())
    yield assistant
    assistant.close()


def _fetched(body: bytes, kind: str = "feed") -> Fetched:
    return Fetched("http://news.test/feed", "http://news.test/feed", 200, kind, "application/rss+xml", None, body)


def test_rss_and_atom_entries_are_read_with_their_guid_link_date_and_text() -> None:
    feed = parse_feed(_fetched(rss([
        {"title": "<b>عنوان</b>", "link": "http://news.test/a", "guid": "g-1", "date": "Fri, 04 Apr 2025 10:00:00 GMT",
         "summary": "<p>ملخص قصير</p>"},
    ], title="أخبار")))  # fmt: skip
    [entry] = feed.entries
    assert (feed.title, entry.key, entry.link, entry.title, str(entry.published), entry.text, entry.full) == (
        "أخبار", "http://news.test/g-1", "http://news.test/a", "عنوان", "2025-04-04", "ملخص قصير", False
    )  # fmt: skip
    feed = parse_feed(_fetched(atom([
        {"title": "Rates", "id": "urn:x", "link": "http://news.test/r", "updated": "2025-04-03T12:00:00Z",
         "content": "Word " * 120},
    ])))  # fmt: skip
    [entry] = feed.entries
    assert (entry.key, entry.link, str(entry.published), entry.full) == (
        "urn:x",
        "http://news.test/r",
        "2025-04-03",
        True,
    )


@pytest.mark.parametrize(
    "body",
    [b"<html><body><h1>503</h1> Service unavailable", b"not xml at all", b'{"items": []}'],
)
def test_what_is_no_feed_is_named(body: bytes) -> None:
    with pytest.raises(FetchError) as info:
        parse_feed(_fetched(body))
    assert info.value.reason.startswith("is not a readable RSS or Atom feed (")
    assert info.value.reason.endswith("); check the address")


def test_entry_html_is_reduced_to_text() -> None:
    markup = '<p>Hello <a href="javascript:x()">there</a></p><script>steal()</script><style>p{}</style><p>Bye</p>'
    assert html_to_text(markup) == "Hello there\nBye"
    assert html_to_text("Plain & simple") == "Plain & simple"


def test_a_feed_by_ingest_reads_every_entry_and_names_the_bad_ones(web: LocalWeb, a: Assistant) -> None:
    report = a.ingest([web.url("/feeds/arabic.rss"), web.url("/feeds/world.atom")])
    assert len(report.added) == 5
    assert {f.path: f.reason for f in report.failed} == {
        web.url("/missing"): "the server answered 404 Not Found; check the address",
        web.url(
            "/binary.html"
        ): "is served as text/html but its body is binary (NUL bytes), not text; check the address",
    }
    infos = {i.title: i for i in a.articles()}
    assert set(infos) == {AR_PAGE_TITLE, CP1256_TITLE, AR_FULL_TITLE, EN_PAGE_TITLE, EN_FULL_TITLE}
    rubio, gaza = infos[AR_PAGE_TITLE], infos[AR_FULL_TITLE]
    assert (rubio.key, rubio.source, str(rubio.published)) == (
        web.url("/news/rubio"),
        "Local Arabic News",
        "2025-04-04",
    )
    assert (gaza.key, gaza.source, str(gaza.published), gaza.url) == (
        web.url("/news/gaza"), "أخبار محلية", "2025-04-02", web.url("/news/gaza")
    )  # the entry's own text: no page fetched  # fmt: skip
    assert web.requests_to("/news/gaza") == []
    assert "alert" not in (a.article_text(gaza.article_id) or "")
    assert infos[EN_FULL_TITLE].source == "World Wire"


def test_seen_entries_are_skipped_without_fetching_their_pages(web: LocalWeb, a: Assistant) -> None:
    a.ingest([web.url("/feeds/arabic.rss")])
    pages_before = len(web.requests_to("/news/beirut.html"))
    again = a.ingest([web.url("/feeds/arabic.rss")])
    assert (len(again.added), len(again.unchanged), again.failed) == (0, 3, [])  # dead links recorded, not retried
    assert len(web.requests_to("/news/beirut.html")) == pages_before


def test_a_page_reached_by_a_feed_and_by_its_url_is_one_article(web: LocalWeb, a: Assistant) -> None:
    first = a.ingest([web.url("/news/rubio.html")])
    report = a.ingest([web.url("/feeds/arabic.rss")])
    assert first.added[0] in report.unchanged and len(report.added) == 2
    assert sum(i.title == AR_PAGE_TITLE for i in a.articles()) == 1


def test_watch_cycles_use_conditional_requests_back_off_and_pick_up_new_items(web: LocalWeb, a: Assistant) -> None:
    lines: list[str] = []
    feeds = [web.url(p) for p in ("/feeds/arabic.rss", "/error", "/feeds/world.atom", "/feeds/broken.xml")]
    watcher = a.watcher(feeds, log=lines.append)
    first = watcher.cycle()
    assert (first.new, first.feeds, len(first.waiting)) == (5, 4, 0)
    assert {url for url, _ in first.failures} >= {web.url("/error"), web.url("/feeds/broken.xml")}

    second = watcher.cycle()
    assert (second.new, second.failed, sorted(second.waiting)) == (
        0,
        0,
        sorted([web.url("/error"), web.url("/feeds/broken.xml")]),
    )
    for path in ("/feeds/arabic.rss", "/feeds/world.atom"):
        first_request, second_request = web.requests_to(path)
        assert "If-None-Match" not in first_request.headers and second_request.status == 304
        assert second_request.headers["If-None-Match"] and second_request.headers["If-Modified-Since"]
    assert len(web.requests_to("/error")) == 1  # left alone while it backs off

    add_new_item(web)
    third = watcher.cycle()
    assert third.new == 1 and NEW_ITEM_TITLE in {i.title for i in a.articles()}
    assert [line.split(" ", 1)[1].split(" (")[0] for line in lines] == [
        "cycle 1: 5 new, 0 unchanged, 4 failed",
        "cycle 2: 0 new, 2 unchanged, 0 failed",
        "cycle 3: 1 new, 4 unchanged, 0 failed",
    ]
    error = next(f for f in a.feeds() if f.url == web.url("/error"))
    assert error.failures == 1 and error.last_error == "the server answered 500 Internal Server Error; try again later"


def test_backoff_doubles_and_is_capped(tmp_path: Path) -> None:
    from assistant.storage.feeds import FeedStates

    states = FeedStates(tmp_path / "catalog.sqlite")
    waits = []
    for _ in range(5):
        record = states.failed("http://x/feed", "down", base=60, cap=300)
        assert record.next_try is not None and record.last_checked is not None
        waits.append(round((record.next_try - record.last_checked).total_seconds() / 60))
    assert waits == [1, 2, 4, 5, 5]
    states.unchanged("http://x/feed")
    assert states.get("http://x/feed").failures == 0


def test_every_and_feed_lists(tmp_path: Path) -> None:
    assert [parse_every(v) for v in ("30s", "15m", "2h", "45")] == [30.0, 900.0, 7200.0, 45.0]
    for bad in ("soon", "0", "-5m"):
        with pytest.raises(SettingsError):
            parse_every(bad)
    path = tmp_path / "feeds.toml"
    path.write_text('feeds = ["https://a.example/rss"]\n[[feed]]\nurl = "https://b.example/atom"\n', encoding="utf-8")
    assert read_feed_list(path) == ["https://a.example/rss", "https://b.example/atom"]
    path.write_text("nothing = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="no feed in it"):
        read_feed_list(path)


def test_a_feed_entry_linking_to_a_file_is_not_read(a: Assistant) -> None:
    feed = rss([{"title": "x", "link": "file:///etc/passwd", "guid": "1", "summary": "short"}])
    a.indexer.transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=feed, headers={"Content-Type": "application/rss+xml"})
    )
    report = a.ingest(["http://news.test/feed"])
    assert [(f.path, f.reason) for f in report.failed] == [
        ("file://etc/passwd", "the entry's link is not an http(s) address (in http://news.test/feed); not fetched")
    ]


def test_the_ui_adds_a_feed_or_a_page_by_its_address(web: LocalWeb, a: Assistant) -> None:
    from assistant.ui.sources import add_address

    message = add_address(a, web.url("/feeds/world.atom"))
    assert message.startswith(f"- Read {web.url('/feeds/world.atom')}: added 2, unchanged 0, replaced 0, failed 0")
    assert "It is a feed: `briefing watch` follows it." in message
    assert add_address(a, web.url("/missing")) == (
        f"- Read {web.url('/missing')}: added 0, unchanged 0, replaced 0, failed 1 (0 chunks).\n"
        f"- {web.url('/missing')}: the server answered 404 Not Found; check the address"
    )
    assert add_address(a, "/etc/passwd").startswith("- Give an address starting with https://")
    assert add_address(a, "  ").startswith("- Paste the address")
    assert [f.url for f in a.feeds()] == [web.url("/feeds/world.atom")]
