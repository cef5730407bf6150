"""The catalog (assistant/storage/catalog.py): articles and chunks, replacement, chunk rows and
passages, sentence vectors, stamps and the generation number; every test that takes ``catalog``
runs on both implementations, SQLite and PostgreSQL (a real server, ``tests/postgres.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.records import Article, Chunk, Passage, Stripped
from assistant.storage.catalog import ArticleInfo, Catalog, ChunkRow
from assistant.storage.postgres import PostgresCatalog

TEXT = "قال روبيو إن الوقت ينفد. وأضاف أنه قصير جدًا."  # two sentences, 24 + 1 + 21 characters


def _article(
    article_id: str = "a1",
    key: str = "seeds/one.txt",
    text: str = TEXT,
    title: str = "محادثات السلام",
    published: date | None = date(2025, 4, 4),
    source: str = "khabarain",
) -> Article:
    return Article(
        id=article_id,
        key=key,
        title=title,
        text=text,
        source=source,
        lang="ar",
        published=published,
        url="https://example.org/1",
        stripped=(Stripped("see-also-link", "شاهد ايضاً: الجيش الأمريكي ينجز انسحابه من النيجر"),),
    )


def _chunks(article: Article, cuts: list[tuple[int, int]]) -> list[Chunk]:
    return [Chunk(f"{article.id}-{i}", article.id, i, article.text[s:e], s, e) for i, (s, e) in enumerate(cuts)]


@pytest.fixture(params=["sqlite", "postgres"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    if request.param == "sqlite":
        made = Catalog(tmp_path / "store" / "catalog.sqlite")
    else:
        made = PostgresCatalog(request.getfixturevalue("postgres").database(), tmp_path / "store")
    yield made
    made.close()


@pytest.fixture
def filled(catalog: Catalog) -> Catalog:
    article = _article()
    catalog.put([(article, _chunks(article, [(0, 24), (25, 46)]))])
    return catalog


def test_a_new_catalog_is_empty(catalog: Catalog, tmp_path: Path) -> None:
    assert catalog.folder == tmp_path / "store" and catalog.folder.is_dir()  # the folder is made too
    assert (catalog.counts(), catalog.articles(), catalog.generation) == ((0, 0), [], 0)
    assert (catalog.article_id_for_key("seeds/one.txt"), catalog.has_article("a1")) == (None, False)
    assert (catalog.article_text("a1"), catalog.stripped("a1"), catalog.chunk_ids_of("a1")) == (None, [], [])
    assert catalog.chunk_rows(["a1-0"]) == {} and list(catalog.iter_chunk_rows()) == []


def test_put_records_the_article_and_its_chunks(filled: Catalog) -> None:
    assert filled.counts() == (1, 2)
    assert filled.article_id_for_key("seeds/one.txt") == "a1"
    assert filled.article_id_for_key("seeds/other.txt") is None
    assert (filled.has_article("a1"), filled.has_article("a2")) == (True, False)
    assert filled.article_text("a1") == TEXT
    assert filled.stripped("a1") == [Stripped("see-also-link", "شاهد ايضاً: الجيش الأمريكي ينجز انسحابه من النيجر")]
    assert filled.chunk_ids_of("a1") == ["a1-0", "a1-1"]
    assert filled.articles() == [
        ArticleInfo(
            "a1", "seeds/one.txt", "محادثات السلام", "khabarain", "https://example.org/1", date(2025, 4, 4), "ar", 2
        )
    ]


def test_chunk_rows_slice_the_article_text(filled: Catalog) -> None:
    rows = filled.chunk_rows(["a1-1", "missing", "a1-0"])
    assert sorted(rows) == ["a1-0", "a1-1"]  # unknown ids are left out
    assert rows["a1-1"] == ChunkRow(
        chunk_id="a1-1",
        article_id="a1",
        key="seeds/one.txt",
        index=1,
        start=25,
        end=46,
        text="وأضاف أنه قصير جدًا.",
        title="محادثات السلام",
        source="khabarain",
        url="https://example.org/1",
        published=date(2025, 4, 4),
        lang="ar",
    )
    assert rows["a1-0"].text == "قال روبيو إن الوقت ينفد."
    assert filled.chunk_rows([]) == {}


def test_chunk_rows_in_batches_past_the_sqlite_limit(catalog: Catalog) -> None:
    text = "كلمة " * 1200
    article = _article(text=text)
    chunks = _chunks(article, [(5 * i, 5 * i + 4) for i in range(1200)])
    catalog.put([(article, chunks)])
    rows = catalog.chunk_rows([c.id for c in chunks])  # asked for in batches of 500
    assert len(rows) == 1200 and {r.text for r in rows.values()} == {"كلمة"}


def test_a_chunk_row_becomes_a_passage(filled: Catalog) -> None:
    row = filled.chunk_rows(["a1-0"])["a1-0"]
    assert row.to_passage(0.75, dense_rank=2, lexical_rank=None) == Passage(
        chunk_id="a1-0",
        article_id="a1",
        key="seeds/one.txt",
        index=0,
        text="قال روبيو إن الوقت ينفد.",
        start=0,
        end=24,
        title="محادثات السلام",
        source="khabarain",
        lang="ar",
        published=date(2025, 4, 4),
        url="https://example.org/1",
        score=0.75,
        dense_rank=2,
        lexical_rank=None,
    )
    default = row.to_passage()
    assert (default.score, default.dense_rank, default.lexical_rank) == (0.0, None, None)


def test_every_chunk_row_article_by_article(catalog: Catalog) -> None:
    second = _article("a0", key="seeds/two.txt", title="ب")
    first = _article()
    catalog.put([(first, _chunks(first, [(25, 46), (0, 24)])), (second, _chunks(second, [(0, 46)]))])
    # Articles by id, chunks by index: a0 before a1; a1-0 is the chunk whose index is 0.
    assert [(r.chunk_id, r.index, r.start) for r in catalog.iter_chunk_rows()] == [
        ("a0-0", 0, 0),
        ("a1-0", 0, 25),
        ("a1-1", 1, 0),
    ]


def test_replacing_an_article_removes_its_old_chunks(filled: Catalog) -> None:
    filled.put_sentence_vectors("m", {"a1-0": ([(0, 24)], np.ones((1, 4), dtype=np.float32))})
    new = _article("a2", text="نص جديد للخبر.")
    filled.put([(new, _chunks(new, [(0, 14)]))], replacing=["a1"])
    assert filled.counts() == (1, 1)
    assert (filled.has_article("a1"), filled.article_id_for_key("seeds/one.txt")) == (False, "a2")
    assert filled.chunk_rows(["a1-0", "a1-1"]) == {} and filled.chunk_ids_of("a2") == ["a2-0"]
    assert filled.sentence_vectors(["a1-0"], "m") == {}  # the vectors went with the chunk


def test_the_same_key_without_replacing_still_keeps_one_article(filled: Catalog) -> None:
    new = _article("a2", text="نص جديد للخبر.")
    filled.put([(new, _chunks(new, [(0, 14)]))])  # the key is unique: the old row and its chunks go
    assert filled.counts() == (1, 1)
    assert [info.article_id for info in filled.articles()] == ["a2"]


def test_articles_newest_first_unknown_dates_last_then_by_title(catalog: Catalog) -> None:
    rows = [
        _article("x1", "k1", title="ب", published=date(2025, 1, 1)),
        _article("x2", "k2", title="أ", published=None),
        _article("x3", "k3", title="ج", published=date(2025, 3, 1)),
        _article("x4", "k4", title="ا", published=date(2025, 1, 1)),
        _article("x5", "k5", title="Z", published=None),
    ]
    catalog.put([(a, []) for a in rows])
    assert [info.article_id for info in catalog.articles()] == ["x3", "x4", "x1", "x5", "x2"]
    assert catalog.counts() == (5, 0)


@pytest.mark.parametrize(
    "text",
    ["", "A plain English article.", "نصٌّ بِالتَّشْكِيلِ وَالتَّطْوِيـــلِ 🙂\u200f", "طويل " * 20_000],
)
def test_text_is_stored_exactly(catalog: Catalog, text: str) -> None:
    article = _article(text=text, title=text[:50])
    catalog.put([(article, _chunks(article, [(0, len(text))]))])
    assert catalog.article_text("a1") == text
    assert catalog.chunk_rows(["a1-0"])["a1-0"].text == text
    assert catalog.articles()[0].title == text[:50]


def test_sentence_vectors_are_stored_and_read_back(filled: Catalog) -> None:
    vectors = np.arange(6, dtype=np.float32).reshape(2, 3)
    filled.put_sentence_vectors("e5", {"a1-0": ([(0, 9), (10, 24)], vectors), "gone": ([(0, 1)], vectors[:1])})
    found = filled.sentence_vectors(["a1-0", "a1-1", "gone"], "e5")
    assert list(found) == ["a1-0"]  # a1-1 has none; "gone" is no chunk, so it was skipped
    offsets, read = found["a1-0"]
    assert offsets == [(0, 9), (10, 24)]
    assert read.dtype == np.float32 and read.tolist() == vectors.tolist()
    assert filled.sentence_vectors(["a1-0"], "another-model") == {}  # stored per model


def test_a_chunk_without_sentences_stores_an_empty_row(filled: Catalog) -> None:
    filled.put_sentence_vectors("e5", {"a1-1": ([], np.zeros((0, 3), dtype=np.float32))})
    offsets, vectors = filled.sentence_vectors(["a1-1"], "e5")["a1-1"]
    assert (offsets, vectors.shape) == ([], (0, 0))


def test_sentence_vectors_must_match_their_spans(filled: Catalog) -> None:
    with pytest.raises(ValueError, match="2 sentence spans but 1 vectors for chunk a1-0"):
        filled.put_sentence_vectors("e5", {"a1-0": ([(0, 9), (10, 24)], np.ones((1, 3), dtype=np.float32))})
    assert filled.sentence_vectors(["a1-0"], "e5") == {}


def test_sentence_vectors_go_in_with_the_articles(catalog: Catalog) -> None:
    article = _article()
    vectors = np.ones((1, 2), dtype=np.float32)
    catalog.put([(article, _chunks(article, [(0, 24)]))], sentences=("e5", {"a1-0": ([(0, 24)], vectors)}))
    assert catalog.sentence_vectors(["a1-0"], "e5")["a1-0"][0] == [(0, 24)]
    catalog.put([(article, _chunks(article, [(0, 24)]))])  # written again without them: they are gone
    assert catalog.sentence_vectors(["a1-0"], "e5") == {}


def test_a_failed_write_changes_nothing(filled: Catalog) -> None:
    new = _article("a2", key="seeds/two.txt")
    with pytest.raises(ValueError):
        filled.put(
            [(new, _chunks(new, [(0, 24)]))],
            replacing=["a1"],
            sentences=("e5", {"a2-0": ([(0, 1), (1, 2)], np.ones((1, 2), dtype=np.float32))}),
        )
    assert (filled.counts(), filled.generation, filled.has_article("a1")) == ((1, 2), 1, True)


def test_every_write_of_articles_bumps_the_generation(catalog: Catalog) -> None:
    article = _article()
    assert catalog.generation == 0
    catalog.put([(article, _chunks(article, [(0, 24)]))])
    assert catalog.generation == 1
    catalog.put([])  # an empty batch is a write too
    assert catalog.generation == 2
    catalog.put([], replacing=["a1"])
    assert (catalog.generation, catalog.counts()) == (3, (0, 0))
    catalog.set_meta("stamp", "x")  # stamps and sentence vectors are not article changes
    catalog.put_sentence_vectors("e5", {})
    assert catalog.generation == 3


def test_stamps_are_kept_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    catalog = Catalog(path)
    assert catalog.get_meta("catalog_id") is None
    catalog.set_meta("catalog_id", "abc")
    catalog.set_meta("catalog_id", "def")  # replaced, not added
    catalog.set_meta("note", "نص عربي")
    article = _article()
    catalog.put([(article, _chunks(article, [(0, 24)]))])
    catalog.close()
    again = Catalog(path)
    assert (again.get_meta("catalog_id"), again.get_meta("note"), again.generation) == ("def", "نص عربي", 1)
    assert again.counts() == (1, 1)
    again.close()


def test_a_store_made_before_author_and_pages_gets_them_and_keeps_its_articles(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE articles (article_id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL, "
        "source TEXT NOT NULL, url TEXT, published TEXT, lang TEXT NOT NULL, text TEXT NOT NULL, "
        "stripped TEXT NOT NULL, n_chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL);"
        "INSERT INTO articles VALUES ('old', 'k', 'T', 's', NULL, NULL, 'ar', 'نص', '[]', 0, 'then');"
    )
    db.commit()
    db.close()
    catalog = Catalog(path)
    paged = Article(id="p1", key="doc.pdf", title="T", text="one two", source="s", lang="en", author="A", pages=(0, 4))
    catalog.put([(paged, [Chunk("c1", "p1", 0, "two", 4, 7)])])
    assert [(i.article_id, i.author) for i in catalog.articles()] == [("old", None), ("p1", "A")]
    [row] = catalog.chunk_rows(["c1"]).values()
    assert (row.pages, row.to_passage().page) == ((0, 4), 2)


def test_a_stamp_set_by_default_keeps_the_first_value(catalog: Catalog) -> None:
    assert catalog.setdefault_meta("catalog_id", "first") == "first"
    assert catalog.setdefault_meta("catalog_id", "second") == "first"  # another process, a moment later
    assert catalog.get_meta("catalog_id") == "first"
