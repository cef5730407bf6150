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
