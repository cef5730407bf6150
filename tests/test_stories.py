"""Stories across outlets (``retrieval/stories.py``) and how the façade names them: grouping rules
on made-up articles, and with the hash embedder, that search results stay exactly as found and
only gain their story and outlets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.retrieval.stories import StoryRules, group_stories
from assistant.storage.catalog import ArticleInfo

WIRE = "قال وزير الخارجية إن المحادثات ستستأنف في جنيف الأسبوع المقبل بمشاركة الأطراف كافة وبرعاية الأمم المتحدة"


def _info(aid: str, source: str, day: date | None, title: str = "عنوان") -> ArticleInfo:
    return ArticleInfo(aid, aid, title, source, None, day, "ar", 1)


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _groups(infos: list[ArticleInfo], texts: dict[str, str], vectors: dict[str, np.ndarray]) -> list[set[str]]:
    return [set(s.article_ids) for s in group_stories(infos, texts.__getitem__, vectors) if len(s.article_ids) > 1]


def test_close_openings_within_two_days_are_one_story_across_outlets() -> None:
    infos = [_info("a", "BBC", date(2018, 5, 30)), _info("b", "skynews", date(2018, 5, 31)),
             _info("c", "CNN", date(2018, 6, 5)), _info("d", "france24", date(2018, 5, 30))]  # fmt: skip
    same = _unit(1, 0.1, 0)
    vectors = {"a": same, "b": _unit(1, 0.12, 0.01), "c": same, "d": _unit(0, 1, 0)}
    texts = {k: f"نص {k}" for k in "abcd"}
    stories = group_stories(infos, texts.__getitem__, vectors)
    assert [(set(s.article_ids), s.outlets) for s in stories if len(s.article_ids) > 1] == [
        ({"a", "b"}, ("BBC", "skynews"))
    ]
    story = next(s for s in stories if "a" in s.article_ids)
    assert (story.first, story.last, story.title) == (date(2018, 5, 30), date(2018, 5, 31), "عنوان")


def test_wire_copy_is_one_story_by_its_wording_even_with_a_date_missing() -> None:
    infos = [_info("a", "alarabia", date(2018, 3, 12)), _info("b", "skynews", date(2018, 3, 12)),
             _info("c", "BBC", None), _info("d", "CNN", date(2018, 3, 12))]  # fmt: skip
    texts = {"a": WIRE, "b": WIRE + " وأضاف أن", "c": WIRE, "d": "خبر آخر تماما عن الطقس في لندن اليوم"}
    vectors = {"a": _unit(1, 0.5, 0), "b": _unit(1, 0.55, 0.3), "d": _unit(0, 0.2, 1)}  # c: no vector
    assert _groups(infos, texts, vectors) == [{"a", "b", "c"}]


def test_close_but_not_same_needs_shared_title_words() -> None:
    infos = [_info("a", "BBC", date(2018, 4, 10), "منظمة حظر الأسلحة الكيمياوية ترسل فريقا إلى دوما"),
             _info("b", "skynews", date(2018, 4, 10), "منظمة حظر الأسلحة الكيمياوية سترسل فريقا لدوما"),
             _info("c", "CNN", date(2018, 4, 10), "ترامب يلغي زيارة إلى أمريكا اللاتينية")]  # fmt: skip
    v = _unit(1, 0, 0)
    near = _unit(1, 0.5, 0)  # cosine 0.894: close, not the same
    texts = {"a": "نص أول", "b": "نص ثان", "c": "نص ثالث"}
    other = _unit(1, -0.5, 0)  # as close to a, far from b
    assert _groups(infos, texts, {"a": v, "b": near, "c": other}) == [{"a", "b"}]
    assert _groups(infos, texts, {"a": v, "b": _unit(1, 0.7, 0), "c": other}) == []  # cosine 0.82


def test_rules_are_parameters() -> None:
    infos = [_info("a", "BBC", date(2018, 1, 1)), _info("b", "CNN", date(2018, 1, 4))]
    vectors = {"a": _unit(1, 0), "b": _unit(1, 0)}
    texts = {"a": "x", "b": "y"}
    assert group_stories(infos, texts.__getitem__, vectors)[0].article_ids in (("a",), ("b",))
    wide = group_stories(infos, texts.__getitem__, vectors, StoryRules(max_days=3))
    assert wide[0].article_ids == ("a", "b") and wide[0].outlets == ("BBC", "CNN")


def test_search_results_keep_what_was_found_and_name_their_story(fake_assistant: Assistant, tmp_path: Path) -> None:
    for name, source, more in (("one.txt", "bbc", ""), ("two.txt", "skynews", " وقال مصدر إن الموعد نهائي.")):
        folder = tmp_path / source
        folder.mkdir()
        text = f"---\ndate: 2018-05-30\n---\nعنوان الخبر\n\n{WIRE}. وتابع أن الوفود ستصل يوم الأحد.{more}\n"
        (folder / name).write_text(text)
    (tmp_path / "cnn").mkdir()
    (tmp_path / "cnn" / "three.txt").write_text(
        "---\ndate: 2018-05-30\n---\nطقس\n\nأمطار غزيرة في لندن اليوم مع رياح قوية.\n"
    )
    fake_assistant.ingest([tmp_path / "bbc", tmp_path / "skynews", tmp_path / "cnn"])
    [story] = fake_assistant.stories()
    assert set(story.outlets) == {"bbc", "skynews"} and len(story.article_ids) == 2
    plain = fake_assistant.searcher.search("المحادثات في جنيف", 3)
    named = fake_assistant.search("المحادثات في جنيف", k=3)
    assert [(p.chunk_id, p.text, p.score) for p in named] == [(p.chunk_id, p.text, p.score) for p in plain]
    for p in named:
        expected = tuple(story.outlets) if p.article_id in story.article_ids else (p.source,)
        assert p.outlets == expected and p.story is not None
    assert len(fake_assistant.stories(min_articles=1)) == 2


def test_a_large_store_names_stories_from_the_last_build_while_a_new_one_is_made(
    fake_assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.retrieval.stories as stories

    for source, more in (("bbc", ""), ("skynews", " وقال مصدر إن الموعد نهائي.")):
        (tmp_path / source).mkdir()
        (tmp_path / source / "wire.txt").write_text(f"---\ndate: 2018-05-30\n---\nعنوان\n\n{WIRE}.{more}\n")
    fake_assistant.ingest([tmp_path / "bbc", tmp_path / "skynews"])
    monkeypatch.setattr(stories, "SYNC_ARTICLES", 0)  # every store counts as large
    index = fake_assistant.story_index
    [article] = [a for a in fake_assistant.articles() if a.source == "bbc"]
    assert index.story_of(article.article_id) is None  # never built: the search does not wait
    assert index._building is not None
    index._building.join(timeout=60)
    story = index.story_of(article.article_id)
    assert story is not None and set(story.outlets) == {"bbc", "skynews"}
    # The build was saved beside the catalog: a new process names stories at once.
    again = stories.StoryIndex(fake_assistant.catalog, fake_assistant.store)
    assert again.story_of(article.article_id) == story and index.path.name == "stories.json"
