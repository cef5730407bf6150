"""Recency (``retrieval/recency.py``): off by default, a decay by age when asked, newest first as a
view; with the hash embedder on dated articles. The date filters are untouched."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings
from assistant.retrieval.recency import decay_factor, decayed
from assistant.testing import HashEmbedder

TEXT = "قال وزير الخارجية إن محادثات الهدنة في غزة ستستأنف في القاهرة بمشاركة الوسطاء."
DATES = {"old": "2018-01-10", "mid": "2018-03-01", "new": "2018-03-20"}


@pytest.fixture
def dated(tmp_path: Path) -> Assistant:
    for name, day in DATES.items():
        extra = {"old": " وأضاف أن الوفد المصري سيقدم مقترحا جديدا.", "mid": "", "new": " وتابع أن الجولة حاسمة."}[name]
        (tmp_path / f"{name}.txt").write_text(
            f"---\ndate: {day}\n---\nهدنة {name}\n\n{TEXT}{extra}\n", encoding="utf-8"
        )
    a = Assistant(Settings(vectorstore_dir=tmp_path / "store", cache_dir=tmp_path / "cache"), embedder=HashEmbedder())
    assert len(a.ingest([tmp_path]).added) == 3
    return a


def test_decay_halves_per_half_life_and_an_undated_article_counts_one_half_life() -> None:
    reference = date(2018, 3, 20)
    days = (date(2018, 3, 20), date(2018, 3, 10), date(2018, 2, 28), None)
    assert [decay_factor(d, reference, 10) for d in days] == [1.0, 0.5, 0.25, 0.5]
    assert decay_factor(date(2018, 4, 1), reference, 10) == 1.0  # a date after the reference is not a bonus
    assert decayed({"a": 0.02, "b": 0.01}, {"a": date(2018, 3, 10), "b": reference}, 10, reference) == {
        "a": 0.01,
        "b": 0.01,
    }


def test_off_by_default_the_ranking_is_unchanged(dated: Assistant) -> None:
    plain = dated.searcher.search(TEXT, 3)
    assert [(p.chunk_id, p.score) for p in dated.search(TEXT, k=3)] == [(p.chunk_id, p.score) for p in plain]
    assert dated.settings.retrieval.recency_half_life is None


def test_recency_puts_the_newest_first_and_the_date_filters_still_hold(dated: Assistant) -> None:
    assert str(dated.search(TEXT, k=1)[0].published) == "2018-03-01"  # by relevance alone: the exact text
    decayed_hits = dated.search(TEXT, k=3, recency=5)
    assert [str(h.published) for h in decayed_hits] == ["2018-03-20", "2018-03-01", "2018-01-10"]
    assert all(h.score > 0 for h in decayed_hits)
    within = dated.search(TEXT, k=3, recency=5, until=date(2018, 3, 1))
    assert [str(h.published) for h in within] == ["2018-03-01", "2018-01-10"]


def test_newest_first_is_a_view_of_the_best_matches(dated: Assistant) -> None:
    by_relevance = dated.search(TEXT, k=3)
    newest = dated.search(TEXT, k=3, newest_first=True)
    assert [str(h.published) for h in newest] == ["2018-03-20", "2018-03-01", "2018-01-10"]
    assert {h.chunk_id for h in newest} == {h.chunk_id for h in by_relevance}  # the same passages, reordered


def test_the_cli_takes_recency_and_newest(dated: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import main

    monkeypatch.setattr("assistant.cli.common.open_assistant", lambda store, create=False: dated)
    for option in (["--recency", "5"], ["--newest"]):
        result = CliRunner().invoke(main, ["search", TEXT, "-k", "3", *option])
        assert result.exit_code == 0, result.output
        dates = [line.split(", ")[1].split(";")[0] for line in result.output.splitlines() if line.startswith("[")]
        assert dates == ["2018-03-20", "2018-03-01", "2018-01-10"]
    bad = CliRunner().invoke(main, ["search", TEXT, "--recency", "0"])
    assert bad.exit_code == 2 and "--recency" in bad.output
