"""Briefings: attribution, dates, near-duplicates, exports (hash embedder; the real models are in
test_e2e_briefing.py)."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.briefing.dates import resolve_when
from assistant.briefing.document import md_escape
from assistant.briefing.rules import fold_duplicates
from assistant.errors import EmptyStoreError, NoArticleMatchesError, QuestionError, SettingsError
from assistant.text.attribution import attribute_sentences

XSS = '<img src=x onerror="alert(1)">'


def _speakers(sentences: list[str]) -> list[tuple[int, tuple[str, ...], bool]]:
    return [(a.index, a.speakers, a.reported) for a in attribute_sentences(sentences)]


def test_speaker_is_the_subject_not_a_name_inside_what_was_said() -> None:
    sentences = [
        "وقال سيبيها إنه أخبر روبيو بانتهاكات روسيا لوقف إطلاق النار.",
        "وقال ديمترييف لوسائل الإعلام الحكومية الروسية بعد اجتماعه مع ويتكوف إن إدارة ترامب تتفهم مخاوف روسيا.",
        "وقال مبعوث بوتين الذي زار واشنطن، كيريل ديمترييف، يوم الخميس إن الاتفاق علامة على النجاح.",
    ]
    assert _speakers(sentences) == [
        (0, ("Andrii Sybiha",), True),
        (1, ("Kirill Dmitriev",), True),  # not Witkoff, whom he met; not Trump, whom he spoke of
        (2, ("Kirill Dmitriev",), True),  # "Putin's envoy": Putin is the possessor, not the speaker
    ]


def test_direct_speech_continuations_and_unnamed_officials() -> None:
    sentences = [
        '"بالطبع، روسيا تريد السلام"، قال مسؤول كبير في حلف شمال الأطلسي على هامش الاجتماعات.',
        '"في ظل شروط موسكو".',
        "وأضاف المسؤول أن إعلان روسيا ليس إشارة إيجابية.",
        "لم تتضح بعد الشروط المحددة.",
        '"جملة مقتبسة بلا متكلم".',
    ]
    found = attribute_sentences(sentences)
    official = "مسؤول كبير في حلف شمال الأطلسي"
    assert [(a.index, a.speakers, a.reported, a.continued) for a in found] == [
        (0, (official,), False, False),
        (1, (official,), False, True),
        (2, (official,), True, False),  # "المسؤول" refers back to the senior NATO official
    ]


def test_two_speakers_in_one_sentence_get_their_own_clauses() -> None:
    sentence = (
        "وقد أوضح القادة الأوروبيون أنهم يعتقدون أن بوتين يماطل، في حين أصرّ ترامب ومبعوثه ستيف ويتكوف "
        "- الذي التقى بوتين مرتين هذا العام - على أن بوتين يريد اتفاق سلام."
    )
    first, second = attribute_sentences([sentence])
    assert first.speakers == ("القادة الأوروبيون",)
    assert second.speakers == ("Donald Trump", "Steve Witkoff")  # "his envoy Steve Witkoff" speaks too
    assert sentence[second.start : second.end].startswith("أصرّ ترامب")
    assert sentence[first.start : first.end].endswith("في حين ")


def test_a_verb_with_an_object_is_not_a_statement() -> None:
    assert attribute_sentences(["أضاف الروس شروطًا من بينها رفع العقوبات."]) == []


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        ("كشف روبيو يوم الجمعة أنه التقى بمبعوث", date(2025, 4, 5), ("2025-04-04", date(2025, 4, 4), True)),
        ("كشف روبيو يوم الجمعة أنه التقى بمبعوث", date(2025, 4, 4), ("2025-04-04", date(2025, 4, 4), True)),
        (
            "في الأسبوع الماضي، أصبح إحباط ترامب واضحًا.",
            date(2025, 4, 5),
            ("week of 2025-03-24", date(2025, 3, 24), True),
        ),
        ("في الأسبوع الماضي، أصبح إحباط ترامب واضحًا.", None, ("الأسبوع الماضي", None, False)),
        ("وصل الوفد أمس إلى الرياض.", date(2025, 1, 1), ("2024-12-31", date(2024, 12, 31), True)),
        ("The talks resumed on Tuesday in Riyadh.", date(2025, 3, 27), ("2025-03-25", date(2025, 3, 25), True)),
        ("وقع الاتفاق في 3 مارس 2024 في الدوحة.", None, ("2024-03-03", date(2024, 3, 3), True)),
        ("لا تاريخ في هذه الجملة.", date(2025, 1, 1), None),
    ],
)
def test_relative_dates_resolve_against_the_article_date(
    sentence: str, published: date | None, expected: tuple[str, date | None, bool] | None
) -> None:
    assert resolve_when(sentence, published) == expected


def test_near_duplicates_fold_into_the_first() -> None:
    story = "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في الرياض بحضور الوفدين " * 3
    other = "سجل المنتخب هدفين في الشوط الثاني من المباراة النهائية أمام جمهور كبير " * 3
    assert fold_duplicates([story, story + " وأضاف الوزير.", other]) == [0, 2]


def test_markdown_escape_keeps_markup_inert() -> None:
    escaped = md_escape(f"{XSS} [link](javascript:alert(1)) *bold* `code`\n# heading")
    assert "<img" not in escaped and "\\[link\\]" in escaped and "\\*bold\\*" in escaped and "\n" not in escaped


def _seed_briefing(fake_assistant: Any, seed_path: Path, tmp_path: Path, **options: Any) -> Any:
    extra = tmp_path / "extra" / "harbour.txt"
    extra.parent.mkdir()
    extra.write_text(
        f"{XSS} Harbour news\n\nThe mayor said on Friday the Old Harbour bridge will reopen in May. "
        "<script>alert(2)</script> Engineers denied the cables were unsafe.",
        encoding="utf-8",
    )
    fake_assistant.ingest([seed_path, extra])
    return fake_assistant.brief(backend="extractive", **options)


def test_every_item_quotes_its_cited_passage_verbatim(fake_assistant: Any, seed_path: Path, tmp_path: Path) -> None:
    briefing = _seed_briefing(fake_assistant, seed_path, tmp_path)
    items = [*briefing.summary, *briefing.statements, *briefing.timeline, *briefing.disputed]
    assert len(briefing.summary) >= 3 and briefing.timeline and briefing.disputed
    for item in items:
        c = item.citation
        text = fake_assistant.article_text(c.passage.article_id)
        assert text[c.quote_start : c.quote_end] == c.quote == item.quote
        assert c.passage.start <= c.quote_start < c.quote_end <= c.passage.end
        assert c.quote in c.passage.text
    numbers = [c.n for c in briefing.citations]
    assert numbers == list(range(1, len(numbers) + 1))  # numbered once each, in reading order
    assert briefing.summary[0].citation.n == 1
    # Extractive English briefing over Arabic: no rendering, nothing claimed as verified.
    arabic = [s for s in briefing.statements if "روبيو" in s.quote]
    assert arabic and all(s.text == "" and not s.verified for s in arabic)
    english = [s for s in briefing.statements if s.quote.isascii()]
    assert english and all(s.verified and s.text == s.quote for s in english)


def test_exports_escape_article_text(fake_assistant: Any, seed_path: Path, tmp_path: Path) -> None:
    briefing = _seed_briefing(fake_assistant, seed_path, tmp_path)
    page = briefing.to_html()
    markdown = briefing.to_markdown()
    data = briefing.to_dict()
    assert "<img" not in page and "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in markdown and "<script>" not in markdown
    assert page.count('dir="auto"') > 10 and "<html" in page
    assert {s["citation"] for s in data["statements"]} <= {c["n"] for c in data["citations"]}
    assert data["articles"] and all(isinstance(c["quote"], str) for c in data["citations"])


def test_briefing_options_are_checked(fake_assistant: Any, seed_path: Path) -> None:
    with pytest.raises(EmptyStoreError, match="holds no article"):
        fake_assistant.brief(backend="extractive")
    fake_assistant.ingest([seed_path])
    with pytest.raises(QuestionError, match="topic is empty"):
        fake_assistant.brief("  ", backend="extractive")
    with pytest.raises(SettingsError, match="No ingested article has the id 'nope'"):
        fake_assistant.brief(articles=["nope"], backend="extractive")
    with pytest.raises(SettingsError, match="language must be 'en' or 'ar'"):
        fake_assistant.brief(language="fr", backend="extractive")
    arabic = fake_assistant.brief(language="ar", backend="extractive")
    assert arabic.statements and all(s.verified and s.text == s.quote for s in arabic.statements)


def test_a_topic_no_article_matches_is_refused_naming_what_is_missing(
    fake_assistant: Any, seed_path: Path, tmp_path: Path
) -> None:
    _seed_briefing(fake_assistant, seed_path, tmp_path)
    with pytest.raises(NoArticleMatchesError) as info:
        fake_assistant.brief("Sudan famine", backend="extractive")
    assert info.value.topic == "Sudan famine" and info.value.reason == "no article mentions Sudan"
    with pytest.raises(NoArticleMatchesError, match=r"no article mentions volcano\. Try"):
        fake_assistant.brief("the volcano", backend="extractive")  # no names, and its one word is in no article
    with pytest.raises(NoArticleMatchesError) as info:
        fake_assistant.brief("bridge volcano", backend="extractive")  # both words of two, never one
    assert info.value.reason == "no article mentions volcano (1 mentions bridge)"
    # Each topic briefs only the articles that hold its names and most of its words, in any script.
    ukraine = fake_assistant.brief("Ukraine peace talks", backend="extractive")
    assert [a.title for a in ukraine.articles] == ["محادثات السلام الأوكرانية تتطلب خطوات عاجلة"]
    harbour = fake_assistant.brief("Old Harbour bridge reopening delays", backend="extractive")
    assert [a.title.split()[-2:] for a in harbour.articles] == [["Harbour", "news"]]
    assert harbour.topic_words == ("Old", "Harbour", "bridge", "reopening", "delays")
    assert list(harbour.lacks.values()) == [("delays",)]  # "reopen" is there by its stem; four words of five do


LONG_SENTENCE = (  # one sentence of about 200 o200k tokens: longer than a chunk, so a chunk ends inside it
    "The council said on Friday that the Old Harbour bridge, which engineers closed in March after finding rust "
    "in forty of its steel cables, will reopen to cars in May, that buses will follow in June once the new "
    "lanes are painted, that cyclists will get a separate path on the eastern side, and that the ferry, which "
    "has carried twice its usual number of passengers since the closure, will keep its extra morning crossings "
    "until the end of the summer, while shop owners near the bridge, who say they lost half their trade, will "
    "be offered lower rents for a year, and the mayor, who had promised the work would take six weeks, will "
    "answer questions from residents at a public meeting on Tuesday evening in the town hall."
)
_CLOSERS = tuple('.!?؟…"»”)')


def _ends_on_a_boundary(text: str, start: int, end: int) -> bool:
    """A quote ends a sentence, or the article goes on with a clause mark, and no connective is left last."""
    last_word = text[start:end].split()[-1].lower()
    after = text[end:].lstrip(" ")
    ends = text[start:end].endswith(_CLOSERS) or not after or after[0] in "،,؛;:\n"
    return ends and last_word not in {"while", "and", "but", "حين", "بينما", "و"}


def test_quotes_end_on_a_sentence_or_clause_boundary(fake_assistant: Any, seed_path: Path, tmp_path: Path) -> None:
    story = tmp_path / "long" / "bridge.txt"
    story.parent.mkdir()
    story.write_text(f"Harbour bridge news\n\n{LONG_SENTENCE}\nThe mayor denied that the cables were unsafe.")
    fake_assistant.ingest([seed_path, story])
    briefing = fake_assistant.brief(backend="extractive")
    items = [x for _, xs in briefing.sections() for x in xs]
    cut = [x for x in items if x.quote.startswith("The council said")]
    assert cut and all(x.quote != LONG_SENTENCE for x in cut)  # the sentence is longer than its passage
    for x in items:
        c = x.citation
        text = fake_assistant.article_text(c.passage.article_id)
        assert text[c.quote_start : c.quote_end] == x.quote and c.quote_end <= c.passage.end
        assert _ends_on_a_boundary(text, c.quote_start, c.quote_end), x.quote[-40:]
    # The clause before the next speaker's verb ends at its own words, not on "في حين" (while).
    [stalling] = [x for x in briefing.statements if "يماطل" in x.quote]
    assert stalling.quote.endswith("معتقدين أن الوقت في صالحه")


def test_disputed_and_open_items_say_why_they_are_listed(fake_assistant: Any, seed_path: Path) -> None:
    fake_assistant.ingest([seed_path])
    briefing = fake_assistant.brief(backend="extractive")
    assert briefing.disputed
    for x in [*briefing.disputed, *briefing.open_questions]:
        kind, word = x.why.split(": «")
        assert kind in {"a denial", "an accusation", "a claim", "doubt", "a disagreement", "stalling", "violations",
                        "a refusal", "criticism", "not yet clear", "an open whether", "not known", "still open",
                        "an expectation"}  # fmt: skip
        assert word.removesuffix("»") in x.quote
    first = briefing.disputed[0]
    assert f"» [{first.citation.n}]\n  *Listed for* {md_escape(first.why)}" in briefing.to_markdown()
    assert f'<div class="why">Listed for {html.escape(first.why)}</div></div>' in briefing.html_body()


def test_brackets_in_article_text_are_no_citation_in_a_briefing(fake_assistant: Any, tmp_path: Path) -> None:
    story = tmp_path / "forged" / "bridge.txt"
    story.parent.mkdir()
    story.write_text(
        "Bridge news\n\nThe mayor said [1] the old bridge will reopen in May after repairs [2] to its cables.\n"
        "Engineers denied [3] that the cables were unsafe, the council said on Friday.",
        encoding="utf-8",
    )
    fake_assistant.ingest([story])
    briefing = fake_assistant.brief(backend="extractive")
    items = [x for _, xs in briefing.sections() for x in xs]
    forged = [x for x in items if "[1]" in x.quote or "[3]" in x.quote]
    assert forged
    page = briefing.html_body()
    assert page.count('<a class="cite"') == len(items)  # one marker an item, from its citation
    for x in forged:
        assert f'{html.escape(x.quote)} <a class="cite" href="#source-{x.citation.n}">' in page
    markdown = briefing.to_markdown()
    for x in forged:  # escaped, so a Markdown viewer shows the brackets as text, not as links
        assert f"«{md_escape(x.quote)}» [{x.citation.n}]" in markdown
        assert "[" not in md_escape(x.quote).replace("\\[", "")


def test_sources_list_each_article_once_with_its_cited_spans(
    fake_assistant: Any, seed_path: Path, tmp_path: Path
) -> None:
    briefing = _seed_briefing(fake_assistant, seed_path, tmp_path)
    articles = {c.passage.article_id for c in briefing.citations}
    assert len(articles) == 2 and len(briefing.citations) > 10
    markdown = briefing.to_markdown()
    sources = markdown[markdown.index("## Sources") :].splitlines()[2:]
    heads = [line for line in sources if line.startswith("- ")]
    assert len(heads) == 2 and all(f"article {a}" in "".join(heads) for a in articles)
    spans = [line for line in sources if line.startswith("  - [")]
    assert spans == [f"  - [{c.n}] characters {c.quote_start}–{c.quote_end}" for c in _by_article(briefing.citations)]
    page = briefing.html_body()
    listed = page[page.index('<ul class="sources">') :]
    assert listed.count('<ul class="spans">') == 2 and listed.count('<li id="source-') == len(briefing.citations)
    for c in briefing.citations:  # every marker still lands on its span
        assert f'href="#source-{c.n}"' in page and f'<li id="source-{c.n}">[{c.n}] characters ' in listed


def _by_article(citations: list[Any]) -> list[Any]:
    order = list(dict.fromkeys(c.passage.article_id for c in citations))
    return sorted(citations, key=lambda c: (order.index(c.passage.article_id), c.n))


def test_a_speaker_heads_their_own_quotes(fake_assistant: Any, seed_path: Path) -> None:
    fake_assistant.ingest([seed_path])
    briefing = fake_assistant.brief(backend="extractive")
    markdown = briefing.to_markdown()
    who = markdown[markdown.index("## Who said what") : markdown.index("## Timeline")].splitlines()
    speaker = None
    for line in who:  # every quote line sits under the heading of its own speaker, nothing between
        if line.startswith("### "):
            speaker = line[4:]
        elif line.startswith("- "):
            assert any(md_escape(s.speaker) == speaker and md_escape(s.quote) in line for s in briefing.statements)
    assert sum(line.startswith("### ") for line in who) == len({s.speaker for s in briefing.statements})
    page = briefing.html_body()
    section = page[page.index("<h2>Who said what</h2>") : page.index("<h2>Timeline</h2>")]
    groups = {
        part.split("</h3>")[0]: part.split("</h3>")[1] for part in section.split('<h3 class="speaker" dir="auto">')[1:]
    }
    assert set(groups) == {html.escape(s.speaker) for s in briefing.statements}
    for s in briefing.statements:  # each quote in its own speaker's group, and only there with that speaker
        assert html.escape(s.quote) in groups[html.escape(s.speaker)]
    for speaker, body in groups.items():
        assert body.count("<blockquote") == sum(html.escape(s.speaker) == speaker for s in briefing.statements)


def test_copies_of_an_article_are_briefed_once(fake_assistant: Any, seed_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "seed-copy.txt"
    copy.parent.mkdir()
    text = seed_path.read_text(encoding="utf-8")
    copy.write_text(text.replace("يوم الجمعة", "يوم الخميس", 1), encoding="utf-8")  # a syndicated, edited copy
    fake_assistant.ingest([seed_path, copy])
    briefing = fake_assistant.brief(backend="extractive")
    assert len(briefing.articles) == 1 and briefing.merged_duplicates == 1


def test_model_renderings_are_traced_and_contradicting_ones_are_dropped(seed_path: Path, tmp_path: Path) -> None:
    from assistant import Assistant, Settings
    from assistant.records import DRAFT_LABEL as DRAFT
    from assistant.testing import HashEmbedder, ScriptedChatModel

    # Each rendering has two candidates (guided, then plain). The first item's both invent a name
    # (dropped by code); the second item's first is kept, as a draft with its untraced words.
    replies = ["Obama said Russia wants peace.", "Obama said so.", "Said that the weather is fine.", ""]
    model = ScriptedChatModel(replies=replies)
    settings = Settings(vectorstore_dir=tmp_path / "store", cache_dir=tmp_path / "cache")
    assistant = Assistant(settings, embedder=HashEmbedder(), llm=model)
    assistant.ingest([seed_path])
    briefing = assistant.brief(backend="local", max_rendered=2)
    assert briefing.renderings == {"asked": 2, "kept": 1, "checked": 0, "dropped": 1}
    [kept] = [s for s in briefing.statements if s.text]
    assert kept.text == "Said that the weather is fine." and not kept.verified and not kept.checked
    assert "weather" in kept.untraced
    markdown = briefing.to_markdown()
    # The rendering stands under its own quote, marked, with what could not be traced.
    assert f"» [{kept.citation.n}]\n  *{DRAFT}:* Said that the weather is fine. (untraced: " in markdown
    assert not any("Obama" in s.text for s in briefing.statements)
    page = briefing.html_body()
    item = page[page.rindex('<div class="item">', 0, page.index("Said that the weather is fine.")) :]
    assert item.index(html.escape(kept.quote[:30])) < item.index("Said that the weather is fine.")
