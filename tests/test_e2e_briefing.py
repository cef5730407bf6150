"""End to end: the seed's briefing with real e5, real Chroma and the real local model rendering drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.records import CHECKED_LABEL
from assistant.records import DRAFT_LABEL as DRAFT

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


def test_seed_briefing_names_every_speaker_with_verbatim_quotes(real: Assistant) -> None:
    briefing = real.brief("Ukraine peace talks", backend="local", max_rendered=2)
    assert len(briefing.articles) == 1
    speakers = {s.speaker for s in briefing.statements}
    for name in ("Marco Rubio", "Donald Trump", "Steve Witkoff", "Kirill Dmitriev", "Sergei Ryabkov", "Andrii Sybiha"):
        assert name in speakers, f"{name} missing from {sorted(speakers)}"
    assert any("الأطلسي" in s or "الناتو" in s for s in speakers), "the senior NATO official is missing"
    for item in [*briefing.summary, *briefing.statements, *briefing.timeline, *briefing.disputed]:
        c = item.citation
        text = real.article_text(c.passage.article_id)
        assert text is not None and text[c.quote_start : c.quote_end] == item.quote
        assert item.quote in c.passage.text  # the cited passage holds the quoted words
    # Quotes that name a neighbour stay with their speaker.
    by_quote = {}
    for s in briefing.statements:
        by_quote.setdefault(s.quote, set()).add(s.speaker)
    sybiha = next(q for q in by_quote if q.startswith("وقال سيبيها"))
    assert by_quote[sybiha] == {"Andrii Sybiha"}  # it names Rubio, who is not its speaker
    dmitriev = next(q for q in by_quote if "بعد اجتماعه مع ويتكوف" in q)
    assert by_quote[dmitriev] == {"Kirill Dmitriev"}
    # The local model was asked for two renderings; code dropped those that contradict their quote
    # (names, numbers), and what it kept is never claimed as verified.
    assert briefing.renderings["asked"] == 2
    assert briefing.renderings["kept"] + briefing.renderings["dropped"] == 2
    rendered = [x for x in [*briefing.statements, *briefing.summary] if x.text and x.text != x.quote]
    assert len({x.quote for x in rendered}) == briefing.renderings["kept"]
    assert not any(x.verified for x in rendered)
    for x in rendered:  # each under its own quote, labelled by what code could check
        label = CHECKED_LABEL if x.checked else DRAFT
        assert f"» [{x.citation.n}]\n  *{label}:* " in briefing.to_markdown() and f"{label}:" in briefing.to_html()
        assert x.checked == (not x.untraced)


ANT_TITLES = (  # ANT news articles (evals/antnews) on two subjects: Sudan, and the Korean summit
    "ذهب السودان بخطر",
    "السودان يفتح أبوابه للاستثمارات الصينية",
    "قمة الكوريتين.. ما حدث",
    "رئيس كوريا الجنوبية التقى زعيم كوريا الشمالية",
    "سعر النفط يتراجع بتأثير",
)


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The seed and five ANT articles, with real e5 and Chroma."""
    import json

    from assistant import Settings

    folder = tmp_path_factory.mktemp("ant")
    rows = (ROOT / "evals" / "antnews" / "news_sample_2000.jsonl").read_text(encoding="utf-8").split("\n")
    picked = [row for row in rows if row.strip() and any(t in json.loads(row)["title"] for t in ANT_TITLES)]
    (folder / "news.jsonl").write_text("\n".join(picked) + "\n", encoding="utf-8")
    assistant = Assistant(Settings(vectorstore_dir=folder / "store"))
    report = assistant.ingest([folder / "news.jsonl", ROOT / "seeds"])
    assert len(report.added) == 6 and not report.failed
    return assistant


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("Sudan famine", "no article mentions famine"),  # Sudan is there; famine is not
        ("المجاعة في السودان", "no article mentions المجاعة"),
        ("wildfires in California", "no article mentions California"),
        ("حرائق الغابات في كاليفورنيا", "no article mentions"),
        ("Japan earthquake and tsunami", "no article mentions Japan"),
    ],
)
def test_a_topic_no_article_covers_gets_no_briefing(news: Assistant, topic: str, reason: str) -> None:
    from assistant import NoArticleMatchesError

    with pytest.raises(NoArticleMatchesError) as info:
        news.brief(topic, backend="extractive")
    assert info.value.reason.startswith(reason), info.value.reason


@pytest.mark.parametrize(
    ("topic", "titles"),
    [
        ("Korean summit", {"قمة الكوريتين", "رئيس كوريا الجنوبية"}),
        ("القمة الكورية", {"قمة الكوريتين", "رئيس كوريا الجنوبية"}),
        ("Sudan gold", {"ذهب السودان"}),
        ("ذهب السودان", {"ذهب السودان"}),
        ("Ukraine peace talks", {"محادثات السلام الأوكرانية"}),
        ("oil prices fall", {"سعر النفط"}),
    ],
)
def test_a_briefing_covers_the_articles_that_match_its_topic(news: Assistant, topic: str, titles: set[str]) -> None:
    briefing = news.brief(topic, backend="extractive")
    found = {t for t in titles for a in briefing.articles if a.title.startswith(t)}
    assert found == titles and len(briefing.articles) == len(titles), [a.title for a in briefing.articles]
