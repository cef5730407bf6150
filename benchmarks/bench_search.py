"""Search latency at 1k, 10k and 100k chunks: hybrid, dense and BM25, with real query embeddings.

Usage: python benchmarks/bench_search.py [--sizes 1000 10000 100000] [--queries 100] [--chroma-url URL]
                                        [--store DIR]   # also time an ingested store (real vectors)
                                        [--catalogs sqlite postgres] [--catalog-url URL]

Embedding 100k chunks would take over an hour here, so the corpus is synthetic: random unit
vectors (384 dimensions, as e5-small; two sentence vectors a chunk in the catalog) and texts
drawn word by word from the word frequencies of the 2,000-article ANT news sample (about 55
words a chunk, six chunks an article, as the real ingestion makes), written straight into a
``ChromaStore`` and the catalog. The lexical index is then built and saved (as an ingestion
does after each batch), the assistant closed, and a new one opened on the store: its first
search (the saved index loaded and checked against the catalog) is timed, and a rebuild from
the catalog apart (what a first search cost before the index was saved). The queries are real:
the sample's known-item questions (Arabic) and the seed questions (English and Arabic),
embedded by the real e5 model on every search (the query-vector cache is emptied first).

Random vectors have no cluster structure, so the HNSW graph search does at least as much work as
on real vectors; the dense ranks are meaningless, the timings are not. Per size it prints
p50/p95 of each mode, of a hybrid search whose query vector is already known (what grows with
the corpus), and of the parts of a hybrid search (query embedding, Chroma query, BM25); and the
time to load the corpus and to build the lexical index. Before the timed searches it waits for
the story grouping a new process starts in the background on a large store (and prints how long).

``--catalogs sqlite postgres`` times every size with each catalog in the same run: PostgreSQL on
a server it starts for the run (Debian's ``postgresql``, as the tests do; ``--catalog-url`` names
a server instead, where it may create databases). For each, the catch-up: a second assistant on
the same catalog and Chroma collection (another process; with ``--chroma-url``, another folder, as
another machine) writes 1,000 more chunks, and the first one's lexical index is brought up to
date from the catalog, timed.
Figures end as one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"
CHUNKS_PER_ARTICLE = 6
SENTENCES_PER_CHUNK = 2


def word_distribution() -> tuple[list[str], np.ndarray]:
    """The sample's words and their probabilities."""
    counts: Counter[str] = Counter()
    for line in NEWS.open(encoding="utf-8"):
        row = json.loads(line)
        counts.update(f"{row['title']} {row['text']}".split())
    words = list(counts)
    freq = np.asarray([counts[w] for w in words], dtype=np.float64)
    return words, freq / freq.sum()


def halves(text: str) -> list[tuple[int, int]]:
    """Two sentence spans for a synthetic chunk."""
    middle = len(text) // 2
    return [(0, middle), (middle, len(text))]


def load_corpus(assistant: Any, n_chunks: int, words: list[str], probs: np.ndarray, seed: int = 0) -> None:
    """Write ``n_chunks`` synthetic chunks (vectors, catalog rows) into the assistant's store."""
    from assistant.records import Article, Chunk, content_hash

    rng = np.random.default_rng(seed)
    dim = assistant.embedder.dim
    batch_articles: dict[str, Article] = {}
    batch_items: list[tuple[Article, list[Chunk]]] = []

    def flush() -> None:
        chunks = [c for _, cs in batch_items for c in cs]
        vectors = rng.standard_normal((len(chunks), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        assistant.store.upsert(batch_articles, chunks, vectors)
        assistant.catalog.put(batch_items)
        # Two sentence vectors a chunk (the real ingestion makes 1.8 on the news sample), which the
        # search reads for the candidates of questions that BM25 cannot read.
        sentences = rng.standard_normal((len(chunks), SENTENCES_PER_CHUNK, dim)).astype(np.float32)
        sentences /= np.linalg.norm(sentences, axis=2, keepdims=True)
        assistant.catalog.put_sentence_vectors(
            assistant.embedder.name,
            {c.id: (halves(c.text), matrix) for c, matrix in zip(chunks, sentences, strict=True)},
        )
        batch_articles.clear()
        batch_items.clear()

    for a in range((n_chunks + CHUNKS_PER_ARTICLE - 1) // CHUNKS_PER_ARTICLE):
        n = min(CHUNKS_PER_ARTICLE, n_chunks - a * CHUNKS_PER_ARTICLE)
        lengths = np.clip(rng.normal(55, 15, n).astype(int), 10, 120)
        drawn = rng.choice(len(words), size=int(lengths.sum()), p=probs)
        texts, at = [], 0
        for length in lengths:
            texts.append(" ".join(words[i] for i in drawn[at : at + length]) + ".")
            at += length
        text = " ".join(texts)
        title = " ".join(words[i] for i in rng.choice(len(words), size=6, p=probs))
        article_id = content_hash(title, text)
        article = Article(
            id=article_id,
            key=f"synthetic-{seed}-{a}",
            title=title,
            text=text,
            source=("alarabia", "bbc", "cnn")[a % 3],
            lang="ar",
            published=date(2018, 1, 1) + timedelta(days=a % 365),
        )
        chunks, start = [], 0
        for i, piece in enumerate(texts):
            chunks.append(Chunk(f"{article_id}-{i}", article_id, i, piece, start, start + len(piece)))
            start += len(piece) + 1
        batch_articles[article_id] = article
        batch_items.append((article, chunks))
        if len(batch_articles) * CHUNKS_PER_ARTICLE >= 5000:
            flush()
    if batch_items:
        flush()


def queries(n: int) -> list[str]:
    rows = [json.loads(line)["question"] for line in NEWS.with_name("news_sample_2000.known_item_dev.jsonl").open()]
    rows += [json.loads(line)["question"] for line in (ROOT / "evals" / "seed_questions.jsonl").open()]
    random.Random(0).shuffle(rows)
    return rows[:n]


def timed(fn: Any, *args: Any, **kwargs: Any) -> float:
    """Milliseconds ``fn(*args, **kwargs)`` takes."""
    started = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def forget_tracing() -> None:
    """Empty what the tracer and the lexicon remember of words and texts (not the loaded lexicon):
    every measurement starts as a new process would, whichever ran before it in this one."""
    import assistant.answering.names as names
    import assistant.answering.tracing as tracing

    lexicon_module = sys.modules["assistant.lexicon.lexicon"]  # the package exports a function of that name

    for owner in (tracing, names, lexicon_module, lexicon_module.Lexicon):
        for value in vars(owner).values():
            if hasattr(value, "cache_clear") and value is not lexicon_module.lexicon:
                value.cache_clear()


def measure(assistant: Any, questions: list[str]) -> dict[str, Any]:
    """p50/p95 of each search mode and of a hybrid search's parts, in ms, over ``questions``."""
    from assistant.evaluation.metrics import percentile

    forget_tracing()
    searcher = assistant.searcher
    stories_s = timed(assistant.stories) / 1000  # a new process groups stories once, in the background
    # Warm-up: first calls into Chroma and the encoder, and the lexicon an English question loads
    # (once a process, about 2 s: not a search's cost).
    english = next((q for q in questions if re.search("[A-Za-z]", q)), questions[0])
    assistant.search(questions[0])
    assistant.search(english)
    # Each question's first hybrid search: an English one also traces its words into the candidate
    # chunks through the lexicon (remembered for the next time); the timed rounds below see them again.
    latency: dict[str, list[float]] = {"hybrid_first_time": []}
    for question in questions:
        searcher._query_vectors.clear()
        latency["hybrid_first_time"].append(timed(assistant.search, question, 5, mode="hybrid"))
    latency.update({"hybrid": [], "dense": [], "lexical": []})
    parts: dict[str, list[float]] = {"hybrid_no_embed": [], "embed": [], "chroma": [], "bm25": []}
    for question in questions:
        for mode in ("hybrid", "dense", "lexical"):
            searcher._query_vectors.clear()  # every search embeds its question, as a new one does
            latency[mode].append(timed(assistant.search, question, 5, mode=mode))
        # The same search with its query vector remembered: what grows with the corpus.
        vector = searcher.query_vector(question)
        parts["hybrid_no_embed"].append(timed(assistant.search, question, 5, mode="hybrid"))
        parts["embed"].append(timed(assistant.embedder.embed_queries, [question]))
        parts["chroma"].append(timed(assistant.store.query, vector, assistant.settings.retrieval.candidates))
        parts["bm25"].append(timed(searcher.lexical.coverage, question) + timed(searcher.lexical.search, question, 50))
    return {
        "chunks": assistant.store.count(),
        "stories_s": round(stories_s, 1),
        "ms": {
            name: {"p50": round(percentile(v, 0.5), 1), "p95": round(percentile(v, 0.95), 1)}
            for name, v in {**latency, **parts}.items()
        },
    }


def cold_start(settings: Any, embedder: Any, chroma_url: str | None, question: str) -> tuple[Any, dict[str, float]]:
    """A new assistant on a store whose lexical index was saved, as a new process opens it: the
    seconds its first search takes (the saved index loaded and checked against the catalog), and
    a rebuild from the catalog timed apart (what the first search cost before the index was saved)."""
    from assistant import Assistant
    from assistant.retrieval.lexical import LexicalIndex

    assistant = Assistant(settings, embedder=embedder, chroma_url=chroma_url)
    first_s = timed(assistant.search, question, 5) / 1000
    searcher = assistant.searcher
    loaded = searcher.lexical
    searcher.lexical = LexicalIndex()
    searcher.lexical_path.rename(searcher.lexical_path.with_suffix(".bak"))
    rebuild_s = timed(searcher.refresh_lexical) / 1000
    searcher.lexical_path.with_suffix(".bak").replace(searcher.lexical_path)
    searcher.lexical = loaded
    return assistant, {"first_search_s": round(first_s, 2), "lexical_rebuild_s": round(rebuild_s, 1)}


def report(name: str, figures: dict[str, Any]) -> None:
    loaded = f"loaded in {figures['load_s']:.0f} s, " if "load_s" in figures else ""
    cold = (
        f"first search of a new process {figures['first_search_s']:.2f} s with the saved index, "
        f"{figures['lexical_rebuild_s']:.1f} s to rebuild it"
        if "first_search_s" in figures
        else ""
    )
    print(f"{name}: {figures['chunks']} chunks ({loaded}{cold}; stories grouped in {figures['stories_s']:.1f} s)")
    if "catch_up_s" in figures:
        print(f"    lexical index brought up to date after 1,000 chunks from elsewhere: {figures['catch_up_s']:.2f} s")
    for part, s in figures["ms"].items():
        print(f"    {part:<16} p50 {s['p50']:7.1f} ms   p95 {s['p95']:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--chroma-url", default=None, help="Time a Chroma server instead of the embedded store.")
    parser.add_argument("--store", action="append", default=[], help="Also time this existing store (real vectors).")
    parser.add_argument("--catalogs", nargs="*", default=["sqlite"], choices=["sqlite", "postgres"])
    parser.add_argument("--catalog-url", default=None, help="A PostgreSQL server (any database on it) to use.")
    args = parser.parse_args()

    from assistant import Assistant, Settings

    questions = queries(args.queries)
    embedder = None
    results: dict[str, Any] = {}
    for store in args.store:
        assistant = Assistant(Settings(vectorstore_dir=Path(store)), embedder=embedder, chroma_url=args.chroma_url)
        embedder = assistant.embedder
        assistant.close()
        assistant, cold = cold_start(Settings(vectorstore_dir=Path(store)), embedder, args.chroma_url, questions[0])
        results[store] = {**cold, **measure(assistant, questions)}
        report(store, results[store])
        assistant.close()
    words, probs = word_distribution()
    with postgres_databases(args.catalog_url, "postgres" in args.catalogs) as database:
        for size in args.sizes:
            for catalog in args.catalogs:
                work = Path(tempfile.mkdtemp(prefix=f"bench-search-{size}-"))
                settings = Settings(
                    vectorstore_dir=work,
                    collection=f"bench-{size}-{int(time.time())}",
                    catalog_url=database() if catalog == "postgres" else "",
                )
                assistant = Assistant(settings, embedder=embedder, chroma_url=args.chroma_url)
                embedder = assistant.embedder
                load_s = timed(load_corpus, assistant, size, words, probs) / 1000
                assistant.searcher.refresh_lexical()  # what an ingestion does after each batch: builds, saves it
                assistant.close()
                assistant, cold = cold_start(settings, embedder, args.chroma_url, questions[0])
                name = str(size) if catalog == "sqlite" else f"{size}-postgres"
                results[name] = {"load_s": round(load_s, 1), **cold, **measure(assistant, questions)}
                if catalog == "postgres" or len(args.catalogs) > 1:
                    results[name]["catch_up_s"] = catch_up(assistant, settings, embedder, args.chroma_url, words, probs)
                report(f"synthetic {size}, {catalog} catalog", results[name])
                if args.chroma_url:
                    assistant.store.client.delete_collection(settings.collection)
                assistant.close()
                shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"queries": len(questions), "results": results}))


def catch_up(
    assistant: Any, settings: Any, embedder: Any, chroma_url: str | None, words: list[str], probs: Any
) -> float:
    """Seconds ``assistant`` takes to bring its lexical index up to date after another assistant on
    the same catalog and collection wrote 1,000 chunks: another machine (its own folder) with a
    Chroma server and the PostgreSQL catalog, else another process on the same folder."""
    from assistant import Assistant

    other_folder = settings.vectorstore_dir
    if chroma_url and settings.catalog_url:
        other_folder = other_folder / "elsewhere"
    other = Assistant(
        settings.model_copy(update={"vectorstore_dir": other_folder}), embedder=embedder, chroma_url=chroma_url
    )
    load_corpus(other, 1000, words, probs, seed=1)
    other.close()
    before = len(assistant.searcher.lexical)
    seconds = timed(assistant.searcher.refresh_lexical) / 1000
    after = len(assistant.searcher.lexical)
    assert after == before + 1000, f"the catch-up went from {before} to {after} chunks, not {before + 1000}"
    return round(seconds, 2)


@contextlib.contextmanager
def postgres_databases(url: str | None, wanted: bool) -> Iterator[Any]:
    """A function that makes a fresh database and returns its URL: on the server at ``url`` (its
    databases dropped at the end), or on a cluster started for the run; nothing when PostgreSQL is
    not wanted. Both as the tests do (``tests/postgres.py``)."""
    if not wanted:
        yield lambda: ""
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import Server, postgres_server

    if url is None:
        with postgres_server() as server:
            yield server.database
        return
    given = Server(url)
    try:
        yield given.database
    finally:
        given.drop_databases()


if __name__ == "__main__":
    main()
