from pathlib import Path

import pytest

from assistant.ingestion.chunking import chunk_article, chunk_text_spans
from assistant.ingestion.reading import make_article
from assistant.models.tokens import count_tokens


@pytest.fixture
def seed_article(seed_path: Path):  # type: ignore[no-untyped-def]
    return make_article(key="seed", text=seed_path.read_text(encoding="utf-8"))


def test_offsets_slice_the_article_text(seed_article) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_article(seed_article, chunk_tokens=120)
    assert len(chunks) > 3
    for i, chunk in enumerate(chunks):
        assert seed_article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.index == i and chunk.article_id == seed_article.id
        assert chunk.id == f"{seed_article.id}-{i:04d}"
    assert all(a.end < b.start for a, b in zip(chunks, chunks[1:], strict=False))


def test_chunks_respect_token_budget_and_sentences(seed_article) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_article(seed_article, chunk_tokens=120)
    for chunk in chunks:
        # No sentence in the seed is longer than 120 tokens, so every chunk ends a sentence.
        assert count_tokens(chunk.text) <= 120 + 10
        assert chunk.text[-1] in '.؟!?"' or seed_article.text[chunk.end : chunk.end + 1] in ("\n", "")


def test_model_token_cap_splits_further(seed_article) -> None:  # type: ignore[no-untyped-def]
    # A model tokenizer that counts characters: every chunk must come out at most 200 "tokens".
    chunks = chunk_article(seed_article, chunk_tokens=180, max_model_tokens=200, model_tokens=len)
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(seed_article.text[c.start : c.end] == c.text for c in chunks)


def test_overlong_sentence_is_cut_between_words() -> None:
    text = " ".join(["كلمة"] * 400) + "."
    spans = chunk_text_spans(text, chunk_tokens=50)
    assert len(spans) > 1
    assert all(count_tokens(text[s:e]) <= 50 for s, e in spans)
    assert all(text[s - 1] == " " for s, _ in spans[1:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("One.", [(0, 4)]),
        ("قال: نعم. ثم غادر؟ وانتهى", [(0, 25)]),
        ("Line one\n\nLine two", [(0, 18)]),
    ],
)
def test_small_inputs(text: str, expected: list[tuple[int, int]]) -> None:
    assert chunk_text_spans(text, chunk_tokens=100) == expected


def test_overlap_repeats_last_sentence() -> None:
    text = "Alpha one. Beta two. Gamma three. Delta four."
    spans = chunk_text_spans(text, chunk_tokens=8, overlap_sentences=1)
    parts = [text[s:e] for s, e in spans]
    assert parts[0].endswith("Beta two.") and parts[1].startswith("Beta two.")


FIVE_MB = 5_000_000


@pytest.mark.parametrize("separator", [" ", ""], ids=["words", "no-space"])
def test_a_5_mb_line_with_no_sentence_break_is_chunked_in_linear_time(separator: str) -> None:
    import time

    words = ["المحادثات", "ستستأنف", "الأسبوع", "المقبل", "في", "الرياض", "بحضور", "الوفدين"]
    text = separator.join(words[i % len(words)] for i in range(FIVE_MB // 12))  # ~5 MB of UTF-8, one line
    assert len(text.encode("utf-8")) > 0.9 * FIVE_MB and "\n" not in text and "." not in text
    started = time.perf_counter()
    spans = chunk_text_spans(text, chunk_tokens=120, model_tokens=lambda t: count_tokens(t) // 2)
    seconds = time.perf_counter() - started
    # About 3 s on the 2-core CI machine (docs/benchmarks.md); the guard only catches a quadratic turn.
    assert seconds < 60, f"{seconds:.0f} s"
    assert len(spans) > 5000  # before: a line with no space was one 5 MB chunk
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    longest = max(spans, key=lambda s: s[1] - s[0])
    assert count_tokens(text[longest[0] : longest[1]]) <= 130
