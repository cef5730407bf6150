"""End to end, recency (real e5 model, real Chroma) on ANT articles about Iraq's 2018 election,
published over several days: off by default (the ranking is the plain one), a half-life puts the
newest first, newest-first shows the best matches by date, and the date filters still hold."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.ingestion.metadata import parse_date

pytestmark = pytest.mark.e2e

NEWS = Path(__file__).resolve().parent.parent / "evals" / "antnews" / "news_sample_2000.jsonl"
QUESTION = "الانتخابات البرلمانية في العراق"


def test_recency_on_the_iraqi_election(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in NEWS.open(encoding="utf-8")]
    iraq = [r for r in rows if "العراق" in r["title"] and "انتخابات" in r["title"].replace("الانتخابات", "انتخابات")]
    dates = sorted({parse_date(r["time"]) for r in iraq})
    assert len(iraq) >= 4 and len(dates) >= 3, [r["title"] for r in iraq]
    corpus = tmp_path / "iraq.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in iraq), encoding="utf-8")
    a = Assistant(Settings(vectorstore_dir=tmp_path / "store"))
    a.ingest([corpus])

    plain = a.searcher.search(QUESTION, 5)
    default = a.search(QUESTION, k=5)
    assert [(p.chunk_id, p.score) for p in default] == [(p.chunk_id, p.score) for p in plain]
    recent = a.search(QUESTION, k=5, recency=1)
    newest_day = max(p.published for p in plain if p.published)
    assert recent[0].published == newest_day and recent[0].published == dates[-1]
    assert [p.published for p in recent] == sorted((p.published for p in recent), reverse=True)

    view = a.search(QUESTION, k=5, newest_first=True)
    assert [p.published for p in view] == sorted((p.published for p in view), reverse=True)
    cutoff = dates[-2]
    assert all(p.published <= cutoff for p in a.search(QUESTION, k=5, recency=1, until=cutoff))
    assert a.search(QUESTION, k=5, recency=1, until=cutoff)[0].published == cutoff
    assert isinstance(cutoff, date)
    a.close()
