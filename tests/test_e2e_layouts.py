"""End to end: the same corpus kept as JSON Lines or as one ``.txt`` file per article (title line,
blank line, text) gives the same top passages, for English and Arabic questions (real e5 model,
real Chroma). A reader's choice of layout must not change what the assistant finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.evaluation.layout import write_text_layout
from assistant.evaluation.metrics import is_hit

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
XQUAD = ROOT / "evals" / "xquad"
DOCS = ("xquad-02", "xquad-05", "xquad-09")  # 15 paragraphs: three dev articles


def _stem(key: str) -> str:
    return Path(key).stem if key.endswith(".txt") else key


def test_jsonl_and_text_files_give_the_same_top_passages(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (XQUAD / "xquad_ar_corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["doc_id"] in DOCS))
    folder = write_text_layout(corpus, tmp_path / "files")
    assert len(list(folder.glob("*.txt"))) == 15

    as_jsonl = Assistant(Settings(vectorstore_dir=tmp_path / "a"))
    as_files = Assistant(Settings(vectorstore_dir=tmp_path / "b"), embedder=as_jsonl.embedder)
    assert len(as_jsonl.ingest([corpus]).added) == len(as_files.ingest([folder]).added) == 15

    paragraphs = {r["passage_id"] for r in rows if r["doc_id"] in DOCS}
    questions = [json.loads(line) for line in (XQUAD / "xquad_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = [q for q in questions if q["gold_passage_id"] in paragraphs]
    for lang in ("en", "ar"):
        asked = [q for q in questions if q["lang"] == lang][:12]
        assert len(asked) == 12
        found = 0
        for q in asked:
            a, b = as_jsonl.search(q["question"], k=3), as_files.search(q["question"], k=3)
            assert [(_stem(p.key), p.text) for p in a] == [(_stem(p.key), p.text) for p in b], q["question"]
            found += any(is_hit(p, q) for p in a)
        assert found >= 10, f"{lang}: only {found} of 12 questions have a passage holding the answer in the top 3"
