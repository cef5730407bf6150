"""The Chroma store (assistant/storage/chroma.py): its stamp and what a mismatch raises, writes,
queries and deletes, and ``Filters`` (the dict Chroma gets, and ``admits`` agreeing with it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import EmbeddingMismatchError, SettingsError, StoreError
from assistant.records import Article, Chunk
from assistant.storage.chroma import ChromaStore, Filters, day_number


def _open(path: Path, model: str = "test/model", dim: int = 3, chunking: str = "v1", **kw: str) -> ChromaStore:
    return ChromaStore(path=path, embedding_model=model, dim=dim, chunking=chunking, **kw)


def _article(article_id: str, source: str = "khabarain", published: date | None = date(2025, 4, 4)) -> Article:
    return Article(article_id, f"key-{article_id}", "عنوان", "نص الخبر كاملا", source, "ar", published)


def _unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


@dataclass(frozen=True)
class Row:
    """What ``Filters.admits`` reads of a chunk."""

    source: str
    article_id: str
    published: date | None


def test_day_number() -> None:
    assert [day_number(d) for d in (date(1970, 1, 1), date(1970, 1, 2), date(2025, 4, 4))] == [0, 1, 20182]
    assert day_number(date(1969, 12, 31)) == -1


# -- the stamp ----------------------------------------------------------------------------


def test_a_new_store_is_stamped(tmp_path: Path) -> None:
    store = _open(tmp_path / "chroma")
    assert store.collection.metadata == {"embedding_model": "test/model", "dim": 3, "chunking": "v1"}
    assert (store.where, store.is_server, store.owner, store.count()) == (str(tmp_path / "chroma"), False, None, 0)


def test_the_same_settings_open_the_store_again(tmp_path: Path) -> None:
    first = _open(tmp_path / "chroma")
    again = _open(tmp_path / "chroma")
    assert again.collection_id == first.collection_id
    assert again.collection.metadata == {"embedding_model": "test/model", "dim": 3, "chunking": "v1"}


def test_another_embedding_model_is_refused(tmp_path: Path) -> None:
    _open(tmp_path / "chroma")
    with pytest.raises(EmbeddingMismatchError) as caught:
        _open(tmp_path / "chroma", model="intfloat/multilingual-e5-small")
    where = str(tmp_path / "chroma")
    assert (caught.value.path, caught.value.stored, caught.value.wanted) == (
        where,
        "test/model",
        "intfloat/multilingual-e5-small",
    )
    assert str(caught.value) == (
        f"The vector store at {where} was built with embedding model 'test/model', but the settings ask for "
        "'intfloat/multilingual-e5-small'. Use the same model (BRIEFING_EMBEDDING__MODEL='test/model'), point to "
        f"another store (--store DIR / vectorstore_dir=...), or delete {where} and ingest again."
    )


def test_another_dimension_is_refused(tmp_path: Path) -> None:
    _open(tmp_path / "chroma")
    with pytest.raises(EmbeddingMismatchError) as caught:
        _open(tmp_path / "chroma", dim=8)
    assert (caught.value.stored, caught.value.wanted) == ("test/model", "test/model")


def test_a_dimension_mismatch_names_the_dimensions(tmp_path: Path) -> None:
    _open(tmp_path / "chroma")
    with pytest.raises(EmbeddingMismatchError) as caught:
        _open(tmp_path / "chroma", dim=8)
    message = str(caught.value).replace(str(tmp_path), "STORE")  # the folder may hold digits
    assert "(3 dimensions)" in message and "(8 dimensions)" in message


def test_other_chunking_settings_are_refused(tmp_path: Path) -> None:
    _open(tmp_path / "chroma")
    with pytest.raises(StoreError) as caught:
        _open(tmp_path / "chroma", chunking="v2")
    assert not isinstance(caught.value, EmbeddingMismatchError)
    assert str(caught.value) == (
        f"The store at {tmp_path / 'chroma'} was chunked with settings 'v1', not the current 'v2'. "
        "Restore the chunking settings, or use a new store and ingest again."
    )


def test_another_collection_has_its_own_stamp(tmp_path: Path) -> None:
    _open(tmp_path / "chroma")
    other = _open(tmp_path / "chroma", model="other/model", collection="other")
    assert other.collection.metadata == {"embedding_model": "other/model", "dim": 3, "chunking": "v1"}


@pytest.mark.parametrize("url", ["localhost:8000", "127.0.0.1", "ftp://host:8000", "/tmp/chroma"])
def test_a_url_without_http_is_refused(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ChromaStore(url=url, embedding_model="m", dim=3, chunking="v1")
    assert str(caught.value) == (
        f"The Chroma URL must start with http:// or https://, e.g. http://127.0.0.1:8000; got {url!r}"
    )


def test_a_store_that_cannot_be_opened_names_its_place(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(StoreError, match="^Could not open the Chroma store at " + re.escape(f"{blocked}: ")) as caught:
        _open(blocked)
    assert "chroma run" not in str(caught.value)  # the server hint is only for a URL


def test_claiming_keeps_the_stamp(tmp_path: Path) -> None:
    store = _open(tmp_path / "chroma")
    store.claim("catalog-1")
    assert store.owner == "catalog-1"
    assert _open(tmp_path / "chroma").collection.metadata == {
        "embedding_model": "test/model",
        "dim": 3,
        "chunking": "v1",
        "catalog_id": "catalog-1",
    }


# -- writes, queries, deletes ---------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    store = _open(tmp_path / "chroma")
    articles = {"a1": _article("a1"), "a2": _article("a2", source="other", published=None)}
    chunks = [
        Chunk("a1-0", "a1", 0, "نص", 0, 2),
        Chunk("a1-1", "a1", 1, "الخبر", 3, 8),
        Chunk("a2-0", "a2", 0, "كاملا", 9, 14),
    ]
    store.upsert(articles, chunks, np.stack([_unit(1, 0, 0), _unit(1, 1, 0), _unit(0, 0, 1)]))
    return store


def test_upsert_writes_vectors_documents_and_metadata(store: ChromaStore) -> None:
    got = store.collection.get(ids=["a1-1", "a2-0"], include=["metadatas", "documents"])
    by_id = dict(zip(got["ids"], zip(got["documents"] or [], got["metadatas"] or [], strict=True), strict=True))
    assert by_id["a1-1"] == (
        "الخبر",
        {
            "article_id": "a1",
            "index": 1,
            "start": 3,
            "end": 8,
            "source": "khabarain",
            "lang": "ar",
            "published_day": 20182,
        },
    )
    # No date: no published_day, so a date bound leaves the chunk out.
    assert by_id["a2-0"] == (
        "كاملا",
        {"article_id": "a2", "index": 0, "start": 9, "end": 14, "source": "other", "lang": "ar"},
    )
    assert store.count() == 3 and sorted(store.all_ids()) == ["a1-0", "a1-1", "a2-0"]


def test_writing_twice_changes_nothing(store: ChromaStore) -> None:
    articles = {"a1": _article("a1")}
    store.upsert(articles, [Chunk("a1-0", "a1", 0, "نص", 0, 2)], np.stack([_unit(1, 0, 0)]))
    store.upsert(articles, [], np.zeros((0, 3), dtype=np.float32))  # nothing to write
    assert store.count() == 3


def test_query_gives_cosine_similarity_best_first(store: ChromaStore) -> None:
    hits = store.query(_unit(1, 0, 0), 5)
    assert [cid for cid, _ in hits] == ["a1-0", "a1-1", "a2-0"]
    assert [round(score, 4) for _, score in hits] == [1.0, round(float(np.sqrt(0.5)), 4), 0.0]
    assert [cid for cid, _ in store.query(_unit(1, 0, 0), 2)] == ["a1-0", "a1-1"]
    assert store.query(_unit(1, 0, 0), 0) == [] and store.query(_unit(1, 0, 0), -1) == []


def test_query_on_an_empty_store(tmp_path: Path) -> None:
    assert _open(tmp_path / "chroma").query(_unit(1, 0, 0), 5) == []


def test_query_with_filters(store: ChromaStore) -> None:
    def ids(filters: Filters) -> list[str]:
        return [cid for cid, _ in store.query(_unit(1, 0, 0), 10, filters)]

    assert ids(Filters(sources=("other",))) == ["a2-0"]
    assert ids(Filters(article_ids=("a1",))) == ["a1-0", "a1-1"]
    assert ids(Filters(since=date(2000, 1, 1))) == ["a1-0", "a1-1"]  # a2 has no date
    assert ids(Filters(until=date(2025, 4, 3))) == []
    assert ids(Filters()) == ["a1-0", "a1-1", "a2-0"]


def test_delete_chunks_and_articles(store: ChromaStore) -> None:
    store.delete_chunks(["a1-1", "not-there"])
    assert sorted(store.all_ids()) == ["a1-0", "a2-0"]
    store.delete_article("a2")
    assert store.all_ids() == ["a1-0"]
    store.delete_article("never-ingested")
    store.delete_chunks([])
    assert store.count() == 1


# -- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), None),
        (Filters(sources=("khabarain",)), {"source": {"$in": ["khabarain"]}}),
        (Filters(article_ids=("a1", "a2")), {"article_id": {"$in": ["a1", "a2"]}}),
        (Filters(since=date(2025, 4, 4)), {"published_day": {"$gte": 20182}}),
        (Filters(until=date(1970, 1, 2)), {"published_day": {"$lte": 1}}),
        (
            Filters(sources=("a", "b"), article_ids=("x",), since=date(1970, 1, 1), until=date(1970, 1, 31)),
            {
                "$and": [
                    {"source": {"$in": ["a", "b"]}},
                    {"article_id": {"$in": ["x"]}},
                    {"published_day": {"$gte": 0}},
                    {"published_day": {"$lte": 30}},
                ]
            },
        ),
        (
            Filters(sources=("خبرين",), until=date(2025, 4, 4)),
            {"$and": [{"source": {"$in": ["خبرين"]}}, {"published_day": {"$lte": 20182}}]},
        ),
    ],
)
def test_to_chroma(filters: Filters, expected: dict[str, object] | None) -> None:
    assert filters.to_chroma() == expected
    assert filters.is_empty() == (expected is None)


ROWS = [
    Row("khabarain", "x1", date(2025, 1, 1)),
    Row("khabarain", "x2", date(2025, 2, 1)),
    Row("reuters", "x3", date(2025, 3, 1)),
    Row("reuters", "x4", None),
    Row("خبرين", "x5", date(2025, 2, 1)),
    Row("khabarain", "x6", None),
]
FILTERS = [
    Filters(),
    Filters(sources=("reuters",)),
    Filters(sources=("khabarain", "خبرين")),
    Filters(article_ids=("x4", "x5", "unknown")),
    Filters(since=date(2025, 2, 1)),  # both bounds are inclusive
    Filters(until=date(2025, 2, 1)),
    Filters(since=date(2025, 2, 1), until=date(2025, 2, 1)),
    Filters(since=date(2025, 3, 2)),
    Filters(sources=("reuters",), since=date(2000, 1, 1)),  # x4 has no date: left out
    Filters(sources=("khabarain",), article_ids=("x1", "x3", "x6"), until=date(2030, 1, 1)),
    Filters(sources=("nobody",)),
]
ADMITTED = [
    {"x1", "x2", "x3", "x4", "x5", "x6"},
    {"x3", "x4"},
    {"x1", "x2", "x5", "x6"},
    {"x4", "x5"},
    {"x2", "x3", "x5"},
    {"x1", "x2", "x5"},
    {"x2", "x5"},
    set(),
    {"x3"},
    {"x1"},
    set(),
]


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaStore]:
    store = _open(tmp_path_factory.mktemp("filters") / "chroma")
    articles = {r.article_id: _article(r.article_id, r.source, r.published) for r in ROWS}
    chunks = [Chunk(f"{r.article_id}-0", r.article_id, 0, "نص", 0, 2) for r in ROWS]
    store.upsert(articles, chunks, np.stack([_unit(1, i, 0) for i in range(len(ROWS))]))
    yield store


@pytest.mark.parametrize(("filters", "admitted"), list(zip(FILTERS, ADMITTED, strict=True)))
def test_admits_agrees_with_chroma(filled_store: ChromaStore, filters: Filters, admitted: set[str]) -> None:
    assert {r.article_id for r in ROWS if filters.admits(r)} == admitted
    hits = filled_store.query(_unit(1, 0, 0), len(ROWS), filters)
    assert {cid.removesuffix("-0") for cid, _ in hits} == admitted
