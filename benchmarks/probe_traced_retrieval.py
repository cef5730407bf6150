"""Probe: does the lexicon's tracing of an English question into Arabic chunks help retrieval?

For English questions over Arabic text BM25 stays out (it cannot read the question), and the
dense candidates (top 50 chunks) are re-scored as ``cos(q, chunk) + 0.5 × best sentence cos``.
This probe adds ``t × share`` to that score, where ``share`` is the rarity-weighted share of the
question's content words that the lexicon traces into the chunk (``tracing.traced_terms``: names by
spelling, other words by their Arabic glosses), then hands back parents as the search does, and
scores strict recall@1/@5 (the passage holds the evidence or the reference) per weight.

``--half a`` / ``--half b``: the first / second half of the English questions (file order), to
choose a weight on one and judge it on the other.

    python benchmarks/probe_traced_retrieval.py [QUESTIONS] [--corpus PATH] [--store DIR] [--half a|b|all]

Figures end as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from assistant import Assistant
from assistant.answering.evidence import overlap_weights
from assistant.answering.tracing import question_terms, traced_terms
from assistant.evaluation.metrics import is_hit
from assistant.retrieval.parents import gather

ROOT = Path(__file__).resolve().parent.parent
XQUAD = ROOT / "evals" / "xquad"
WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", nargs="?", default=str(XQUAD / "xquad_dev.jsonl"))
    parser.add_argument("--corpus", default=str(XQUAD / "xquad_ar_corpus.jsonl"))
    parser.add_argument("--store", help="vector store to build or reuse (default: a temporary one)")
    parser.add_argument("--half", choices=("a", "b", "all"), default="all")
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["lang"] == "en" and r.get("answerable", True) and (r.get("evidence") or [])]
    if args.half != "all":
        rows = rows[: len(rows) // 2] if args.half == "a" else rows[len(rows) // 2 :]
    hits: dict[float, list[tuple[int | None]]] = {w: [] for w in WEIGHTS}
    trace_ms: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        a = Assistant(vectorstore_dir=args.store or tmp)
        a.ingest([args.corpus])
        s = a.searcher
        k = s.settings.k
        for row in rows:
            q = row["question"]
            vector = s.query_vector(q)
            dense = s._by_best_sentence(s.store.query(vector, s.settings.candidates, None), vector)
            chunk_rows = s.catalog.chunk_rows([cid for cid, _ in dense])
            started = time.perf_counter()
            terms = question_terms(q)
            traced = [traced_terms(q, chunk_rows[cid].text) if cid in chunk_rows else set() for cid, _ in dense]
            weight = overlap_weights(terms, traced)
            total = sum(weight.values()) or 1.0
            share = [sum(weight[w] for w in t) / total for t in traced]
            trace_ms.append((time.perf_counter() - started) * 1000)
            for w in WEIGHTS:
                scored = sorted(
                    ((cid, score + w * sh) for (cid, score), sh in zip(dense, share, strict=True)),
                    key=lambda item: -item[1],
                )
                chunks = [chunk_rows[cid].to_passage(sc) for cid, sc in scored if cid in chunk_rows]
                passages = gather(chunks, s.catalog.article_text, 10, s.settings.parent_chars)
                rank = next((i for i, p in enumerate(passages, start=1) if is_hit(p, row)), None)
                hits[w].append((rank,))
    n = len(rows)
    results = {}
    print(f"{n} English questions; tracing {sorted(trace_ms)[n // 2]:.0f} ms p50 a question (50 chunks)")
    for w in WEIGHTS:
        ranks = [r for (r,) in hits[w]]
        r1 = sum(1 for r in ranks if r == 1) / n
        r5 = sum(1 for r in ranks if r is not None and r <= min(5, k if k > 5 else 5)) / n
        results[str(w)] = {"recall@1": round(r1, 4), "recall@5": round(r5, 4)}
        print(f"  traced weight {w:<5} R@1 {r1:.4f}  R@5 {r5:.4f}")
    print(json.dumps({"questions": n, "half": args.half, "weights": results}))


if __name__ == "__main__":
    main()
