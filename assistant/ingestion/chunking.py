"""Sentence-aware chunking with character offsets.

An article's cleaned text is cut into sentences (``arabic.sentence_spans``: ``.`` ``!`` ``?``
``؟`` and line breaks end one, ``،`` does not), and consecutive sentences are packed into
chunks of about ``chunk_tokens`` tiktoken ``o200k_base`` tokens. A sentence is never cut
unless it alone is longer than a chunk; then it is cut between words (a word longer than a chunk,
as in text with no spaces, by characters). Work stays linear in the text: a 5 MB line with no
sentence break is chunked in about 3 s (docs/benchmarks.md). Every chunk is checked
against the embedding model's own tokenizer (``model_tokens``) and split again if it would be
truncated.

A paged article (PDF, DOCX) is chunked page by page. Each chunk records its article, index and
``start``/``end`` such that
``article.text[start:end] == chunk.text``, so a citation can highlight its exact span.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.models.tokens import count_tokens
from assistant.records import Article, Chunk
from assistant.text.arabic import sentence_spans

Span = tuple[int, int]


def _words(text: str, start: int, end: int, budget: int) -> list[Span]:
    """The words of ``text[start:end]``; a "word" longer than ``budget`` tokens could hold (text with
    no space, megabytes of it on one line) is cut by characters, so no chunk outgrows its budget."""
    longest = budget  # characters: an o200k token is at least one character
    words: list[Span] = []
    for m in re.finditer(r"\S+", text[start:end]):
        s, e = start + m.start(), start + m.end()
        words.extend((i, min(i + longest, e)) for i in range(s, e, longest))
    return words


def _split_long(text: str, span: Span, budget: int) -> list[Span]:
    """Cut one over-long span between words into pieces of at most ``budget`` tokens (an over-long
    word by characters).

    >>> pieces = _split_long("ب" * 1000, (0, 1000), 50)
    >>> len(pieces) > 1 and all(e - s <= 50 for s, e in pieces) and pieces[-1][1] == 1000
    True
    """
    start, end = span
    words = _words(text, start, end, budget)
    pieces: list[Span] = []
    piece_start, piece_end, used = words[0][0], words[0][0], 0
    for w_start, w_end in words:
        word = text[w_start:w_end]
        # A word costs less after a space than at the start of a piece; count each case exactly.
        cost = count_tokens(" " + word) if piece_end > piece_start else count_tokens(word)
        if used + cost > budget and piece_end > piece_start:
            pieces.append((piece_start, piece_end))
            piece_start, cost = w_start, count_tokens(word)
            used = 0
        piece_end, used = w_end, used + cost
    pieces.append((piece_start, piece_end))
    return pieces


def _pack(text: str, spans: list[Span], budget: int, overlap: int) -> list[list[Span]]:
    """Group consecutive sentence spans into chunks of about ``budget`` tokens."""
    groups: list[list[Span]] = []
    current: list[Span] = []
    used = 0
    for span in spans:
        cost = count_tokens(text[span[0] : span[1]]) + 1
        if current and used + cost > budget:
            groups.append(current)
            current = current[-overlap:] if overlap else []
            used = sum(count_tokens(text[s:e]) + 1 for s, e in current)
        current.append(span)
        used += cost
    if current:
        groups.append(current)
    return groups


def chunk_text_spans(
    text: str,
    *,
    chunk_tokens: int = 120,
    overlap_sentences: int = 0,
    max_model_tokens: int = 500,
    model_tokens: Callable[[str], int] | None = None,
) -> list[Span]:
    """Character spans of the chunks of ``text``.

    >>> chunk_text_spans("One. Two. Three.", chunk_tokens=20)
    [(0, 16)]
    >>> chunk_text_spans("One. Two. Three.", chunk_tokens=3)
    [(0, 4), (5, 9), (10, 16)]
    """
    sentences: list[Span] = []
    for span in sentence_spans(text):
        if count_tokens(text[span[0] : span[1]]) > chunk_tokens:
            sentences.extend(_split_long(text, span, chunk_tokens))
        else:
            sentences.append(span)
    if not sentences:
        return []
    pending = [(g[0][0], g[-1][1]) for g in _pack(text, sentences, chunk_tokens, overlap_sentences)]
    result: list[Span] = []
    while pending:
        start, end = pending.pop(0)
        if model_tokens is None or model_tokens(text[start:end]) <= max_model_tokens:
            result.append((start, end))
            continue
        # Too long for the embedding model (its tokenizer splits Arabic finer than o200k):
        # halve the token budget for this span and try again.
        # Halve this span's own size each time, so the loop always ends.
        half = max(1, count_tokens(text[start:end]) // 2)
        inner = [(s, e) for s, e in sentences if s >= start and e <= end]
        halves = (
            [(g[0][0], g[-1][1]) for g in _pack(text, inner, half, 0)]
            if len(inner) > 1
            else _split_long(text, (start, end), half)
        )
        if halves == [(start, end)]:  # a single word the model cannot fit: keep it, it will be truncated
            result.append((start, end))
            continue
        pending[:0] = halves
    return result


def chunk_article(
    article: Article,
    *,
    chunk_tokens: int = 120,
    overlap_sentences: int = 0,
    max_model_tokens: int = 500,
    model_tokens: Callable[[str], int] | None = None,
) -> list[Chunk]:
    """The article's chunks, in order, each with offsets into ``article.text``. A paged article
    (PDF, DOCX) is chunked page by page: no chunk spans two pages, so each has one page number."""
    ends = [*article.pages[1:], len(article.text)]
    bounds = list(zip(article.pages, ends, strict=False)) if article.pages else [(0, len(article.text))]
    spans: list[Span] = []
    for low, high in bounds:
        page_spans = chunk_text_spans(
            article.text[low:high],
            chunk_tokens=chunk_tokens,
            overlap_sentences=overlap_sentences,
            max_model_tokens=max_model_tokens,
            model_tokens=model_tokens,
        )
        spans.extend((low + s, low + e) for s, e in page_spans)
    return [
        Chunk(
            id=f"{article.id}-{index:04d}",
            article_id=article.id,
            index=index,
            text=article.text[start:end],
            start=start,
            end=end,
        )
        for index, (start, end) in enumerate(spans)
    ]


def index_text(title: str, text: str, with_title: bool) -> str:
    """What is embedded and indexed for a chunk: its article title in front, as a header.

    >>> index_text("Title", "Body.", True)
    'Title\\nBody.'
    """
    return f"{title}\n{text}" if with_title and title and not text.startswith(title) else text
