"""End to end, web pages (real e5 model, real Chroma, a real HTTP server on 127.0.0.1): good pages are
ingested and found with their URL; every bad address is reported with the URL and the reason and
the rest of the batch goes in; a changed page replaces its old version; the CLI says the same."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from localweb import (
    AR_PAGE_TEXT,
    AR_PAGE_TITLE,
    CP1256_TITLE,
    EN_PAGE_TITLE,
    LocalWeb,
    Route,
    install_pages,
    page_html,
    serving,
)

from assistant import Assistant, Settings
from assistant.settings import FetchSettings

pytestmark = pytest.mark.e2e

LIMITS = FetchSettings(read_timeout=1.0, connect_timeout=2.0, total_timeout=10.0, max_bytes=200_000, max_redirects=4)


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with serving() as server:
        install_pages(server)
        yield server


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    folder = tmp_path_factory.mktemp("web")
    a = Assistant(Settings(vectorstore_dir=folder / "store", fetch=LIMITS))
    yield a
    a.close()


BAD = {
    "/missing": "the server answered 404 Not Found; check the address",
    "/error": "the server answered 500 Internal Server Error; try again later",
    "/stall": "the server sent nothing for 1 s (timed out); try later, or raise BRIEFING_FETCH__READ_TIMEOUT",
    "/loop/a": "was redirected more than 4 times (a redirect loop?)",
    "/big.html": "the response is over the limit of 200,000 bytes (announced as",
    "/binary.html": "is served as text/html but its body is binary (NUL bytes), not text; check the address",
    "/photo.png": "is served as image/png, not as a web page, a feed, a PDF or a Word document (.docx)",
}


def test_good_pages_go_in_and_bad_addresses_are_named(web: LocalWeb, assistant: Assistant) -> None:
    good = ["/news/rubio.html", "/news/beirut.html", "/news/bridge.html"]
    urls = [web.url(p) for p in ["/missing", good[0], "/stall", good[1], "/loop/a", "/big.html", good[2]]]
    urls += [web.url(p) for p in ["/binary.html", "/photo.png", "/error"]]
    report = assistant.ingest(urls)

    assert len(report.added) == 3 and report.unchanged == [] and report.warnings == []
    failed = {f.path: f.reason for f in report.failed}
    assert set(failed) == {web.url(p) for p in BAD}
    for path, reason in BAD.items():
        assert failed[web.url(path)].startswith(reason), (path, failed[web.url(path)])

    infos = {i.title: i for i in assistant.articles()}
    assert set(infos) == {AR_PAGE_TITLE, CP1256_TITLE, EN_PAGE_TITLE}
    rubio = infos[AR_PAGE_TITLE]
    assert (rubio.key, rubio.url, rubio.source, rubio.lang) == (
        web.url("/news/rubio"), web.url("/news/rubio"), "Local Arabic News", "ar"
    )  # the canonical URL, the site's name  # fmt: skip
    assert (infos[CP1256_TITLE].lang, infos[EN_PAGE_TITLE].source) == ("ar", "Harbour Times")

    [hit] = assistant.search("ماذا قال روبيو لروسيا؟", k=1)
    assert (hit.title, hit.url) == (AR_PAGE_TITLE, web.url("/news/rubio"))
    assert "الوقت ينفد أمام روسيا" in hit.text
    [beirut] = assistant.search("انقطاع الكهرباء في بيروت بسبب نقص الوقود", k=1)
    assert beirut.title == CP1256_TITLE and "شركة كهرباء لبنان" in beirut.text  # Windows-1256 read right
    [bridge] = assistant.search("How much did the bridge repairs cost?", k=1)
    assert bridge.url == web.url("/news/bridge.html") and "310 million dollars" in bridge.text
    article_text = assistant.article_text(rubio.article_id) or ""
    assert "Home" not in article_text and "rights reserved" not in article_text


def test_the_same_page_by_another_address_is_unchanged_and_a_changed_page_replaces(
    web: LocalWeb, assistant: Assistant
) -> None:
    again = assistant.ingest([web.url("/news/rubio.html?utm_source=rss")])
    assert (len(again.added), len(again.unchanged), again.failed) == (0, 1, [])
    before = {i.key: i.article_id for i in assistant.articles()}

    changed = AR_PAGE_TEXT + " وأكد روبيو أن واشنطن ستراجع موقفها خلال أسابيع."
    web.routes["/news/rubio.html"] = Route(
        page_html(AR_PAGE_TITLE, changed, canonical=web.url("/news/rubio"), site="Local Arabic News").encode()
    )
    report = assistant.ingest([web.url("/news/rubio.html")])
    assert (len(report.added), len(report.replaced)) == (0, 1)
    after = {i.key: i.article_id for i in assistant.articles()}
    assert set(after) == set(before) and after[web.url("/news/rubio")] != before[web.url("/news/rubio")]
    [hit] = assistant.search("متى ستراجع واشنطن موقفها؟", k=1)
    assert "ستراجع موقفها خلال أسابيع" in hit.text


def test_the_cli_ingests_a_url_and_names_the_failures(web: LocalWeb, tmp_path: Path) -> None:
    env = {**os.environ, "BRIEFING_FETCH__READ_TIMEOUT": "1", "BRIEFING_FETCH__MAX_BYTES": "200000"}
    command = [sys.executable, "-m", "assistant.cli", "ingest", "--store", str(tmp_path / "store")]
    result = subprocess.run(
        [*command, web.url("/news/bridge.html"), web.url("/missing")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "added 1, unchanged 0, replaced 0, failed 1 (1 chunks)"
    assert f"  failed: {web.url('/missing')}: the server answered 404 Not Found; check the address" in lines
    assert "Error: 1 input failed" in result.stderr


def test_a_pdf_and_a_docx_by_url_are_cited_with_their_url_and_page(web: LocalWeb, tmp_path: Path) -> None:
    from localweb import DOCX_TITLE, PDF_PAGES, install_documents

    install_documents(web)
    a = Assistant(Settings(vectorstore_dir=tmp_path / "store", fetch=LIMITS))
    report = a.ingest([web.url("/docs/sudan.pdf"), web.url("/docs/broken.pdf"), web.url("/docs/water.docx")])
    assert len(report.added) == 2
    [(where, reason)] = [(f.path, f.reason) for f in report.failed]
    assert where == web.url("/docs/broken.pdf") and reason.startswith("is not a readable PDF (")

    answer = a.ask("كم يحتاج برنامج الأغذية العالمي من المال؟", backend="extractive")
    [citation] = answer.citations
    assert "700 مليون دولار" in citation.quote
    assert (citation.page, citation.passage.url, citation.passage.source) == (
        3,
        web.url("/docs/sudan.pdf"),
        "127.0.0.1",
    )
    [memo] = a.search("ماذا قال وزير الري المصري؟", k=1)
    assert (memo.title, memo.page, memo.url) == (DOCX_TITLE, 2, web.url("/docs/water.docx"))
    assert PDF_PAGES[0] in {i.title for i in a.articles()}
    a.close()
