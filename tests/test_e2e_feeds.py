"""End to end, feeds and the watcher (real e5 model, real Chroma, a real HTTP server on 127.0.0.1):
RSS and Atom entries in Arabic and English are ingested and found with their URL; bad feeds and
entries are named and the rest goes on; ``briefing watch`` runs three cycles (the second fetches
nothing new, answered 304; an item added before the third is ingested in it; a failing feed does
not stop the others); ``kill -9`` in the middle of a cycle loses nothing on the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from localweb import (
    AR_FULL_TITLE,
    EN_FULL_TITLE,
    NEW_ITEM_TITLE,
    LocalWeb,
    Route,
    Seen,
    add_new_item,
    install_feeds,
    page_html,
    rss,
    serving,
)
from test_e2e_crash import _check_consistent

from assistant import Assistant, Settings
from assistant.settings import FetchSettings

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).parent / "briefing"
ENV = {**os.environ, "BRIEFING_FETCH__READ_TIMEOUT": "1", "BRIEFING_FETCH__TOTAL_TIMEOUT": "10"}


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with serving() as server:
        install_feeds(server)
        yield server


def test_feed_entries_are_found_with_their_urls_and_bad_feeds_named(web: LocalWeb, tmp_path: Path) -> None:
    a = Assistant(Settings(vectorstore_dir=tmp_path / "store", fetch=FetchSettings(read_timeout=1.0)))
    feeds = ["/feeds/arabic.rss", "/feeds/broken.xml", "/error", "/stall", "/feeds/world.atom"]
    report = a.ingest([web.url(p) for p in feeds])
    assert len(report.added) == 5
    failed = {f.path: f.reason for f in report.failed}
    assert set(failed) == {web.url(p) for p in ("/feeds/broken.xml", "/error", "/stall", "/missing", "/binary.html")}
    assert failed[web.url("/feeds/broken.xml")].startswith("is not a readable RSS or Atom feed (")
    assert failed[web.url("/stall")].startswith("the server sent nothing for 1 s (timed out)")

    gaza = a.ask("ماذا قال مندوب الجزائر في مجلس الأمن؟", backend="extractive")
    assert gaza.citations and gaza.citations[0].passage.title == AR_FULL_TITLE
    assert gaza.citations[0].passage.url == web.url("/news/gaza") and "مندوب الجزائر" in gaza.citations[0].quote
    [rates] = a.search("What rate did the central bank hold?", k=1)
    assert (rates.title, rates.url, rates.source) == (EN_FULL_TITLE, web.url("/news/rates"), "World Wire")
    [rubio] = a.search("ماذا قال روبيو لروسيا؟", k=1)
    assert rubio.url == web.url("/news/rubio") and str(rubio.published) == "2025-04-04"
    a.close()


def _watch(store: Path, feeds: list[str], *extra: str) -> list[str]:
    args = [str(BRIEFING), "watch", "--store", str(store), *(a for f in feeds for a in ("--feed", f)), *extra]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, env=ENV, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_briefing_watch_three_cycles(web: LocalWeb, tmp_path: Path) -> None:
    def new_item_after_second_read(seen: Seen, server: LocalWeb) -> None:
        if seen.path == "/feeds/arabic.rss" and len(server.requests_to("/feeds/arabic.rss")) == 2:
            add_new_item(server)  # before the third cycle

    web.after = new_item_after_second_read
    feeds = [web.url(p) for p in ("/feeds/arabic.rss", "/error", "/feeds/world.atom", "/feeds/broken.xml")]
    lines = _watch(tmp_path / "store", feeds, "--every", "1s", "--cycles", "3")

    counts = [line.split(" ", 1)[1].split(" (")[0] for line in lines]
    assert counts == [
        "cycle 1: 5 new, 0 unchanged, 4 failed",  # 404 and binary entries; the 500 feed; the malformed feed
        "cycle 2: 0 new, 2 unchanged, 0 failed",  # both feeds answer 304; the failing ones are waiting
        "cycle 3: 1 new, 4 unchanged, 0 failed",  # the new item, the rest seen
    ]
    assert "(4 feeds, 0 waiting," in lines[0] and "(4 feeds, 2 waiting," in lines[1]
    assert f"{web.url('/error')}: the server answered 500 Internal Server Error; try again later" in lines[0]
    for path in ("/feeds/arabic.rss", "/feeds/world.atom"):
        requests = web.requests_to(path)
        assert [r.status for r in requests] == ([200, 304, 200] if path.endswith("rss") else [200, 304, 304])
        assert all("If-None-Match" in r.headers and "If-Modified-Since" in r.headers for r in requests[1:])
    assert len(web.requests_to("/error")) == 1  # backing off: not asked again within the minute
    assert len(web.requests_to("/news/beirut.html")) == 1  # a seen entry's page is never fetched again

    a = Assistant(Settings(vectorstore_dir=tmp_path / "store"), create=False)
    quake = a.ask("ما قوة الزلزال الذي ضرب جنوب تركيا؟", backend="extractive")
    assert quake.citations[0].passage.title == NEW_ITEM_TITLE
    assert quake.citations[0].passage.url == web.url("/news/quake")
    assert {f.url for f in a.feeds()} == set(feeds)
    a.close()


N_PAGES = 24


def test_watch_killed_mid_cycle_loses_nothing(web: LocalWeb, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (ROOT / "evals" / "antnews" / "news_sample_2000.jsonl").open(encoding="utf-8")]
    items = []
    for i, row in enumerate(rows[:N_PAGES]):
        web.routes[f"/ant/{i}"] = Route(page_html(row["title"], row["text"], site=row["src"]).encode(), stall=0.2)
        items.append({"title": row["title"], "link": web.url(f"/ant/{i}"), "guid": f"ant-{i}", "summary": row["title"]})
    web.routes["/feeds/ant.rss"] = Route(rss(items, title="ANT"), content_type="application/rss+xml", conditional=True)
    store = tmp_path / "store"
    env = {**ENV, "BRIEFING_INGEST__BATCH_CHUNKS": "8"}  # commits every few articles: the kill lands between some
    command = [str(BRIEFING), "watch", "--store", str(store), "--feed", web.url("/feeds/ant.rss"), "--cycles", "1"]
    with (tmp_path / "watch.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 300
        while sum(s.path.startswith("/ant/") for s in web.seen) < N_PAGES // 2:
            assert process.poll() is None, (tmp_path / "watch.log").read_text()[-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL

    a = Assistant(Settings(vectorstore_dir=store), create=False)
    survived = _check_consistent(a)  # whole articles only: vectors and catalog rows agree
    assert len(survived) < N_PAGES
    a.close()

    [line] = _watch(store, [web.url("/feeds/ant.rss")], "--cycles", "1")
    assert line.split(" ", 1)[1].startswith(
        f"cycle 1: {N_PAGES - len(survived)} new, {len(survived)} unchanged, 0 failed"
    )
    b = Assistant(Settings(vectorstore_dir=store), create=False)
    final = _check_consistent(b)
    assert len(final) == N_PAGES and survived <= final
    assert sorted(i.key for i in b.articles()) == sorted(web.url(f"/ant/{i}") for i in range(N_PAGES))  # each once
    b.close()
