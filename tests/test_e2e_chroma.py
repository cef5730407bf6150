"""End to end on a real Chroma server: `chroma run` on 127.0.0.1, started and stopped by this test,
with the real e5 model; ingest, search and ask (extractive) behave as on the embedded store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings, StoreError
from assistant.cli import main

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


def test_ingest_search_ask_through_a_chroma_server(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_CHROMA_URL", chroma_server)
    served = Assistant(Settings(vectorstore_dir=tmp_path / "served"))
    assert served.store.is_server and served.store.where == chroma_server
    report = served.ingest([ROOT / "seeds"])
    assert len(report.added) == 1 and served.store.count() == report.chunks_added > 3
    assert served.ingest([ROOT / "seeds"]).chunks_added == 0  # unchanged: nothing re-embedded
    assert (tmp_path / "served" / "catalog.sqlite").exists() and not (tmp_path / "served" / "chroma").exists()

    # The same articles in the embedded store (same model object): the same passages, in the same order.
    embedded = Assistant(Settings(vectorstore_dir=tmp_path / "embedded"), chroma_url="", embedder=served.embedder)
    assert not embedded.store.is_server
    embedded.ingest([ROOT / "seeds"])
    for question in ("What did Rubio tell Russia?", "ماذا قال ريابكوف عن المقترحات الأمريكية؟"):
        hits = served.search(question, k=5)
        assert [h.chunk_id for h in hits] == [h.chunk_id for h in embedded.search(question, k=5)]
    assert "الوقت يمر بسرعة" in served.search("What did Rubio tell Russia?", k=5)[0].text

    answer = served.ask("كم مرة سافر روبيو إلى السعودية خلال الشهرين الماضيين؟", backend="extractive")
    assert not answer.abstained and "مرتين" in answer.citations[0].quote
    c = answer.citations[0]
    assert served.article_text(c.passage.article_id)[c.quote_start : c.quote_end] == c.quote  # type: ignore[index]

    # A catalog built on the server is not opened with the embedded store, nor the reverse.
    with pytest.raises(StoreError, match=f"Open it with --chroma-url {chroma_server}"):
        Assistant(Settings(vectorstore_dir=tmp_path / "served"), chroma_url="", embedder=served.embedder)
    with pytest.raises(StoreError, match="Open it with the embedded store"):
        Assistant(Settings(vectorstore_dir=tmp_path / "embedded"), embedder=served.embedder)
    # Another catalog cannot fill the server's collection the first one indexes.
    with pytest.raises(StoreError, match="indexed by another catalog"):
        Assistant(Settings(vectorstore_dir=tmp_path / "third"), embedder=served.embedder)

    # The global CLI option reaches the command (the variable is unset, so only the option says where).
    monkeypatch.delenv("BRIEFING_CHROMA_URL")
    result = CliRunner().invoke(
        main, ["--chroma-url", chroma_server, "sources", "--store", str(tmp_path / "served"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert [row["article_id"] for row in json.loads(result.output)] == report.added
