"""The façade with the hash embedder: ingestion bookkeeping, search plumbing, filters, errors."""

import json
from datetime import date
from pathlib import Path

import pytest

from assistant import Assistant, EmbeddingMismatchError, EmptyStoreError, QuestionError, Settings, SettingsError
from assistant.testing import HashEmbedder


def test_ingest_seed_then_reingest_is_a_no_op(fake_assistant: Assistant, seed_path: Path) -> None:
    first = fake_assistant.ingest([seed_path.parent])
    assert (len(first.added), len(first.unchanged), first.failed) == (1, 0, [])
    n_vectors = fake_assistant.store.count()
    assert n_vectors == first.chunks_added > 3
    calls = fake_assistant.embedder.calls  # type: ignore[attr-defined]
    again = fake_assistant.ingest([seed_path])
    assert (again.added, len(again.unchanged), again.chunks_added) == ([], 1, 0)
    assert fake_assistant.store.count() == n_vectors
    assert fake_assistant.embedder.calls == calls  # type: ignore[attr-defined]  # nothing re-embedded


def test_no_indexed_passage_holds_boilerplate(fake_assistant: Assistant, seed_path: Path) -> None:
    fake_assistant.ingest([seed_path])
    documents = fake_assistant.store.collection.get(include=["documents"])["documents"]
    assert documents
    for doc in documents:
        for phrase in ("المحكمة العليا", "النيجر", "كورسك", "الملك تشارلز"):
            assert phrase not in doc
    [info] = fake_assistant.articles()
    assert "النيجر" in " ".join(s.text for s in fake_assistant.stripped(info.article_id))


def test_changed_article_replaces_its_chunks(fake_assistant: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("عنوان الخبر\nالجملة الأولى عن روسيا. الجملة الثانية عن أوكرانيا.", encoding="utf-8")
    first = fake_assistant.ingest([path])
    old_id = first.added[0]
    path.write_text("عنوان الخبر\nنص جديد تماما عن بروكسل وحلف الناتو.", encoding="utf-8")
    second = fake_assistant.ingest([path])
    assert second.replaced and not second.added
    [info] = fake_assistant.articles()
    assert info.article_id == second.replaced[0] != old_id
    ids = fake_assistant.store.all_ids()
    assert ids and all(i.startswith(info.article_id) for i in ids)
    hits = fake_assistant.search("روسيا", k=5)
    assert all("روسيا" not in h.text for h in hits)


def test_batch_goes_on_after_a_bad_file(fake_assistant: Assistant, tmp_path: Path, seed_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a_binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "in" / "b_cp1256.txt").write_bytes("خبر عن روسيا وأوكرانيا والسلام.".encode("cp1256"))
    (tmp_path / "in" / "c_seed.txt").write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    report = fake_assistant.ingest([tmp_path / "in", tmp_path / "nowhere"])
    assert len(report.added) == 2
    assert [(Path(f.path).name, f.reason.split(";")[0]) for f in report.failed] == [
        ("a_binary.txt", "the file is binary, not text"),
        ("nowhere", "no such file or folder"),
    ]


def test_jsonl_bad_lines_reported_good_ones_ingested(fake_assistant: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    rows = [json.dumps({"id": str(i), "text": f"خبر رقم {i} عن السلام."}, ensure_ascii=False) for i in range(3)]
    path.write_text("\n".join([rows[0], "{oops", rows[1], rows[2]]), encoding="utf-8")
    report = fake_assistant.ingest([path])
    assert len(report.added) == 3
    assert [f.path for f in report.failed] == [f"{path}:2"]


def _two_sources(a: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {
                    "id": "a",
                    "source": "bbc",
                    "published": "2025-04-01",
                    "text": "روبيو يتحدث عن روسيا والسلام.",
                },
                {
                    "id": "b",
                    "source": "cnn",
                    "published": "2025-05-01",
                    "text": "روبيو يتحدث عن روسيا والحرب.",
                },
                {"id": "c", "source": "cnn", "text": "روبيو في بروكسل مع روسيا."},
            ]
        ),
        encoding="utf-8",
    )
    a.ingest([path])


def test_filters_by_source_article_and_date(fake_assistant: Assistant, tmp_path: Path) -> None:
    _two_sources(fake_assistant, tmp_path)
    for mode in ("hybrid", "dense", "lexical"):
        assert {h.key for h in fake_assistant.search("روبيو روسيا", 10, mode=mode)} == {"a", "b", "c"}
        assert {h.key for h in fake_assistant.search("روبيو روسيا", 10, sources=["cnn"], mode=mode)} == {
            "b",
            "c",
        }
        since = {h.key for h in fake_assistant.search("روبيو روسيا", 10, since=date(2025, 4, 15), mode=mode)}
        assert since == {"b"}
        until = {h.key for h in fake_assistant.search("روبيو روسيا", 10, until=date(2025, 4, 15), mode=mode)}
        assert until == {"a"}
    [b_id] = [i.article_id for i in fake_assistant.articles() if i.key == "b"]
    assert {h.key for h in fake_assistant.search("روسيا", 10, article_ids=[b_id])} == {"b"}


def test_hybrid_leaves_out_lexical_for_unreadable_questions(fake_assistant: Assistant, tmp_path: Path) -> None:
    _two_sources(fake_assistant, tmp_path)
    fake_assistant.search("What did Rubio say about the war?", 3)
    assert fake_assistant.searcher.last_trace is not None
    assert fake_assistant.searcher.last_trace.lexical_weight == 0.0
    fake_assistant.search("روبيو روسيا الحرب", 3)
    assert fake_assistant.searcher.last_trace.lexical_weight > 0.9


def test_passages_carry_provenance(fake_assistant: Assistant, seed_path: Path) -> None:
    fake_assistant.ingest([seed_path])
    [hit] = fake_assistant.search("الوقت يمر بسرعة", 1)
    text = fake_assistant.article_text(hit.article_id)
    assert text is not None and text[hit.start : hit.end] == hit.text
    assert hit.title == "محادثات السلام الأوكرانية تتطلب خطوات عاجلة" and hit.lang == "ar"
    docs = fake_assistant.as_retriever(k=2).invoke("الوقت يمر بسرعة")
    assert len(docs) == 2 and docs[0].metadata["chunk_id"] == hit.chunk_id


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000])
def test_bad_questions_get_clear_errors(fake_assistant: Assistant, question: str) -> None:
    with pytest.raises(QuestionError) as info:
        fake_assistant.search(question)
    assert "empty" in str(info.value) or "10,000 characters" in str(info.value)


def test_bad_k(fake_assistant: Assistant) -> None:
    with pytest.raises(SettingsError, match="k must be greater than 0. Currently, k is 0"):
        fake_assistant.search("روسيا", 0)


def test_store_built_with_another_model_is_refused(tmp_path: Path, seed_path: Path) -> None:
    settings = Settings(vectorstore_dir=tmp_path / "s", cache_dir=tmp_path / "c")
    Assistant(settings, embedder=HashEmbedder(name="model-a")).ingest([seed_path])
    with pytest.raises(EmbeddingMismatchError) as info:
        Assistant(settings, embedder=HashEmbedder(name="model-b"))
    assert "'model-a'" in str(info.value) and "'model-b'" in str(info.value)


def test_reading_an_empty_store_names_it(fake_assistant: Assistant) -> None:
    store = fake_assistant.settings.vectorstore_dir
    message = f"The store at {store} holds no article; ingest articles first: briefing ingest PATH --store {store}"
    for read in (
        lambda: fake_assistant.search("روسيا"),
        lambda: fake_assistant.ask("ماذا قال روبيو؟", backend="extractive"),
        lambda: list(fake_assistant.stream("ماذا قال روبيو؟", backend="extractive")),
        lambda: fake_assistant.brief(backend="extractive"),
        lambda: fake_assistant.brief("Ukraine", backend="extractive"),
    ):
        with pytest.raises(EmptyStoreError) as info:
            read()
        assert str(info.value) == message and info.value.path == str(store)
    assert fake_assistant.articles() == []  # listing is not reading: nothing to list


def test_a_store_that_must_exist_is_not_created(tmp_path: Path, seed_path: Path) -> None:
    settings = Settings(vectorstore_dir=tmp_path / "stroe", cache_dir=tmp_path / "c")
    with pytest.raises(EmptyStoreError, match=r"There is no store at .*stroe \(no such folder\)") as info:
        Assistant(settings, embedder=HashEmbedder(), create=False)
    assert info.value.missing and not (tmp_path / "stroe").exists()
    Assistant(settings, embedder=HashEmbedder()).ingest([seed_path])  # the default creates it, for ingest
    assert len(Assistant(settings, embedder=HashEmbedder(), create=False).search("روسيا", 1)) == 1


def test_two_files_with_the_same_text_in_one_batch_are_stored_once(
    fake_assistant: Assistant, seed_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copies" / "same.txt"
    copy.parent.mkdir()
    copy.write_bytes(seed_path.read_bytes())
    report = fake_assistant.ingest([seed_path, copy])
    assert len(report.added) == 1 and len(report.unchanged) == 1 and not report.failed
    assert fake_assistant.catalog.counts()[0] == 1
