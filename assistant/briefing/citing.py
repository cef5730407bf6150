"""Citations for a briefing: one number per quoted span, each quote checked against its article.

A quote is the article's own words, cut at a sentence or clause boundary inside its chunk; its
passage names the story the article belongs to and every outlet carrying it (``retrieval.stories``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistant.briefing.rules import clause_end
from assistant.records import Citation
from assistant.retrieval.stories import StoryIndex
from assistant.storage.catalog import ArticleInfo, Catalog, ChunkRow


class Citer:
    """Numbers citations: one ``n`` per (chunk, quote span); quotes are checked against the article."""

    def __init__(self, catalog: Catalog, texts: dict[str, str], stories: StoryIndex | None = None) -> None:
        self.catalog = catalog
        self.texts = texts
        self.stories = stories
        self.numbers: dict[tuple[str, int, int], int] = {}
        self._rows: dict[str, list[ChunkRow]] = {}

    def rows_of(self, article_id: str) -> list[ChunkRow]:
        if article_id not in self._rows:
            ids = self.catalog.chunk_ids_of(article_id)
            self._rows[article_id] = list(self.catalog.chunk_rows(ids).values())
        return self._rows[article_id]

    def cite(self, article: ArticleInfo, start: int, end: int) -> Citation | None:
        text = self.texts[article.article_id]
        row = next((r for r in self.rows_of(article.article_id) if r.start <= start < r.end), None)
        if row is None:
            return None
        # A sentence longer than its chunk is quoted up to its last boundary inside the chunk, and a
        # clause never ends on the word that opens the next one ("… في صالحه، في حين").
        clause = clause_end(text, start, end, row.end)
        if clause is None:
            return None
        quote = text[start:clause].strip()
        start = text.index(quote, start)
        end = start + len(quote)
        if not quote or text[start:end] != quote:  # the quote must be the article's own words
            return None
        n = self.numbers.setdefault((row.chunk_id, start, end), len(self.numbers) + 1)
        passage = row.to_passage()
        story = self.stories.story_of(article.article_id) if self.stories else None
        if story is not None:  # every outlet that carries the story, for the Sources section
            passage = replace(passage, story=story.id, outlets=story.outlets)
        return Citation(n, passage, quote, start, end)

    def sentence(self, sentence: Any, start: int = 0, end: int | None = None) -> Citation | None:
        """The citation of a sentence, or of the clause ``start:end`` within it."""
        s = sentence.start + start
        e = sentence.start + (end if end is not None else len(sentence.text))
        return self.cite(sentence.article, s, e)
