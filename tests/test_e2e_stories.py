"""End to end, one story across outlets (real e5 model, real Chroma) on ANT articles: three events
each reported by two outlets, among unrelated news. ``a.stories()`` finds exactly those three;
search results and answers keep what was found and name every outlet; the CLI counts a story
once; a briefing lists each story once, with all its sources."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings
from assistant.cli import main
from assistant.ingestion.metadata import parse_date

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"
PAIRS = {  # a title word of each article of one story, and its outlets
    "Babchenko": (("بابتشينكو", "اغتيال معارض بارز لبوتن"), {"france24", "skynews"}),
    "Diaz": (("الهلال يقيل مدربه", "الهلال يقيل دياز"), {"alarabia", "skynews"}),
    "Cahill": (("كاهيل يطلب من تشيلسي", "قائد تشلسي يطالب"), {"alarabia", "skynews"}),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    rows = [json.loads(line) for line in NEWS.open(encoding="utf-8")]
    wanted = [r for r in rows if any(w in r["title"] for words, _ in PAIRS.values() for w in words)]
    assert len(wanted) == 6, [r["title"] for r in wanted]
    others = [r for r in rows if (d := parse_date(r["time"])) and (d.year, d.month) == (2018, 9)][:6]  # months away
    folder = tmp_path_factory.mktemp("stories")
    corpus = folder / "news.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in wanted + others), encoding="utf-8")
    a = Assistant(Settings(vectorstore_dir=folder / "store"))
    assert len(a.ingest([corpus]).added) == 12
    yield a
    a.close()


def test_the_three_stories_and_nothing_else(assistant: Assistant) -> None:
    stories = assistant.stories()
    assert len(stories) == 3
    for words, outlets in PAIRS.values():
        [story] = [s for s in stories if any(words[0] in t for t in s.titles)]
        assert set(story.outlets) == outlets and all(any(w in t for t in story.titles) for w in words)


def test_search_and_answers_name_every_outlet_and_find_the_same(assistant: Assistant) -> None:
    question = "من قتل الصحافي الروسي أركادي بابتشينكو؟"
    plain = assistant.searcher.search(question, 4)
    hits = assistant.search(question, k=4)
    assert [(h.chunk_id, h.start, h.end) for h in hits] == [(p.chunk_id, p.start, p.end) for p in plain]
    assert set(hits[0].outlets) == {"france24", "skynews"}
    answer = assistant.ask("لماذا أقال الهلال مدربه رامون دياز؟", backend="extractive")
    assert set(answer.citations[0].passage.outlets) == {"alarabia", "skynews"}
    assert set(answer.citations[0].to_dict()["outlets"]) == {"alarabia", "skynews"}

    store = str(assistant.settings.vectorstore_dir)
    out = CliRunner().invoke(main, ["search", question, "-k", "4", "--store", store]).output
    assert "one story, reported by " in out and ("france24, skynews" in out or "skynews, france24" in out)
    if len({h.article_id for h in hits}) > len({h.story for h in hits}):  # two articles of one story
        n = len({h.story for h in hits})
        assert "the same story as [" in out and f"{len(hits)} passages from {n} stor" in out


def test_a_briefing_lists_each_story_once_with_all_its_sources(assistant: Assistant) -> None:
    briefing = assistant.brief(language="ar")
    assert len(briefing.articles) == 12 - 3 and briefing.merged_duplicates == 3
    stories = [assistant.story_index.story_of(a.article_id) for a in briefing.articles]
    assert len({s.id for s in stories if s}) == len(briefing.articles)
    markdown = briefing.to_markdown()
    cited_stories = {c.passage.story for c in briefing.citations if len(c.passage.outlets) > 1}
    assert len(cited_stories) == markdown.count("(one story, also reported by ") > 0
