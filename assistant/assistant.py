"""The ``Assistant`` façade: composes ingestion, chunking, embedding, storage and search.

Interfaces (CLI, UI, evals) talk to this class only. Dependencies are parameters; settings
supply what is not given::

    a = Assistant()                               # vectorstore/, bundled e5, offline
    a = Assistant(vectorstore_dir="other/store")  # a store elsewhere
    report = a.ingest(["seeds/"])
    hits = a.search("What did Rubio tell Russia?", k=5)
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering import Answerer
from assistant.briefing import Briefing, build_briefing
from assistant.catalog import ArticleInfo, Catalog, SentenceVectors
from assistant.chunking import chunk_article
from assistant.consistency import WriterLock, journal, pair, recover
from assistant.embedding import Embedder, make_embedder
from assistant.errors import IngestError, QuestionError, SettingsError
from assistant.evidence import candidate_spans
from assistant.ingest import iter_input_files, read_file
from assistant.llm import make_chat_model
from assistant.records import Answer, Article, Chunk, IngestFailure, IngestReport, Passage, Stripped
from assistant.retrieval import AssistantRetriever, HybridSearcher, index_text
from assistant.settings import Settings
from assistant.store import ChromaStore, Filters

MAX_QUESTION_CHARS = 2000

# Called as progress(articles_done, articles_seen_so_far) during ingestion.
Progress = Callable[[int, int], None]


@dataclass
class _Batch:
    """Articles chunked but not yet embedded and committed."""

    items: list[tuple[Article, list[Chunk]]] = field(default_factory=list)
    replacing: dict[str, str] = field(default_factory=dict)  # new article id → old article id

    @property
    def n_chunks(self) -> int:
        return sum(len(chunks) for _, chunks in self.items)


class Assistant:
    """Ingest articles and search them; later stages (answers, briefings) build on this."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        vectorstore_dir: str | Path | None = None,
        chroma_url: str | None = None,
        embedder: Embedder | None = None,
        store: ChromaStore | None = None,
        llm: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings or Settings()
        if vectorstore_dir is not None:
            self.settings = self.settings.model_copy(update={"vectorstore_dir": Path(vectorstore_dir)})
        if chroma_url is not None:
            self.settings = self.settings.model_copy(update={"chroma_url": chroma_url})
        chroma_url = self.settings.chroma_url or None
        self.embedder = embedder or make_embedder(self.settings.embedding, self.settings.cache_dir)
        root = self.settings.vectorstore_dir
        self.store = store or ChromaStore(
            path=None if chroma_url else root / "chroma",
            url=chroma_url,
            collection=self.settings.collection,
            embedding_model=self.embedder.name,
            dim=self.embedder.dim,
            chunking=self.settings.chunking.stamp(),
        )
        self.catalog = Catalog(root / "catalog.sqlite")
        pair(self.catalog, self.store)
        self._writer = WriterLock(root / "ingest.lock")
        if self._writer.acquire(blocking=False):  # held: another process is ingesting, its journal is live
            try:
                recover(self.catalog, self.store)
            finally:
                self._writer.release()
        self.searcher = HybridSearcher(
            store=self.store,
            catalog=self.catalog,
            embedder=self.embedder,
            settings=self.settings.retrieval,
            embed_title=self.settings.embedding.embed_title,
        )
        self._llm = llm
        self._answerers: dict[str, Answerer] = {}
        self._answerer_lock = threading.Lock()

    # -- ingestion -----------------------------------------------------------------------

    def ingest(self, paths: list[str | Path] | str | Path, *, progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders; one bad file is reported and the rest go on.

        Re-ingesting an unchanged article changes nothing; a changed one (same source key,
        new content) replaces its chunks. One ingestion at a time writes to a store (others
        wait); an interrupted one is rolled back to whole articles, and running it again
        finishes the rest.
        """
        started = time.perf_counter()
        with self._writer:
            recover(self.catalog, self.store)
            report = self._ingest(paths, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest(self, paths: list[str | Path] | str | Path, progress: Progress | None) -> IngestReport:
        if isinstance(paths, str | Path):
            paths = [paths]
        report = IngestReport()
        batch = _Batch()
        seen_keys: set[str] = set()
        done = seen = 0
        for raw in paths:
            try:
                files = list(iter_input_files([raw]))
            except IngestError as exc:
                report.failed.append(IngestFailure(exc.path, exc.reason))
                continue
            for path in files:
                notes: list[str] = []
                try:
                    articles, row_errors = read_file(path, self.settings.ingest.max_file_bytes, notes)
                except IngestError as exc:
                    report.failed.append(IngestFailure(exc.path, exc.reason))
                    continue
                except OSError as exc:
                    report.failed.append(IngestFailure(str(path), f"could not be read ({exc.strerror})"))
                    continue
                report.failed.extend(IngestFailure(f"{e.path}:{e.line}", e.reason) for e in row_errors)
                report.warnings.extend(IngestFailure(str(path), note) for note in notes)
                seen += len(articles)
                for article in articles:
                    self._plan(article, batch, report, seen_keys)
                    done += 1
                    if batch.n_chunks >= self.settings.ingest.batch_chunks:
                        self._flush(batch, report)
                        batch = _Batch()
                    if progress:
                        progress(done, seen)
        self._flush(batch, report)
        return report

    def _plan(self, article: Article, batch: _Batch, report: IngestReport, seen_keys: set[str]) -> None:
        """Sort one article into unchanged, added or replacing, and chunk it if it is new."""
        in_batch = any(a.id == article.id for a, _ in batch.items)  # the same text under another name
        if article.key in seen_keys or in_batch or self.catalog.has_article(article.id):
            report.unchanged.append(article.id)
            return
        seen_keys.add(article.key)
        old_id = self.catalog.article_id_for_key(article.key)
        embed_title = self.settings.embedding.embed_title
        chunks = chunk_article(
            article,
            chunk_tokens=self.settings.chunking.chunk_tokens,
            overlap_sentences=self.settings.chunking.overlap_sentences,
            max_model_tokens=self.settings.chunking.max_model_tokens,
            model_tokens=lambda text: self.embedder.count_tokens(index_text(article.title, text, embed_title)),
        )
        batch.items.append((article, chunks))
        if old_id:
            batch.replacing[article.id] = old_id
            report.replaced.append(article.id)
        else:
            report.added.append(article.id)

    def _flush(self, batch: _Batch, report: IngestReport) -> None:
        """Embed, write vectors, then commit the catalog; then drop replaced chunks."""
        if not batch.items:
            return
        articles = {a.id: a for a, _ in batch.items}
        chunks = [c for _, cs in batch.items for c in cs]
        embed_title = self.settings.embedding.embed_title
        texts = [index_text(articles[c.article_id].title, c.text, embed_title) for c in chunks]
        with_sentences = self.settings.embedding.sentence_vectors
        spans = {c.id: candidate_spans(c.text) for c in chunks} if with_sentences else {}
        # One call for chunks and sentences: the encoder batches texts of similar length together.
        embedded = self.embedder.embed_passages(texts + [c.text[s:e] for c in chunks for s, e in spans.get(c.id, [])])
        vectors = embedded[: len(chunks)]
        sentences: dict[str, SentenceVectors] = {}
        row = len(chunks)
        for cid, chunk_spans in spans.items():
            sentences[cid] = (chunk_spans, embedded[row : row + len(chunk_spans)])
            row += len(chunk_spans)
        old_chunks = [cid for old in batch.replacing.values() for cid in self.catalog.chunk_ids_of(old)]
        new_ids = {c.id for c in chunks}
        with journal(self.catalog, [c.id for c in chunks] + old_chunks):  # a crash in here is rolled back
            self.store.upsert(articles, chunks, vectors)
            self.catalog.put(batch.items, replacing=batch.replacing.values(), sentences=(self.embedder.name, sentences))
            self.store.delete_chunks([cid for cid in old_chunks if cid not in new_ids])
        report.chunks_added += len(chunks)

    # -- reading -------------------------------------------------------------------------

    def articles(self) -> list[ArticleInfo]:
        """The ingested articles, newest first."""
        return self.catalog.articles()

    def article_text(self, article_id: str) -> str | None:
        """An article's cleaned text (what offsets point into)."""
        return self.catalog.article_text(article_id)

    def stripped(self, article_id: str) -> list[Stripped]:
        """The boilerplate removed from an article before it was indexed."""
        return self.catalog.stripped(article_id)

    # -- search --------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        sources: list[str] | None = None,
        article_ids: list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        mode: str | None = None,
    ) -> list[Passage]:
        """The best passages for ``query``, best first (hybrid by default)."""
        query = check_question(query)
        if k is not None and k <= 0:
            raise SettingsError(f"k must be greater than 0. Currently, k is {k}")
        if mode is not None and mode not in ("hybrid", "dense", "lexical"):
            raise SettingsError(f"mode must be 'hybrid', 'dense' or 'lexical'; got {mode!r}")
        filters = Filters(tuple(sources or ()), tuple(article_ids or ()), since, until)
        return self.searcher.search(query, k, filters, mode)

    def as_retriever(self, k: int | None = None, **filters: object) -> AssistantRetriever:
        """A LangChain ``BaseRetriever`` over the hybrid search."""
        return AssistantRetriever(
            searcher=self.searcher,
            k=k or self.settings.retrieval.k,
            filters=Filters(**filters) if filters else None,  # type: ignore[arg-type]
        )

    # -- answers -------------------------------------------------------------------------

    def answerer(self, backend: str | None = None, passages: int | None = None) -> Answerer:
        """The answer pipeline for a backend ('local', 'openai', 'extractive') retrieving ``passages``
        passages (default: settings); models load once per backend."""
        backend = backend or self.settings.llm.backend
        if backend not in ("local", "openai", "extractive"):
            raise SettingsError(f"backend must be 'local', 'openai' or 'extractive'; got {backend!r}")
        if passages is not None and not 1 <= passages <= 50:
            raise SettingsError(f"passages must be between 1 and 50; got {passages}")
        with self._answerer_lock:
            if backend not in self._answerers:
                model: BaseChatModel | None
                if self._llm is not None and backend == self.settings.llm.backend:
                    model = self._llm
                else:
                    llm_settings = self.settings.llm.model_copy(update={"backend": backend})
                    model = make_chat_model(llm_settings, self.settings.cache_dir)
                self._answerers[backend] = Answerer(
                    searcher=self.searcher,
                    embedder=self.embedder,
                    chat_model=model,
                    backend=backend,
                    settings=self.settings.answer,
                )
            answerer = self._answerers[backend]
        if passages is None or passages == answerer.settings.passages:
            return answerer
        variant = copy.copy(answerer)  # shares the models; only the settings differ
        variant.settings = answerer.settings.model_copy(update={"passages": passages})
        return variant

    def stream(
        self,
        question: str,
        *,
        history: list[str] | None = None,
        backend: str | None = None,
        sources: list[str] | None = None,
        article_ids: list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        passages: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Events as the answer is made (status, tokens), ending with ``{"type": "answer", "answer": Answer}``.

        ``passages``: how many passages to retrieve (default: ``settings.answer.passages``)."""
        question = check_question(question)
        filters = Filters(tuple(sources or ()), tuple(article_ids or ()), since, until)
        yield from self.answerer(backend, passages).run(question, history or [], filters)

    def ask(self, question: str, **options: Any) -> Answer:
        """A verified, cited answer (or an abstention); options as for ``stream``."""
        return final_answer(self.stream(question, **options))

    def brief(
        self,
        topic: str | None = None,
        *,
        articles: list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        language: str = "en",
        backend: str | None = None,
        max_articles: int = 100,
        max_rendered: int = 8,
    ) -> Briefing:
        """A cited briefing over the articles on ``topic`` (or ``articles``, or all), within dates.

        Every line quotes an article verbatim and cites its passage; with a language model, Arabic
        quotes in an English briefing get a rendering marked as an unverified draft (the first
        ``max_rendered`` of them: each is a model call)."""
        if topic is not None:
            if not isinstance(topic, str) or not topic.strip():
                raise QuestionError("The topic is empty: give a few words, or leave it out to brief on all articles.")
            topic = check_question(topic)
        return build_briefing(
            self, topic, articles=articles, since=since, until=until, language=language, backend=backend,
            max_articles=max_articles, max_rendered=max_rendered,
        )  # fmt: skip

    def conversation(self, backend: str | None = None) -> Conversation:
        """A conversation: follow-up questions are rewritten with the earlier ones."""
        return Conversation(self, backend)

    def close(self) -> None:
        self.catalog.close()


def check_question(question: object) -> str:
    """The question, trimmed; a clear error when it is empty, not text, or too long."""
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    text = question.strip()
    if not text:
        raise QuestionError("The question is empty; ask something about the articles.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Ask a shorter question."
        )
    return text


class Conversation:
    """Questions in order; each follow-up is condensed with the previous questions before retrieval."""

    def __init__(self, assistant: Assistant, backend: str | None = None) -> None:
        self.assistant = assistant
        self.backend = backend
        self.history: list[str] = []  # standalone questions asked so far
        self.answers: list[Answer] = []

    def stream(self, question: str, **options: Any) -> Iterator[dict[str, Any]]:
        for event in self.assistant.stream(question, history=self.history, backend=self.backend, **options):
            if event["type"] == "answer":
                self.history.append(event["answer"].standalone_question)
                self.answers.append(event["answer"])
            yield event

    def ask(self, question: str, **options: Any) -> Answer:
        return final_answer(self.stream(question, **options))


def final_answer(events: Iterator[dict[str, Any]]) -> Answer:
    """Run an answer stream to its end and return the answer it ends with."""
    for event in events:
        if event["type"] == "answer":
            answer: Answer = event["answer"]
            return answer
    raise AssertionError("the answer pipeline ended without an answer")
