"""End to end in a real browser: `briefing serve` (real e5, real Chroma, the real local model) on the
seed, driven by Debian's Chromium through Playwright (``executable_path``; no browser download).

Screenshots go to ``build/screenshots/`` (or ``$BRIEFING_SCREENSHOTS``) for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings
from assistant.testing import running_ui

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("BRIEFING_SCREENSHOTS", ROOT / "build" / "screenshots"))
XSS_TITLE = '<img src=x onerror="window.__xss=1;alert(1)"> Harbour news ${alert(3)} {{value}}'
XSS_BODY = (
    "The mayor said the Old Harbour bridge will reopen in May after repairs. "
    "<script>window.__xss=2;alert(2)</script> Engineers replaced <b>forty</b> steel cables."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("store")
    seeded = Assistant(Settings(vectorstore_dir=store))
    seeded.ingest([ROOT / "seeds"])
    seeded.close()
    with running_ui(store, {"BRIEFING_LLM__BACKEND": "local"}) as url:
        assert "Briefing assistant UI: http://127.0.0.1:" in (store / "serve.log").read_text()
        yield url


def _ask(page: Any, question: str, answers_before: int, *, streams: bool) -> Any:
    # A MutationObserver notes whether the pending bubble was ever in the transcript, however briefly:
    # polling for it misses a bubble that the extractive backend replaces within milliseconds.
    page.evaluate(
        """() => {
            window.__pendingSeen = false;
            const seen = () => {
                if (document.querySelector('#transcript .state-pending')) window.__pendingSeen = true;
            };
            window.__pendingObserver?.disconnect();
            window.__pendingObserver = new MutationObserver(seen);
            window.__pendingObserver.observe(document.body, {childList: true, subtree: true});
        }"""
    )
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        f"document.querySelectorAll('#transcript .msg.bot[data-state]').length > {answers_before}",
        timeout=300_000,
    )
    if streams:  # the local model takes seconds: its pending bubble shows the pipeline's progress first
        assert page.evaluate("window.__pendingSeen"), f"no progress was shown while answering {question!r}"
    return page.locator("#transcript .msg.bot[data-state]").nth(answers_before)


def test_ask_cite_open_upload_and_stay_inert(server: str, browser: Any, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server)
    page.wait_for_selector("#question textarea", timeout=60_000)

    # 1. The flagship question, answered by the local model, with a cited, highlighted Arabic quote.
    answer = _ask(page, "What did Rubio tell Russia?", 0, streams=True)
    state = answer.get_attribute("data-state")
    assert state in ("verified", "checked", "quoted", "draft"), answer.inner_text()
    quote = answer.locator("blockquote.quote").first.inner_text()
    assert "روبيو" in quote and "[1]" in quote
    highlighted = answer.locator("details.citation mark").first
    assert highlighted.inner_text().strip() in quote  # the quote, highlighted inside its passage
    assert answer.locator("details.citation").first.get_attribute("open") is None
    answer.locator("a.cite").first.click()  # clicking the marker opens its passage
    page.wait_for_function("document.querySelector('#transcript details.citation').open === true")
    assert highlighted.is_visible()
    assert answer.locator("details.citation .passage").first.get_attribute("dir") == "auto"
    page.screenshot(path=str(SHOTS / "1-rubio-answer-citation-open.png"), full_page=True)

    # 1b. An English answer traced word by word: hovering a word lights up its Arabic source.
    answer = _ask(page, "How many times has Witkoff met Putin this year?", 1, streams=True)
    assert answer.get_attribute("data-state") == "checked", answer.inner_text()
    assert "Checked translation" in answer.inner_text()
    word = answer.locator(".checked .w.traced[data-s]").first  # "twice", or a word of a sentence
    link = word.get_attribute("data-s")
    source = answer.locator(f'blockquote.quote .src[data-s="{link}"]')
    assert source.inner_text().strip() and source.inner_text().strip() in (word.get_attribute("title") or "")
    before = source.evaluate("e => getComputedStyle(e).backgroundColor")
    word.hover()
    page.wait_for_timeout(200)
    assert source.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(253, 230, 138)" != before
    page.screenshot(path=str(SHOTS / "1b-checked-translation-hover.png"), full_page=True)
    answers_so_far = 2

    # 2. Upload an article whose title and text carry markup: it is listed as plain text.
    upload = tmp_path / "harbour.txt"
    upload.write_text(f"{XSS_TITLE}\n\n{XSS_BODY}", encoding="utf-8")
    page.set_input_files("#upload input[type=file]", str(upload))
    page.wait_for_selector("#ingest-status :text('Ingested: added 1')", timeout=120_000)
    sources = page.locator("#sources")
    assert "<img src=x onerror=" in sources.inner_text()
    assert sources.locator("img").count() == 0

    # 3. Ask about it with the extractive backend: its passage (with the <script> text) shows inert.
    page.get_by_label("extractive").check()
    answer = _ask(page, "When will the Old Harbour bridge reopen?", answers_so_far, streams=False)
    assert answer.get_attribute("data-state") == "quoted", answer.inner_text()
    answer.locator("a.cite").first.click()
    passage = answer.locator("details.citation .passage").first
    passage.wait_for(state="visible")
    assert "<script>window.__xss=2;alert(2)</script>" in passage.inner_text()
    assert "<img src=x onerror=" in answer.locator("details.citation summary").first.inner_text()
    transcript = page.locator("#transcript")
    assert transcript.locator("script, img, b").count() == 0
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined" and dialogs == []
    page.screenshot(path=str(SHOTS / "2-untrusted-article-inert.png"), full_page=True)

    # 4. A briefing over the ingested articles, with its downloads; the markup article stays inert.
    page.get_by_role("tab", name="Briefing").click()
    page.fill("#brief-topic textarea", "Ukraine peace talks")
    page.click("#brief-write")
    page.wait_for_selector("#briefing article.briefing", timeout=120_000)
    briefing = page.locator("#briefing")
    assert "Marco Rubio" in briefing.inner_text() and "Who said what" in briefing.inner_text()
    assert briefing.locator("blockquote", has_text="روبيو").count() > 0
    page.wait_for_selector("#brief-files :text('.html')", timeout=30_000)
    assert briefing.locator("script, img").count() == 0 and dialogs == []
    page.screenshot(path=str(SHOTS / "3-briefing.png"), full_page=True)

    # 5. A second browser session sees none of this conversation.
    other = browser.new_context().new_page()
    other.goto(server)
    other.wait_for_selector("#transcript .empty-hint", timeout=60_000)
    assert other.locator("#transcript .turn").count() == 0
    other.wait_for_selector("#sources :text('Harbour news')")  # the store is shared, conversations are not
    other.screenshot(path=str(SHOTS / "4-second-session-empty.png"), full_page=True)
    page.close()
