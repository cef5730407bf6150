"""Answer-bearing passages: a retrieved chunk handed back with the paragraph it sits in.

Chunks (about 120 tokens) are what is embedded and ranked: small enough that a vector stays
about one thing. But the sentence that answers is often in the chunk beside the one that
matched, so a reader opening a chunk can find the question's topic without its answer. What a
search returns is therefore the chunk's *parent* (LangChain's parent-document pattern):

- the lines (paragraphs) of the article the chunk touches;
- when those are longer than ``max_chars``, the chunk widened sentence by sentence on both
  sides until ``max_chars``;
- chunks whose parents overlap make one passage, ranked by its best chunk; a passage never
  overlaps a better one (the later is trimmed to what the better lacks).

The passage's ``chunk_id`` and ``index`` stay those of the best chunk; its ``start``/``end`` and
``text`` are the parent's, so ``article.text[start:end] == text`` still holds and a citation
still points at the exact sentence it quotes.

Deliberately not here: ranking the chunks (``retrieval.search``), choosing the sentence to quote
(``answering.evidence``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.records import Passage
from assistant.text.arabic import sentence_spans

Span = tuple[int, int]


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parent_span(text: str, start: int, end: int, max_chars: int) -> Span:
    """The span of ``text`` a chunk ``[start, end)`` is handed back with.

    >>> t = "Title\\n\\nFirst sentence. Second one. Third one.\\nNext line."
    >>> s, e = parent_span(t, 23, 34, 1000); t[s:e]  # the chunk "Second one."
    'First sentence. Second one. Third one.'
    >>> s, e = parent_span(t, 23, 34, 28); t[s:e]
    'Second one. Third one.'
    """
    if max_chars <= 0 or end - start >= max_chars:
        return start, end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", max(end - 1, start))
    line_start, line_end = _trim(text, line_start, len(text) if line_end < 0 else line_end)
    if line_end - line_start <= max_chars:
        return line_start, line_end
    # A long paragraph: the chunk and its nearest sentences, alternately after and before.
    sentences = [(line_start + s, line_start + e) for s, e in sentence_spans(text[line_start:line_end])]
    after = [s for s in sentences if s[0] >= end]
    before = [s for s in reversed(sentences) if s[1] <= start]
    lo, hi = start, end
    grew = True
    while grew:
        grew = False
        if after and after[0][1] - lo <= max_chars:
            hi = after.pop(0)[1]
            grew = True
        if before and hi - before[0][0] <= max_chars:
            lo = before.pop(0)[0]
            grew = True
    return lo, hi


def gather(ranked: list[Passage], article_text: Callable[[str], str | None], k: int, max_chars: int) -> list[Passage]:
    """The ``k`` best parent passages of chunk passages ``ranked`` best first (``article_text``:
    an article's cleaned text by its id).

    >>> t = "One line about Rubio.\\nAnother line about Putin."
    >>> a, b = (Passage(f"c{i}", "a", "k", i, t[s:e], s, e, "", "", "en", None, None, 0.0) for i, (s, e) in
    ...         enumerate([(0, 10), (22, 46)]))
    >>> [p.text for p in gather([a, b, a], lambda _: t, 5, 100)]
    ['One line about Rubio.', 'Another line about Putin.']
    """
    kept: list[Passage] = []
    texts: dict[str, str | None] = {}
    for chunk in ranked:
        if chunk.article_id not in texts:
            texts[chunk.article_id] = article_text(chunk.article_id)
        text = texts[chunk.article_id]
        if text is None or max_chars <= 0:
            kept.append(chunk)
        else:
            lo, hi = parent_span(text, chunk.start, chunk.end, max_chars)
            for better in kept:
                if better.article_id != chunk.article_id or better.end <= lo or hi <= better.start:
                    continue
                if better.start <= chunk.start and chunk.end <= better.end:
                    lo = hi  # already shown whole
                    break
                # Keep the part the better passage lacks (the chunk itself reaches past it).
                lo, hi = (max(lo, better.end), hi) if chunk.end > better.end else (lo, min(hi, better.start))
            lo, hi = _trim(text, lo, hi)
            if lo < hi:
                kept.append(replace(chunk, start=lo, end=hi, text=text[lo:hi]))
        if len(kept) == k:
            break
    return kept
