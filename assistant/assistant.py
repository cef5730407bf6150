"""The ``Assistant`` façade: composes ingestion, chunking, embedding, storage and search.

Interfaces (CLI, UI, evals) talk to this class only. Dependencies are parameters; settings
supply what is not given::

    a = Assistant()                               # vectorstore/, bundled e5, offline
    a = Assistant(vectorstore_dir="other/store")  # a store elsewhere (made on first use, for ingest)
    report = a.ingest(["seeds/"])
    hits = a.search("What did Rubio tell Russia?", k=5)

A store is created by opening it (``ingest`` needs that); ``create=False`` refuses a store folder
that does not exist instead. Reading (``search``, ``stream``, ``ask``, ``brief``) a store that holds
no article raises ``EmptyStoreError`` naming its path: an empty index must not answer "the
articles don't say".
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.answerer import Answerer
from assistant.answering.evidence import traced_shares
from assistant.answering.question import condense
from assistant.briefing.briefer import Briefer
from assistant.briefing.document import Briefing
from assistant.errors import EmptyStoreError, QuestionError, SettingsError
from assistant.ingestion.indexer import Indexer, Progress
from assistant.ingestion.reading import SUPPORTED_SUFFIXES
from assistant.ingestion.watching import Watcher, parse_every, read_feed_list
from assistant.models.chat import make_chat_model
from assistant.models.embedding import Embedder, make_embedder
from assistant.models.gguf import GGUF_NAME
from assistant.records import Answer, AnswerEvent, AnswerStreamEvent, IngestReport, Passage, Stripped
from assistant.retrieval.recency import newest_first as by_date
from assistant.retrieval.search import AssistantRetriever, HybridSearcher
from assistant.retrieval.stories import Story, StoryIndex
from assistant.settings import BACKENDS, SEARCH_MODES, Backend, SearchMode, Settings
from assistant.storage.catalog import ArticleInfo
from assistant.storage.chroma import ChromaStore, Filters
from assistant.storage.consistency import pair
from assistant.storage.feeds import FeedRecord
from assistant.storage.postgres import open_catalog

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Assistant",
    "Conversation",
    "check_question",
    "final_answer",
    "llm_name",
    "parse_every",
    "read_feed_list",
    "standalone_question",
]

MAX_QUESTION_CHARS = 2000


class Assistant:
    """Ingest articles and search them; later stages (answers, briefings) build on this."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        vectorstore_dir: str | Path | None = None,
        chroma_url: str | None = None,
        catalog_url: str | None = None,
        embedder: Embedder | None = None,
        store: ChromaStore | None = None,
        llm: BaseChatModel | None = None,
        create: bool = True,
    ) -> None:
        """``create=False``: the store folder must exist already (reading commands), else
        ``EmptyStoreError`` before any model loads."""
        self.settings = settings or Settings()
        given: dict[str, Any] = {"chroma_url": chroma_url, "catalog_url": catalog_url}
        given["vectorstore_dir"] = None if vectorstore_dir is None else Path(vectorstore_dir)
        self.settings = self.settings.model_copy(update={k: v for k, v in given.items() if v is not None})
        chroma_url = self.settings.chroma_url or None
        root = self.settings.vectorstore_dir
        if not create and not self.settings.catalog_url and not (root / "catalog.sqlite").is_file():
            raise EmptyStoreError(root, missing=True)
        # On PostgreSQL the catalog is opened (and the server checked) before any model loads.
        self.catalog, writer = open_catalog(self.settings.catalog_url, root)
        self.embedder = embedder or make_embedder(self.settings.embedding, self.settings.cache_dir)
        self.store = store or ChromaStore(
            path=None if chroma_url else root / "chroma",
            url=chroma_url,
            collection=self.settings.collection,
            embedding_model=self.embedder.name,
            dim=self.embedder.dim,
            chunking=self.settings.chunking.stamp(),
        )
        pair(self.catalog, self.store)
        self.indexer = Indexer(
            catalog=self.catalog,
            store=self.store,
            embedder=self.embedder,
            ingest=self.settings.ingest,
            chunking=self.settings.chunking,
            embedding=self.settings.embedding,
            writer=writer,
            fetch=self.settings.fetch,
        )
        self.indexer.recover_if_idle()
        self.searcher = HybridSearcher(
            store=self.store,
            catalog=self.catalog,
            embedder=self.embedder,
            settings=self.settings.retrieval,
            embed_title=self.settings.embedding.embed_title,
            cross_lingual=traced_shares,
        )
        self.indexer.on_commit = self.searcher.refresh_lexical  # the saved lexical index follows each batch
        self.story_index = StoryIndex(self.catalog, self.store)
        self._llm = llm
        self._answerers: dict[str, Answerer] = {}
        self._answerer_lock = threading.Lock()
        self._has_articles = False  # once true, stays true: articles are replaced, never removed

    # -- ingestion -----------------------------------------------------------------------

    def ingest(self, paths: list[str | Path] | str | Path, *, progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders; one bad file is reported and the rest go on.

        Re-ingesting an unchanged article changes nothing; a changed one (same source key,
        new content) replaces its chunks. One ingestion at a time writes to a store (others
        wait); an interrupted one is rolled back to whole articles, and running it again
        finishes the rest.
        """
        return self.indexer.ingest(paths, progress)

    def watcher(self, feeds: list[str], *, log: Callable[[str], None] = print) -> Watcher:
        """A ``Watcher`` that reads ``feeds`` in cycles (``.cycle()``, ``.run(every, cycles, stop)``),
        ingesting new entries and logging one line a cycle; state is kept in this store's catalog."""
        return Watcher(self.indexer, feeds, self.settings.watch, log)

    def feeds(self) -> list[FeedRecord]:
        """The feeds this store has read: validators, failures, when each may be tried again."""
        return self.indexer.feeds.feeds()

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

    def require_articles(self) -> None:
        """Raise ``EmptyStoreError`` (naming the store) unless the store holds an article; what
        ``search``, ``stream``, ``ask`` and ``brief`` check before they read."""
        if not self._has_articles:
            if self.catalog.counts()[0] == 0:
                raise EmptyStoreError(self.settings.vectorstore_dir)
            self._has_articles = True

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
        mode: SearchMode | None = None,
        recency: float | None = None,
        newest_first: bool = False,
    ) -> list[Passage]:
        """The best passages for ``query``, best first (hybrid by default). ``recency``: a half-life in
        days by which older articles' scores decay (default ``settings.retrieval.recency_half_life``,
        off); ``newest_first``: the best ``max(4k, 20)`` passages shown newest first, ``k`` of them."""
        query = check_question(query)
        if k is not None and k <= 0:
            raise SettingsError(f"k must be greater than 0. Currently, k is {k}")
        if mode is not None and mode not in SEARCH_MODES:
            raise SettingsError(f"mode must be one of {', '.join(SEARCH_MODES)}; got {mode!r}")
        self.require_articles()
        filters = Filters(tuple(sources or ()), tuple(article_ids or ()), since, until)
        if not newest_first:
            return self.with_stories(self.searcher.search(query, k, filters, mode, recency))
        k = k or self.settings.retrieval.k
        pool = self.searcher.search(query, max(4 * k, 20), filters, mode, recency)
        return self.with_stories(by_date(pool)[:k])

    def stories(self, min_articles: int = 2) -> list[Story]:
        """Articles that report one event, grouped across outlets (most outlets first); stories of at
        least ``min_articles`` articles (1: every article, most alone)."""
        return [s for s in self.story_index.stories() if len(s.article_ids) >= min_articles]

    def with_stories(self, passages: list[Passage]) -> list[Passage]:
        """The passages, each naming its story and every outlet that carries it (order and content
        unchanged: a story is how passages are counted and named, not which are found)."""
        out = []
        for p in passages:
            story = self.story_index.story_of(p.article_id)
            out.append(replace(p, story=story.id, outlets=story.outlets) if story else p)
        return out

    def as_retriever(self, k: int | None = None, **filters: object) -> AssistantRetriever:
        """A LangChain ``BaseRetriever`` over the hybrid search."""
        return AssistantRetriever(
            searcher=self.searcher,
            k=k or self.settings.retrieval.k,
            filters=Filters(**filters) if filters else None,  # type: ignore[arg-type]
        )

    # -- answers -------------------------------------------------------------------------

    def answerer(self, backend: Backend | None = None, passages: int | None = None) -> Answerer:
        """The answer pipeline for a backend ('local', 'openai', 'extractive') retrieving ``passages``
        passages (default: settings); models load once per backend."""
        backend = backend or self.settings.llm.backend
        if backend not in BACKENDS:
            raise SettingsError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
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
        backend: Backend | None = None,
        sources: list[str] | None = None,
        article_ids: list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        passages: int | None = None,
    ) -> Iterator[AnswerStreamEvent]:
        """Events as the answer is made (``StatusEvent``, ``TokenEvent``), ending with one ``AnswerEvent``.

        ``passages``: how many passages to retrieve (default: ``settings.answer.passages``). The answer's
        ``seconds`` is the wall time from this call, a first answer's model loading included."""
        started = time.perf_counter()
        question = check_question(question)
        self.require_articles()
        filters = Filters(tuple(sources or ()), tuple(article_ids or ()), since, until)
        for event in self.answerer(backend, passages).run(question, history or [], filters):
            if isinstance(event, AnswerEvent):
                answer = event.answer
                cited = [replace(c, passage=self.with_stories([c.passage])[0]) for c in answer.citations]
                event = AnswerEvent(replace(answer, seconds=round(time.perf_counter() - started, 3), citations=cited,
                                            passages=self.with_stories(answer.passages)))  # fmt: skip
            yield event

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
        backend: Backend | None = None,
        max_articles: int | None = None,
        max_rendered: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Briefing:
        """A cited briefing over the articles on ``topic`` (or ``articles``, or all), within dates.

        Every line quotes an article verbatim and cites its passage; with a language model, Arabic
        quotes in an English briefing get a rendering marked as an unverified draft (the first
        ``max_rendered`` of them: each is a model call). The backend and the caps default to
        ``settings.briefing`` (extractive: no model). ``progress`` is told each step as it starts
        ("loading the local model", "rendering quote 2 of 8")."""
        if topic is not None:
            if not isinstance(topic, str) or not topic.strip():
                raise QuestionError("The topic is empty: give a few words, or leave it out to brief on all articles.")
            topic = check_question(topic)
        self.require_articles()
        backend = backend or self.settings.briefing.backend
        model = None
        if backend != "extractive" and language == "en":  # only an English briefing renders (Arabic) quotes
            if progress and backend == "local" and backend not in self._answerers:
                progress("loading the local model")
            model = self.answerer(backend).chat_model
        briefer = Briefer(
            searcher=self.searcher, catalog=self.catalog, chat_model=model, settings=self.settings.briefing,
            backend=backend, stories=self.story_index,
        )  # fmt: skip
        scope = Filters(article_ids=tuple(articles or ()), since=since, until=until)
        return briefer.build(
            topic, scope, language=language, max_articles=max_articles, max_rendered=max_rendered, progress=progress
        )

    def conversation(self, backend: Backend | None = None) -> Conversation:
        """A conversation: follow-up questions are rewritten with the earlier ones."""
        return Conversation(self, backend)

    def close(self) -> None:
        self.catalog.close()
        self.indexer.feeds.close()


def standalone_question(question: str, history: list[str]) -> str:
    """What the answer pipeline searches for: ``question`` rewritten with the earlier ``history``
    when it is a follow-up (the same rewriting ``Conversation`` does).

    >>> standalone_question("What does he believe about Putin?", ["Who is Steve Witkoff?"])
    'What does Steve Witkoff believe about Putin?'
    """
    return condense(question, history)


def llm_name(settings: Settings, backend: Backend) -> str:
    """The generator a backend uses: the GGUF file name, the served model, or none."""
    if backend == "local":
        return Path(settings.llm.model_path).name if settings.llm.model_path else GGUF_NAME
    if backend == "openai":
        return f"{settings.llm.model} at {settings.llm.base_url}"
    return "none"


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

    def __init__(self, assistant: Assistant, backend: Backend | None = None) -> None:
        self.assistant = assistant
        self.backend = backend
        self.history: list[str] = []  # standalone questions asked so far
        self.answers: list[Answer] = []

    def stream(self, question: str, **options: Any) -> Iterator[AnswerStreamEvent]:
        for event in self.assistant.stream(question, history=self.history, backend=self.backend, **options):
            if isinstance(event, AnswerEvent):
                self.history.append(event.answer.standalone_question)
                self.answers.append(event.answer)
            yield event

    def ask(self, question: str, **options: Any) -> Answer:
        return final_answer(self.stream(question, **options))


def final_answer(events: Iterator[AnswerStreamEvent]) -> Answer:
    """Run an answer stream to its end and return the answer it ends with."""
    for event in events:
        if isinstance(event, AnswerEvent):
            return event.answer
    raise AssertionError("the answer pipeline ended without an answer")
