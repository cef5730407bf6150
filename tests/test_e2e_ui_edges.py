"""End to end in a real browser, the UI's honest edges (issue 19): `briefing serve` with the real e5
and Chroma and the extractive backend (no generator: quick), on the seed and an article whose own
text holds "[1] [2]", driven by Debian's Chromium through Playwright (``executable_path``).

An empty question says so; article brackets never become citation links; a briefing on a topic no
article matches says so; a speaker's label heads their own quotes; each source is listed once.
Screenshots go to ``build/screenshots/`` (or ``$BRIEFING_SCREENSHOTS``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings
from assistant.testing import running_ui

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("BRIEFING_SCREENSHOTS", ROOT / "build" / "screenshots"))
FORGED = "The harbour council [1] said the Old Harbour bridge [2] will reopen in May after repairs."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("store")
    article = tmp_path_factory.mktemp("news") / "harbour.txt"
    article.write_text(f"Harbour news\n\n{FORGED}\nEngineers denied that the cables were unsafe.", encoding="utf-8")
    seeded = Assistant(Settings(vectorstore_dir=store))
    report = seeded.ingest([ROOT / "seeds", article])
    assert len(report.added) == 2 and not report.failed
    seeded.close()
    with running_ui(store, {"BRIEFING_LLM__BACKEND": "extractive"}) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: run `make install-browser` (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.wait_for_selector("#question textarea", timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield page
        browser.close()


def test_a_blank_question_says_it_is_empty(page: Any) -> None:
    page.fill("#question textarea", "   \n  ")
    page.click("#ask")
    error = page.wait_for_selector("#transcript .msg.error", timeout=30_000)
    assert error.inner_text() == "The question is empty; ask something about the articles."
    assert page.locator("#transcript .msg.user").count() == 0  # nothing was asked
    page.screenshot(path=str(SHOTS / "edges-1-empty-question.png"), full_page=True)


def test_brackets_in_an_article_stay_its_words_and_the_citation_says_what_found_it(page: Any) -> None:
    page.fill("#question textarea", "When will the Old Harbour bridge reopen?")
    page.click("#ask")
    answer = page.wait_for_selector("#transcript .msg.bot[data-state]", timeout=60_000)
    quote = answer.query_selector("blockquote.quote")
    assert quote is not None and f"«{FORGED}»" in quote.inner_text()  # the article's "[1]" and "[2]", as written
    links = quote.query_selector_all("a.cite")
    assert [link.inner_text() for link in links] == ["[1]"]  # the one marker of the answer's own citation
    links[0].click()
    passage = answer.query_selector("details.citation .passage")
    assert passage is not None and FORGED in passage.inner_text()
    summary = answer.query_selector("details.citation summary")
    assert summary is not None and "found by " in summary.inner_text() and "score" not in summary.inner_text()
    page.screenshot(path=str(SHOTS / "edges-2-article-brackets-inert.png"), full_page=True)


def test_a_briefing_on_a_topic_no_article_matches_says_so(page: Any) -> None:
    page.get_by_role("tab", name="Briefing").click()
    assert page.locator("#brief-backend input[value=extractive]").is_checked()  # the CLI's default too
    page.fill("#brief-topic textarea", "Sudan famine")
    page.click("#brief-write")
    error = page.wait_for_selector("#briefing .msg.error", timeout=60_000)
    assert error.inner_text() == (
        "No article matches the topic 'Sudan famine': no article mentions Sudan. Try other words (Arabic words "
        "find Arabic articles best), or give no topic to brief on every article."
    )
    assert page.locator("#briefing article.briefing").count() == 0
    page.screenshot(path=str(SHOTS / "edges-3-no-matching-article.png"), full_page=True)


def test_a_speaker_label_heads_its_own_quotes_and_sources_are_listed_once(page: Any) -> None:
    page.get_by_role("tab", name="Briefing").click()
    page.fill("#brief-topic textarea", "")
    page.click("#brief-write")
    page.wait_for_selector("#briefing article.briefing", timeout=60_000)
    page.locator("#briefing h2", has_text="Who said what").scroll_into_view_if_needed()
    page.locator("#briefing").screenshot(path=str(SHOTS / "edges-4-briefing-speakers.png"))
    # Each speaker heading sits closer to its own first quote than to the quote above it.
    gaps = page.evaluate(
        """() => {
            const root = document.querySelector('#briefing');
            const quotes = [...root.querySelectorAll('blockquote')];
            return [...root.querySelectorAll('h3.speaker')].map(h => {
                const box = h.getBoundingClientRect();
                const own = quotes.find(q => h.compareDocumentPosition(q) & Node.DOCUMENT_POSITION_FOLLOWING);
                const above = quotes.filter(q => h.compareDocumentPosition(q) & Node.DOCUMENT_POSITION_PRECEDING).pop();
                return {speaker: h.innerText, own: own.getBoundingClientRect().top - box.bottom,
                        above: above ? box.top - above.getBoundingClientRect().bottom : null};
            });
        }"""
    )
    assert len(gaps) >= 5 and {"Marco Rubio", "Kirill Dmitriev"} <= {g["speaker"] for g in gaps}
    for gap in gaps:
        assert gap["above"] is None or gap["own"] < gap["above"], gap
    briefing = page.locator("#briefing")
    assert briefing.locator("ul.sources > li").count() == 2  # two articles, each once, its spans under it
    unlanded = page.evaluate(
        """() => [...document.querySelectorAll('#briefing a.cite')]
                 .filter(a => !document.querySelector('#briefing ul.sources ' + a.getAttribute('href'))).length"""
    )
    assert unlanded == 0  # every marker lands on its span under its article
    assert "Listed for " in briefing.locator(".why").first.inner_text()
