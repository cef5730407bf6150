"""End to end, files that say more about themselves (real e5 model, real Chroma): front matter
gives a plain-text article its date, outlet and URL, which searches show and briefings use to
resolve relative dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant import Assistant, Settings

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_409043fa5ea248dc.txt"
FRONT = "---\ndate: 2025-04-04\noutlet: CNN Arabic\nurl: https://arabic.cnn.com/2025/04/04/rubio\nlang: ar\n---\n"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    folder = tmp_path_factory.mktemp("documents")
    a = Assistant(Settings(vectorstore_dir=folder / "store"))
    yield a
    a.close()


def test_front_matter_dates_the_seed_and_resolves_its_relative_dates(assistant: Assistant, tmp_path: Path) -> None:
    dated = tmp_path / "rubio.txt"
    dated.write_text(FRONT + SEED.read_text(encoding="utf-8"), encoding="utf-8")
    report = assistant.ingest([dated])
    assert (len(report.added), report.failed, report.warnings) == (1, [], [])
    [info] = [i for i in assistant.articles() if i.key == str(dated.resolve())]
    assert (info.title, info.published, info.source) == (
        "محادثات السلام الأوكرانية تتطلب خطوات عاجلة",
        date(2025, 4, 4),
        "CNN Arabic",
    )

    [hit] = assistant.search("ماذا قال روبيو لروسيا؟", k=1, since=date(2025, 4, 1))
    assert (hit.published, hit.source, hit.url) == (
        date(2025, 4, 4),
        "CNN Arabic",
        "https://arabic.cnn.com/2025/04/04/rubio",
    )
    assert assistant.search("ماذا قال روبيو لروسيا؟", k=1, until=date(2025, 4, 3)) == []  # the date filters see it

    briefing = assistant.brief(articles=[info.article_id], language="ar")
    friday = [e for e in briefing.timeline if "يوم الجمعة" in e.quote]
    assert friday and all(e.resolved and e.date is not None and e.date <= date(2025, 4, 4) for e in friday)
    assert "---" not in assistant.article_text(info.article_id)[:10]  # the block is no part of the text


def test_pdf_and_docx_pages_are_found_and_cited_by_page(assistant: Assistant, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from localweb import DOCX_PARAGRAPHS, DOCX_TITLE, PDF_PAGES, arabic_docx, arabic_pdf

    from assistant.cli import main

    (tmp_path / "reports").mkdir()
    pdf, memo = tmp_path / "reports" / "sudan.pdf", tmp_path / "reports" / "water.docx"
    pdf.write_bytes(arabic_pdf(PDF_PAGES))
    memo.write_bytes(arabic_docx(DOCX_TITLE, DOCX_PARAGRAPHS, page_break_before=1))
    report = assistant.ingest([tmp_path / "reports"])
    assert (len(report.added), report.failed) == (2, [])

    [hit] = assistant.search("كم يحتاج برنامج الأغذية العالمي من المال؟", k=1)
    assert (hit.title, hit.source, hit.page) == (PDF_PAGES[0], "reports", 3)
    assert "700 مليون دولار" in hit.text and hit.text in PDF_PAGES[2]  # Arabic in reading order, one page
    answer = assistant.ask("كم يحتاج برنامج الأغذية العالمي من المال؟", backend="extractive")
    [citation] = answer.citations
    assert "700 مليون دولار" in citation.quote and citation.page == 3
    assert citation.to_dict()["page"] == 3

    water = assistant.search("ماذا قال وزير الري المصري عن قواعد ملء السد؟", k=2, sources=["reports"])
    assert [(p.title, p.page) for p in water] == [(DOCX_TITLE, 2), (DOCX_TITLE, 1)]  # one passage a page
    assert "اتفاقا ملزما" in water[0].text and "أديس أبابا" in water[1].text

    store = str(assistant.settings.vectorstore_dir)
    result = CliRunner().invoke(
        main, ["search", "كم يحتاج برنامج الأغذية العالمي من المال؟", "-k", "1", "--store", store]
    )
    assert result.exit_code == 0 and "; p. 3; found by" in result.output.splitlines()[0]
    markdown = assistant.brief(articles=[hit.article_id], language="ar").to_markdown()
    assert "p. 3, characters" in markdown
