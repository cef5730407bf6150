"""Ingestion throughput (pipeline vs bare encoder, same chunks, same run) and search latency.

Usage: python benchmarks/bench_index.py [--articles 150] [--queries 100]

Ingests the first N articles of the bundled ANT news sample into a temporary store with the
real pipeline (read, clean, chunk, embed, Chroma, catalog), then encodes exactly the same chunk
texts with the bare sentence-transformers encoder, and prints chunks/s for both and their
ratio. Then it times hybrid and dense searches (known-item queries from the same sample,
which are Arabic, plus the English seed questions) and prints p50/p95 in milliseconds.
Figures are printed as JSON at the end, for the README.
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
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()

    from assistant import Assistant, Settings
    from assistant.metrics import percentile
    from assistant.retrieval import index_text

    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    subset = work / "subset.jsonl"
    with NEWS.open(encoding="utf-8") as source:
        subset.write_text("".join(next(source) for _ in range(args.articles)), encoding="utf-8")

    assistant = Assistant(Settings(vectorstore_dir=work / "store"))
    encoder = assistant.embedder
    encoder.embed_passages(["passage warm-up"] * 8)  # load lazily-initialised kernels before timing

    started = time.perf_counter()
    report = assistant.ingest([subset])
    pipeline_s = time.perf_counter() - started
    n_chunks = report.chunks_added

    texts = [
        index_text(r.title, r.text, assistant.settings.embedding.embed_title)
        for r in assistant.catalog.iter_chunk_rows()
    ]
    assert len(texts) == n_chunks
    started = time.perf_counter()
    encoder.embed_passages(texts)
    bare_s = time.perf_counter() - started

    queries = [json.loads(line)["question"] for line in (NEWS.parent / "news_sample_2000.known_item_dev.jsonl").open()]
    queries += [json.loads(line)["question"] for line in (ROOT / "evals" / "seed_questions.jsonl").open()]
    queries = queries[: args.queries]
    assistant.search(queries[0])  # builds the lexical index once, as the first search of a session does
    latency: dict[str, list[float]] = {"hybrid": [], "dense": [], "lexical": []}
    for query in queries:
        for mode in latency:
            started = time.perf_counter()
            assistant.search(query, 5, mode=mode)
            latency[mode].append((time.perf_counter() - started) * 1000)

    figures = {
        "articles": len(report.added),
        "chunks": n_chunks,
        "pipeline_chunks_per_s": round(n_chunks / pipeline_s, 2),
        "bare_encoder_chunks_per_s": round(n_chunks / bare_s, 2),
        "pipeline_over_bare": round(bare_s / pipeline_s, 3),
        "mean_chunk_chars": round(statistics.mean(len(t) for t in texts)),
        "search_ms": {
            mode: {"p50": round(percentile(v, 0.5), 1), "p95": round(percentile(v, 0.95), 1), "n": len(v)}
            for mode, v in latency.items()
        },
    }
    print(f"ingested {figures['articles']} articles, {n_chunks} chunks")
    print(f"pipeline     {figures['pipeline_chunks_per_s']:.2f} chunks/s ({pipeline_s:.1f} s)")
    print(f"bare encoder {figures['bare_encoder_chunks_per_s']:.2f} chunks/s ({bare_s:.1f} s)")
    print(f"pipeline/bare {figures['pipeline_over_bare']:.3f}")
    for mode, stats in figures["search_ms"].items():
        print(f"search {mode:<8} p50 {stats['p50']:.1f} ms  p95 {stats['p95']:.1f} ms  ({stats['n']} queries)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
