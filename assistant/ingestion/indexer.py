"""The ``Indexer``: files in, searchable chunks out.

Per article: read and clean (``reading``), sort into unchanged, added or replacing (by content
hash and source key), chunk (``chunking``). Per batch of chunks: embed chunks and their
candidate sentences in one call, write the vectors, commit the catalog, drop replaced chunks,
all inside a journal so that a crash is rolled back to whole articles. One writer at a time
holds the store's lock; others wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import numpy as np

from assistant.errors import IngestError
from assistant.ingestion.chunking import chunk_article, index_text
from assistant.ingestion.documents import read_document_file
from assistant.ingestion.feeds import FeedRead, looks_like_feed, read_feed
from assistant.ingestion.fetching import Fetcher, is_url
from assistant.ingestion.reading import (
    DOCUMENT_SUFFIXES,
    RowError,
    article_too_long,
    duplicate_key,
    iter_input_files,
    read_file,
)
from assistant.ingestion.web import read_fetched
from assistant.models.embedding import Embedder
from assistant.records import Article, Chunk, IngestFailure, IngestReport
from assistant.settings import ChunkingSettings, EmbeddingSettings, FetchSettings, IngestSettings
from assistant.storage.catalog import Catalog, SentenceVectors
from assistant.storage.chroma import ChromaStore
from assistant.storage.consistency import OneWriter, journal, recover
from assistant.storage.feeds import FeedStates
from assistant.text.words import candidate_spans

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


@dataclass
class _Run:
    """One ingestion's state: its report, the batch being filled, the keys seen, its progress."""

    report: IngestReport = field(default_factory=IngestReport)
    batch: _Batch = field(default_factory=_Batch)
    seen_keys: dict[str, Article] = field(default_factory=dict)  # key → the article this run read under it
    done: int = 0
    seen: int = 0
    fetcher: Fetcher | None = None  # opened at the first URL, closed at the end of the run
    feed_reads: list[FeedRead] = field(default_factory=list)  # recorded once their articles are committed


class Indexer:
    """Ingests files into a catalog and a vector store that are already paired."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        store: ChromaStore,
        embedder: Embedder,
        ingest: IngestSettings,
        chunking: ChunkingSettings,
        embedding: EmbeddingSettings,
        writer: OneWriter,
        on_commit: Callable[[], None] | None = None,
        fetch: FetchSettings | None = None,
        feeds: FeedStates | None = None,
    ) -> None:
        self.catalog = catalog
        # Told after each batch is committed (the façade keeps the saved lexical index in step).
        self.on_commit = on_commit
        self.store = store
        self.embedder = embedder
        self.ingest_settings = ingest
        self.chunking = chunking
        self.embedding = embedding
        self.writer = writer  # a flock on the store's ingest.lock, or an AdvisoryLock on PostgreSQL
        self.fetch_settings = fetch or FetchSettings()
        self.feeds = feeds or FeedStates(catalog.path)  # feed state lives in the catalog's file
        self.transport: httpx.BaseTransport | None = None  # tests put an httpx.MockTransport here

    def recover_if_idle(self) -> None:
        """Roll back what an interrupted ingestion left, unless another process is ingesting now
        (its journal is live)."""
        if self.writer.acquire(blocking=False):
            try:
                recover(self.catalog, self.store)
            finally:
                self.writer.release()

    def ingest(self, paths: list[str | Path] | str | Path, progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders (see ``Assistant.ingest``), holding the writer lock."""
        started = time.perf_counter()
        with self.writer:
            recover(self.catalog, self.store)
            report = self._ingest([paths] if isinstance(paths, str | Path) else paths, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest(self, paths: list[str | Path], progress: Progress | None) -> IngestReport:
        run = _Run()
        try:
            for raw in paths:
                if is_url(raw):
                    self._ingest_url(str(raw), run, progress)
                    continue
                try:
                    files = list(iter_input_files([raw]))
                except IngestError as exc:
                    run.report.failed.append(IngestFailure(exc.path, exc.reason))
                    continue
                for path in files:
                    self._ingest_file(path, run, progress)
            self._flush(run.batch, run.report)
            self._record_feeds(run)
        finally:
            if run.fetcher is not None:
                run.fetcher.close()
        return run.report

    def follow(self, urls: list[str], progress: Progress | None = None) -> tuple[IngestReport, dict[str, str]]:
        """Read each feed (or page) once with conditional requests, holding the writer lock; the
        report, and per URL what came of it: "read", "unchanged" (304) or "failed"."""
        started = time.perf_counter()
        outcomes: dict[str, str] = {}
        with self.writer:
            recover(self.catalog, self.store)
            run = _Run()
            try:
                for url in urls:
                    outcomes[url] = self._ingest_url(url, run, progress, conditional=True)
                self._flush(run.batch, run.report)
                self._record_feeds(run)
            finally:
                if run.fetcher is not None:
                    run.fetcher.close()
        run.report.seconds = time.perf_counter() - started
        return run.report, outcomes

    def fetcher(self) -> Fetcher:
        """A new HTTP client within ``settings.fetch``'s limits (close it when done)."""
        return Fetcher(self.fetch_settings, self.transport)

    def _ingest_url(self, url: str, run: _Run, progress: Progress | None, conditional: bool = False) -> str:
        """A web page, document or feed: fetched, read, planned like a file's articles. Returns what
        came of it: "read", "unchanged" (a conditional request answered 304) or "failed"."""
        if run.fetcher is None:
            run.fetcher = self.fetcher()
        state = self.feeds.get(url) if conditional else None
        try:
            etag, modified = (state.etag, state.last_modified) if state else (None, None)
            fetched = run.fetcher.get(url, etag=etag, last_modified=modified)
            if fetched.not_modified:
                self.feeds.unchanged(url)
                return "unchanged"
            if looks_like_feed(fetched):
                read = read_feed(url, fetched, self.feeds, run.fetcher)
            else:
                self._take(url, [read_fetched(fetched)], [], [], run, progress)
                return "read"
        except IngestError as exc:
            run.report.failed.append(IngestFailure(exc.path, exc.reason))
            return "failed"
        run.report.failed.extend(read.failures)
        run.report.warnings.extend([IngestFailure(url, read.feed.note)] if read.feed.note else [])
        run.report.unchanged.extend(m.article_id for m in read.skipped if m.article_id)
        run.feed_reads.append(read)
        self._take(url, [a for _, a in read.articles], [], [], run, progress)
        return "read"

    def _record_feeds(self, run: _Run) -> None:
        """After the last commit: each feed entry that went in (or failed for good) is recorded, and a
        feed read completely keeps its validators for the next conditional request."""
        done = set(run.report.added) | set(run.report.unchanged) | set(run.report.replaced)
        for read in run.feed_reads:
            marks = [replace(m, article_id=a.id) for m, a in read.articles if a.id in done] + read.gave_up
            self.feeds.mark(marks)
            if read.complete and len(marks) == len(read.articles) + len(read.gave_up):
                f = read.fetched
                self.feeds.succeeded(read.url, etag=f.etag, last_modified=f.last_modified, title=read.feed.title)
            else:  # an entry to retry: the next read must not be answered 304
                self.feeds.succeeded(read.url, etag=None, last_modified=None, title=read.feed.title)

    def _ingest_file(self, path: Path, run: _Run, progress: Progress | None) -> None:
        report = run.report
        notes: list[str] = []
        max_bytes = self.ingest_settings.max_file_bytes
        row_errors: list[RowError] = []
        try:
            if path.suffix.lower() in DOCUMENT_SUFFIXES:
                articles = [read_document_file(path, max_bytes)]
            else:
                articles, row_errors = read_file(path, max_bytes, notes)
        except IngestError as exc:
            report.failed.append(IngestFailure(exc.path, exc.reason))
            return
        except OSError as exc:
            report.failed.append(IngestFailure(str(path), f"could not be read ({exc.strerror})"))
            return
        self._take(str(path), articles, row_errors, notes, run, progress)

    def _take(
        self,
        where: str,
        articles: list[Article],
        row_errors: list[RowError],
        notes: list[str],
        run: _Run,
        progress: Progress | None,
    ) -> None:
        """Plan an input's articles (batches flushed as they fill); record its failed rows and notes."""
        report = run.report
        report.failed.extend(IngestFailure(e.where, e.reason) for e in row_errors)
        report.warnings.extend(IngestFailure(where, note) for note in notes)
        run.seen += len(articles)
        for article in articles:
            self._plan(article, run)
            run.done += 1
            if run.batch.n_chunks >= self.ingest_settings.batch_chunks:
                self._flush(run.batch, report)
                run.batch = _Batch()
            if progress:
                progress(run.done, run.seen)

    def _plan(self, article: Article, run: _Run) -> None:
        """Sort one article into unchanged, added or replacing, and chunk it if it is new."""
        batch, report = run.batch, run.report
        limit = self.ingest_settings.max_article_chars
        if len(article.text) > limit:  # 5 MB of one "article" would embed for half an hour: refused at once
            report.failed.append(IngestFailure(article.origin, article_too_long(len(article.text), limit)))
            return
        earlier = run.seen_keys.get(article.key)
        if earlier is not None and earlier.id != article.id:  # another file of this run holds the key
            report.failed.append(IngestFailure(article.origin, duplicate_key("key", article.key, earlier.origin)))
            return
        in_batch = any(a.id == article.id for a, _ in batch.items)  # the same text under another name
        if earlier is not None or in_batch or self.catalog.has_article(article.id):
            report.unchanged.append(article.id)
            return
        run.seen_keys[article.key] = article
        old_id = self.catalog.article_id_for_key(article.key)
        embed_title = self.embedding.embed_title
        chunks = chunk_article(
            article,
            chunk_tokens=self.chunking.chunk_tokens,
            overlap_sentences=self.chunking.overlap_sentences,
            max_model_tokens=self.chunking.max_model_tokens,
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
        vectors, sentences = self._embed(articles, chunks)
        old_chunks = [cid for old in batch.replacing.values() for cid in self.catalog.chunk_ids_of(old)]
        new_ids = {c.id for c in chunks}
        with journal(self.catalog, [c.id for c in chunks] + old_chunks):  # a crash in here is rolled back
            self.store.upsert(articles, chunks, vectors)
            self.catalog.put(batch.items, replacing=batch.replacing.values(), sentences=(self.embedder.name, sentences))
            self.store.delete_chunks([cid for cid in old_chunks if cid not in new_ids])
        report.chunks_added += len(chunks)
        if self.on_commit:
            self.on_commit()

    def _embed(
        self, articles: dict[str, Article], chunks: list[Chunk]
    ) -> tuple[np.ndarray, dict[str, SentenceVectors]]:
        """The chunks' vectors, and each chunk's candidate sentences with their vectors."""
        embed_title = self.embedding.embed_title
        texts = [index_text(articles[c.article_id].title, c.text, embed_title) for c in chunks]
        spans = {c.id: candidate_spans(c.text) for c in chunks} if self.embedding.sentence_vectors else {}
        # One call for chunks and sentences: the encoder batches texts of similar length together.
        embedded = self.embedder.embed_passages(texts + [c.text[s:e] for c in chunks for s, e in spans.get(c.id, [])])
        sentences: dict[str, SentenceVectors] = {}
        row = len(chunks)
        for cid, chunk_spans in spans.items():
            sentences[cid] = (chunk_spans, embedded[row : row + len(chunk_spans)])
            row += len(chunk_spans)
        return embedded[: len(chunks)], sentences
