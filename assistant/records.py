"""The typed records that cross every boundary of the pipeline.

``Article → Chunk → Passage`` (and ``IngestReport`` for a batch). Defined once here; raw
dicts from Chroma or LangChain never leave the module that talks to them.

Offsets are character offsets into ``Article.text`` (the cleaned text), so that
``article.text[chunk.start:chunk.end] == chunk.text`` always holds.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any


def content_hash(*parts: str, length: int = 16) -> str:
    """A short, stable hex id for some text.

    >>> content_hash("abc")
    'ba7816bf8f01cfea'
    """
    # A unit separator between parts, so ("ab", "c") and ("a", "bc") differ.
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding character ``offset`` of a text whose pages start at ``pages``.

    >>> page_at((0, 120, 300), 0), page_at((0, 120, 300), 150), page_at((0, 120, 300), 999), page_at((), 5)
    (1, 2, 3, None)
    """
    return bisect.bisect_right(pages, offset) if pages else None


@dataclass(frozen=True)
class Stripped:
    """A piece of boilerplate removed from an article before indexing."""

    rule: str  # e.g. "see-also-link", "related-news", "promo-teaser"
    text: str


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to chunk.

    ``key`` identifies where the article came from (its URL, its id in a JSONL file, or its
    file path); ``id`` is the hash of its cleaned text and title. Re-ingesting the same key with
    a different ``id`` replaces the article.
    """

    id: str
    key: str
    title: str
    text: str
    source: str
    lang: str
    published: date | None = None
    url: str | None = None
    stripped: tuple[Stripped, ...] = ()
    origin: str = ""  # where it was read: a file path, or ``path:line`` for a JSON Lines row
    author: str | None = None
    # A paged document (PDF, DOCX): where each page starts in ``text``; page n begins at pages[n-1].
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A span of an article's cleaned text: ``article.text[start:end] == text``."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata and how it ranked."""

    chunk_id: str
    article_id: str
    key: str  # the article's source key: its id in a JSONL file, its URL, or its file path
    index: int
    text: str
    start: int
    end: int
    title: str
    source: str
    lang: str
    published: date | None
    url: str | None
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    pages: tuple[int, ...] = ()  # where each page of a paged article (PDF, DOCX) starts; () for others
    # The story the article belongs to (articles of one event across outlets), and every outlet that
    # carries it; set by the façade, never by ranking (``retrieval.stories``).
    story: str | None = None
    outlets: tuple[str, ...] = ()

    @property
    def page(self) -> int | None:
        """The page the passage starts on (1-based) in a paged article, else None."""
        return page_at(self.pages, self.start)

    @property
    def matched_by(self) -> str:
        """What found the passage, for people (the fused ``score`` means little to a reader).

        >>> from dataclasses import replace
        >>> p = Passage("c", "a", "k", 0, "t", 0, 1, "T", "s", "ar", None, None, 0.0164, 1, 3)
        >>> p.matched_by, replace(p, lexical_rank=None).matched_by, replace(p, dense_rank=None).matched_by
        ('meaning and words (dense #1, lexical #3)', 'meaning (dense #1)', 'words (lexical #3)')
        """
        if self.dense_rank is not None and self.lexical_rank is not None:
            return f"meaning and words (dense #{self.dense_rank}, lexical #{self.lexical_rank})"
        if self.dense_rank is not None:
            return f"meaning (dense #{self.dense_rank})"
        if self.lexical_rank is not None:
            return f"words (lexical #{self.lexical_rank})"
        return "neither search (a passage given by id)"


@dataclass(frozen=True)
class IngestFailure:
    """An input that could not be ingested, and why (a sentence meant for the user)."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """What one ``ingest`` call did, article by article."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[IngestFailure] = field(default_factory=list)
    warnings: list[IngestFailure] = field(default_factory=list)  # ingested, but repaired on the way
    chunks_added: int = 0
    seconds: float = 0.0  # wall time of the ingestion

    def throughput(self) -> str:
        """Indexing speed for people, e.g. ``2 articles indexed in 4.0 s: 0.50 articles/s, 3.0 chunks/s``.

        Unchanged articles are skipped quickly and are not counted."""
        indexed = len(self.added) + len(self.replaced)
        seconds = max(self.seconds, 1e-9)
        return (
            f"{indexed} articles indexed in {self.seconds:.1f} s: {indexed / seconds:.2f} articles/s, "
            f"{self.chunks_added / seconds:.1f} chunks/s"
        )

    def summary(self) -> str:
        """One line for people, e.g. ``added 1, unchanged 0, replaced 0, failed 0 (12 chunks)``."""
        return (
            f"added {len(self.added)}, unchanged {len(self.unchanged)}, "
            f"replaced {len(self.replaced)}, failed {len(self.failed)} "
            f"({self.chunks_added} chunks)"
        )


@dataclass(frozen=True)
class Citation:
    """Marker ``[n]`` of an answer: the exact sentence quoted from a passage's article.

    ``quote_start``/``quote_end`` are offsets into the article's cleaned text, inside
    ``passage.start``–``passage.end``.
    """

    n: int
    passage: Passage
    quote: str
    quote_start: int
    quote_end: int

    @property
    def page(self) -> int | None:
        """The page the quote is on in a paged article (PDF, DOCX), else None."""
        return page_at(self.passage.pages, self.quote_start)

    def to_dict(self) -> dict[str, Any]:
        """The citation as JSON-ready data: the quote, its offsets, and where it comes from."""
        p = self.passage
        return {
            "n": self.n, "quote": self.quote, "quote_start": self.quote_start, "quote_end": self.quote_end,
            "article_id": p.article_id, "chunk_id": p.chunk_id, "title": p.title, "source": p.source,
            "published": p.published.isoformat() if p.published else None, "url": p.url, "page": self.page,
            "outlets": list(p.outlets),
        }  # fmt: skip


# The one label of an English rendering that code could not check; shown before it wherever it appears.
DRAFT_LABEL = "Draft translation, unverified"
UNTRACED_NOTE = "untraced: "  # the draft note listing its untraced words (``AnswerSentence.untraced``)
# The label of a rendering whose every content word code traced to its quote, every check agreeing.
CHECKED_LABEL = "Checked translation"


@dataclass(frozen=True)
class TracedWord:
    """A content word of an English rendering and the span of its Arabic quote it renders.

    ``start``/``end``: offsets in the rendering; ``source``: offsets in the quoted sentence, or
    None (untraced, or supplied by the question). ``via``: ``lexicon``, ``name``, ``number``,
    ``question``, or ``""`` when untraced.
    """

    word: str
    start: int
    end: int
    source: tuple[int, int] | None
    via: str

    @property
    def traced(self) -> bool:
        return bool(self.via)

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word, "start": self.start, "end": self.end,
            "source": list(self.source) if self.source else None, "via": self.via,
        }  # fmt: skip


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer and how it was checked: its words apart from how they are shown.

    ``state``: ``verified`` (checked against its cited evidence by code, same language),
    ``checked`` (an English rendering of an Arabic quote whose every content word code traced to
    the quote, ``trace`` saying where from), ``quote`` (the evidence itself, verbatim), or
    ``draft`` (a rendering code could not fully trace; shown marked, its untraced words in ``notes``).

    >>> AnswerSentence("Time is running out.", "draft", (1,)).text
    'Draft translation, unverified: Time is running out. [1]'
    >>> AnswerSentence("Friday", "checked", (1,)).text
    'Checked translation: Friday [1]'
    >>> AnswerSentence("الوقت يمر", "quote", (1,)).text, AnswerSentence("الوقت يمر", "quote", (1,)).marked
    ('«الوقت يمر» [1]', 'الوقت يمر [1]')
    """

    raw: str  # the sentence's own words: the quoted sentence, or what the model wrote
    state: str
    citations: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    trace: tuple[TracedWord, ...] = ()  # a rendering's content words and where in its quote each came from

    def sources(self, quote: str) -> list[tuple[str, str | None]]:
        """Each traced content word with the words of ``quote`` (its cited sentence) it came from:
        None when untraced, "(question)" when the question supplied it."""
        return [
            (w.word, quote[w.source[0] : w.source[1]] if w.source else ("(question)" if w.traced else None))
            for w in self.trace
        ]

    @property
    def untraced(self) -> list[str]:
        """The rendering's content words code could not trace to its quote."""
        return [w.word for w in self.trace if not w.traced]

    @property
    def reasons(self) -> list[str]:
        """Why a draft is not checked besides its untraced words (a cut name, the question's words
        the quote lacks, a rewrite after the check): its notes but the untraced listing."""
        return [n for n in self.notes if not n.startswith(UNTRACED_NOTE)]

    @property
    def markers(self) -> str:
        """The sentence's citation markers, " [1] [2]"."""
        return "".join(f" [{n}]" for n in self.citations)

    @property
    def marked(self) -> str:
        """The words with their ``[n]`` citation markers, without the label or quotation marks."""
        return self.raw + self.markers

    @property
    def text(self) -> str:
        """The sentence as shown: a quote in «», a draft after its label, with the markers."""
        if self.state == "quote":
            return f"«{self.raw}»{self.markers}"
        if self.state == "draft":
            return f"{DRAFT_LABEL}: {self.marked}"
        if self.state == "checked":
            return f"{CHECKED_LABEL}: {self.marked}"
        return self.marked

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "state": self.state, "citations": list(self.citations), "notes": list(self.notes),
            "trace": [w.to_dict() for w in self.trace], "untraced": self.untraced,
        }  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What ``Assistant.ask`` returns: text with ``[n]`` markers and the evidence behind them.

    Built once, when the pipeline ends. ``text`` is for display (the sentences joined, or the
    abstention); ``sentences`` are the parts, each with its raw words and its state.
    """

    question: str
    standalone_question: str  # what was searched: a follow-up rewritten to stand alone
    text: str
    sentences: list[AnswerSentence]
    citations: list[Citation]
    passages: list[Passage]
    abstained: bool
    backend: str
    lang: str
    read_with: str | None = None  # the earlier question a follow-up was joined with to be searched
    timings: dict[str, float] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # sentences dropped because they contradicted evidence
    tokens_in: int = 0
    tokens_out: int = 0
    # Wall time from the request to the answer, a model's loading included (``timings``: the stages of
    # the pipeline alone, which a first answer's model loading is not part of).
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        """True when the answer has a sentence verified against its quote and nothing unverified."""
        states = {s.state for s in self.sentences}
        return not self.abstained and "verified" in states and "draft" not in states

    @property
    def state(self) -> str:
        """``abstained``, ``verified``, ``checked`` (an English rendering traced word by word to its
        Arabic quote), ``draft`` (holds a rendering code could not fully trace) or ``quoted`` (the
        evidence alone, verbatim, e.g. an Arabic sentence for an English question, untranslated)."""
        if self.abstained:
            return "abstained"
        if self.verified:
            return "verified"
        states = {s.state for s in self.sentences}
        if "draft" in states:
            return "draft"
        return "checked" if "checked" in states else "quoted"

    @property
    def trace(self) -> list[TracedWord]:
        """Per content word of the English rendering, the span of the quote it came from (or none)."""
        return [w for s in self.sentences for w in s.trace]


@dataclass(frozen=True)
class StatusEvent:
    """The answer pipeline reached a stage: ``retrieving`` (with the question searched), ``checking``
    (the model reads ``candidates`` sentences), ``writing`` (a same-language answer streams) or
    ``rendering`` (English candidates over an Arabic quote are made and traced; nothing streams)."""

    stage: str
    question: str | None = None
    candidates: int | None = None
    quote: str | None = None  # ``rendering``: the quoted sentence being rendered, shown while it is


@dataclass(frozen=True)
class TokenEvent:
    """A piece of text the model wrote, as it streams."""

    text: str


@dataclass(frozen=True)
class AnswerEvent:
    """The last event of a stream: the checked answer."""

    answer: Answer


AnswerStreamEvent = StatusEvent | TokenEvent | AnswerEvent
