"""Ingestion throughput (pipeline vs bare encoder, same chunks, same run) and search latency.

Usage: python benchmarks/bench_index.py [--articles 150] [--rounds 3] [--queries 100]

Ingests the first N articles of the bundled ANT news sample into a temporary store with the real
pipeline (read, clean, chunk, embed, Chroma, catalog) and encodes exactly the same texts with
the bare sentence-transformers encoder (the chunks and, with ``sentence_vectors`` on, their
sentences), and prints chunks/s for both and their ratio.
``BRIEFING_EMBEDDING__SENTENCE_VECTORS=false`` measures a store without sentence vectors. The
articles go in ``--rounds`` slices, each ingested and then bare-encoded straight after, so a
change in the machine's load between the two halves skews one round, not the figure (the median
of the rounds' ratios is printed beside the overall one). Then it times hybrid, dense and BM25
searches (known-item queries from the same sample, which are Arabic, plus the English seed
questions), each embedding its question afresh, and prints p50/p95 in milliseconds. Figures are
printed as JSON at the end, for the README.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()

    from assistant import Assistant, Settings
    from assistant.evaluation.metrics import percentile
    from assistant.ingestion.chunking import index_text
    from assistant.text.words import candidate_spans

    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    with NEWS.open(encoding="utf-8") as source:
        lines = [next(source) for _ in range(args.articles)]
    slices = []
    for r in range(args.rounds):
        slices.append(work / f"slice{r}.jsonl")
        slices[-1].write_text("".join(lines[r :: args.rounds]), encoding="utf-8")

    assistant = Assistant(Settings(vectorstore_dir=work / "store"))
    encoder = assistant.embedder
    encoder.embed_passages(["passage warm-up"] * 8)  # load lazily-initialised kernels before timing

    pipeline_s = bare_s = 0.0
    n_chunks = n_articles = n_sentences = 0
    with_sentences = assistant.settings.embedding.sentence_vectors
    ratios: list[float] = []
    texts: list[str] = []
    for part in slices:
        started = time.perf_counter()
        report = assistant.ingest([part])
        round_pipeline_s = time.perf_counter() - started
        added = set(report.added)
        rows = [r for r in assistant.catalog.iter_chunk_rows() if r.article_id in added]
        round_texts = [index_text(r.title, r.text, assistant.settings.embedding.embed_title) for r in rows]
        assert len(round_texts) == report.chunks_added
        # The encoder's whole share of the pipeline's work: chunk texts and, when the store keeps
        # sentence vectors, the chunks' sentences, in one call as the pipeline makes it.
        round_sentences = [r.text[s:e] for r in rows if with_sentences for s, e in candidate_spans(r.text)]
        started = time.perf_counter()
        encoder.embed_passages(round_texts + round_sentences)
        round_bare_s = time.perf_counter() - started
        ratios.append(round_bare_s / round_pipeline_s)
        pipeline_s += round_pipeline_s
        bare_s += round_bare_s
        n_chunks += report.chunks_added
        n_sentences += len(round_sentences)
        n_articles += len(added)
        texts += round_texts

    queries = [json.loads(line)["question"] for line in (NEWS.parent / "news_sample_2000.known_item_dev.jsonl").open()]
    queries += [json.loads(line)["question"] for line in (ROOT / "evals" / "seed_questions.jsonl").open()]
    queries = queries[: args.queries]
    assistant.search(queries[0])  # builds the lexical index once, as the first search of a session does
    latency: dict[str, list[float]] = {"hybrid": [], "dense": [], "lexical": []}
    for query in queries:
        for mode in latency:
            assistant.searcher._query_vectors.clear()  # each search embeds its question, as a new one does
            started = time.perf_counter()
            assistant.search(query, 5, mode=mode)
            latency[mode].append((time.perf_counter() - started) * 1000)

    figures = {
        "articles": n_articles,
        "chunks": n_chunks,
        "sentences_embedded": n_sentences,
        "pipeline_chunks_per_s": round(n_chunks / pipeline_s, 2),
        "bare_encoder_chunks_per_s": round(n_chunks / bare_s, 2),
        "pipeline_over_bare": round(bare_s / pipeline_s, 3),
        "pipeline_over_bare_rounds": [round(r, 3) for r in ratios],
        "mean_chunk_chars": round(statistics.mean(len(t) for t in texts)),
        "search_ms": {
            mode: {"p50": round(percentile(v, 0.5), 1), "p95": round(percentile(v, 0.95), 1), "n": len(v)}
            for mode, v in latency.items()
        },
    }
    print(f"ingested {figures['articles']} articles, {n_chunks} chunks ({n_sentences} sentences embedded too)")
    print(f"pipeline     {figures['pipeline_chunks_per_s']:.2f} chunks/s ({pipeline_s:.1f} s)")
    print(f"bare encoder {figures['bare_encoder_chunks_per_s']:.2f} chunks/s ({bare_s:.1f} s)")
    print(
        f"pipeline/bare {figures['pipeline_over_bare']:.3f} (rounds: {', '.join(f'{r:.3f}' for r in ratios)}; "
        f"median {statistics.median(ratios):.3f})"
    )
    for mode, stats in figures["search_ms"].items():
        print(f"search {mode:<8} p50 {stats['p50']:.1f} ms  p95 {stats['p95']:.1f} ms  ({stats['n']} queries)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
