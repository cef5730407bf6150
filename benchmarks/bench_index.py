"""Ingestion throughput (pipeline vs bare encoder, same chunks, same run) and search latency;
with ``--int8``, the fp32 encoder against its int8 variants in one run instead.

Usage: python benchmarks/bench_index.py [--articles 150] [--rounds 3] [--queries 100]
       python benchmarks/bench_index.py --int8 [VARIANT ...] [--articles 150] [--rounds 3] [--queries 100]

Ingests the first N articles of the bundled ANT news sample into a temporary store with the real
pipeline (read, clean, chunk, embed, Chroma, catalog) and encodes exactly the same texts with
the bare encoder the pipeline uses (the chunks and, with ``sentence_vectors`` on, their
sentences), and prints chunks/s for both and their ratio.
``BRIEFING_EMBEDDING__SENTENCE_VECTORS=false`` measures a store without sentence vectors. The
articles go in ``--rounds`` slices, each ingested and then bare-encoded straight after, so a
change in the machine's load between the two halves skews one round, not the figure (the median
of the rounds' ratios is printed beside the overall one). Then it times hybrid, dense and BM25
searches (known-item queries from the same sample, which are Arabic, plus the English seed
questions), each embedding its question afresh, and prints p50/p95 in milliseconds. Figures are
printed as JSON at the end, for the README.

``--int8`` (variants: ``onnx_embedding.INT8_VARIANTS``, all by default) quantises ``model.onnx`` with
ONNX Runtime's quantiser (once; ``static`` is calibrated on first sentences of ANT articles
1000-1127, none of them measured here) and measures every encoder in the same process: ingestion
chunks/s of the same ANT slices into a store per encoder (rounds interleaved, the order rotating;
wall time, the rounds' median ratio and CPU time) and the bare encoder on the texts the pipeline
embedded (chunks and their sentences); a question's embedding p50/p95; cosine to fp32 on
200 texts (first sentences of 100 ANT articles from 1500 on, 100 NTREX English sentences); and
XQuAD-ar dev hybrid recall@1/@5 (strict hits) per language, the corpus ingested into a store per
encoder. Then the keep rule of issue 18: an int8 variant is kept only if recall@1 drops by at
most 0.01 and recall@5 by at most 0.005 in each language, and ingestion chunks/s is at least 1.5×
fp32's.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"
XQUAD = ROOT / "evals" / "xquad"
NTREX = ROOT / "evals" / "ntrex" / "ntrex_ar_en_dev.jsonl"
# The keep rule (issue 18): largest recall drops allowed in each language, smallest speed-up.
MAX_R1_DROP, MAX_R5_DROP, MIN_SPEEDUP = 0.01, 0.005, 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--int8", nargs="*", metavar="VARIANT", help="compare fp32 with int8 variants (all: none named)"
    )
    args = parser.parse_args()
    if args.int8 is not None:
        from assistant.models.onnx_embedding import INT8_VARIANTS

        compare_int8(args.int8 or list(INT8_VARIANTS), args.articles, args.rounds, args.queries)
        return

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


def _first_sentences(lines: list[str]) -> list[str]:
    """The first sentence of each ANT article row."""
    from assistant.text.words import candidate_spans

    texts = []
    for line in lines:
        text = json.loads(line)["text"]
        spans = candidate_spans(text)
        if spans:
            texts.append(text[spans[0][0] : spans[0][1]])
    return texts


def _encoders(variants: list[str]) -> dict[str, Any]:
    """fp32 and each int8 variant, quantised first when missing (the first time: 10-40 s each)."""
    from assistant import Settings
    from assistant.models.embedding import bundled_e5_dir
    from assistant.models.onnx_embedding import INT8_VARIANTS, OnnxEmbedder, quantise_onnx

    settings = Settings()
    model_dir = bundled_e5_dir(settings.cache_dir)
    fp32 = settings.embedding.model_copy(update={"int8": False})
    encoders = {"fp32": OnnxEmbedder(model_dir, fp32)}
    lines = NEWS.read_text(encoding="utf-8").split("\n")
    for variant in variants:
        started = time.perf_counter()
        calibration = _first_sentences(lines[1000:1128]) if INT8_VARIANTS[variant]["static"] else None
        path = quantise_onnx(model_dir, variant, calibration)
        print(f"{variant}: {path} ({time.perf_counter() - started:.1f} s)", flush=True)
        encoders[variant] = OnnxEmbedder(model_dir, fp32, model_file=path)
    return encoders


def _timed(call: Any, *args: Any) -> tuple[Any, float, float]:
    """``call(*args)``'s result, wall seconds and CPU seconds of the whole process (all its threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _ingestion_speed(encoders: dict[str, Any], work: Path, articles: int, rounds: int) -> dict[str, dict[str, Any]]:
    """Per encoder: chunks/s of ingesting the first ``articles`` ANT articles into its own store, in
    ``rounds`` slices (each slice ingested by every encoder in turn, the order rotating), and of the
    bare encoder on the texts the pipeline embedded (chunks and their sentences); wall and CPU time,
    and each round's ratio to fp32 (the machine's load moves between rounds)."""
    from assistant import Assistant, Settings
    from assistant.ingestion.chunking import index_text
    from assistant.text.words import candidate_spans

    with NEWS.open(encoding="utf-8") as source:
        lines = [next(source) for _ in range(articles)]
    names = list(encoders)
    assistants = {n: Assistant(Settings(vectorstore_dir=work / f"ant-{n}"), embedder=encoders[n]) for n in names}
    warm_up = work / "warm-up.jsonl"  # one article outside the measured ones: each store's first-use costs
    warm_up.write_text(NEWS.read_text(encoding="utf-8").split("\n")[1999] + "\n", encoding="utf-8")
    for assistant in assistants.values():
        assistant.ingest([warm_up])
    times = {n: {"ingest": [0.0, 0.0], "encoder": [0.0, 0.0], "rounds": []} for n in names}
    chunks = 0
    for r in range(rounds):
        part = work / f"slice{r}.jsonl"
        part.write_text("".join(lines[r::rounds]), encoding="utf-8")
        order = names[r % len(names) :] + names[: r % len(names)]
        reports, walls = {}, {}
        for name in order:
            reports[name], walls[name], cpu = _timed(assistants[name].ingest, [part])
            times[name]["ingest"] = [times[name]["ingest"][0] + walls[name], times[name]["ingest"][1] + cpu]
        counts = {rep.chunks_added for rep in reports.values()}
        assert len(counts) == 1, f"the encoders chunked differently: {counts}"
        fp32 = assistants["fp32"]
        added = set(reports["fp32"].added)
        rows = [row for row in fp32.catalog.iter_chunk_rows() if row.article_id in added]
        texts = [index_text(row.title, row.text, fp32.settings.embedding.embed_title) for row in rows]
        if fp32.settings.embedding.sentence_vectors:
            texts += [row.text[s:e] for row in rows for s, e in candidate_spans(row.text)]
        for name in order:
            _, wall, cpu = _timed(encoders[name].embed_passages, texts)
            times[name]["encoder"] = [times[name]["encoder"][0] + wall, times[name]["encoder"][1] + cpu]
            times[name]["rounds"].append(walls["fp32"] / walls[name])
        chunks += counts.pop()
        print(f"round {r + 1}/{rounds}: {chunks} chunks so far", flush=True)
    return {n: {"chunks": chunks, **_speeds(times[n], times["fp32"], chunks)} for n in names}


def _speeds(arm: dict[str, Any], fp32: dict[str, Any], chunks: int) -> dict[str, Any]:
    return {
        "ingest_chunks_per_s": chunks / arm["ingest"][0],
        "speedup": fp32["ingest"][0] / arm["ingest"][0],
        "speedup_round_median": statistics.median(arm["rounds"]),
        "speedup_cpu": fp32["ingest"][1] / arm["ingest"][1],
        "encoder_chunks_per_s": chunks / arm["encoder"][0],
        "encoder_speedup": fp32["encoder"][0] / arm["encoder"][0],
        "encoder_speedup_cpu": fp32["encoder"][1] / arm["encoder"][1],
    }


def _query_ms(encoders: dict[str, Any], queries: int) -> dict[str, dict[str, float]]:
    """p50/p95 of embedding one question, XQuAD-ar dev's first ``queries``, encoders in turn."""
    from assistant.evaluation.metrics import percentile

    rows = (XQUAD / "xquad_dev.jsonl").read_text(encoding="utf-8").split("\n")[:queries]
    ms: dict[str, list[float]] = {n: [] for n in encoders}
    for row in rows:
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.embed_queries([json.loads(row)["question"]])
            ms[name].append((time.perf_counter() - started) * 1000)
    return {n: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95)} for n, v in ms.items()}


def _agreement(encoders: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Cosine of each encoder's passage vectors to fp32's on 100 Arabic and 100 English texts."""
    arabic = _first_sentences(NEWS.read_text(encoding="utf-8").split("\n")[1500:1600])[:100]
    english = [json.loads(line)["en"] for line in NTREX.read_text(encoding="utf-8").split("\n")[::9]][:100]
    reference = encoders["fp32"].embed_passages(arabic + english)
    figures = {}
    for name, encoder in encoders.items():
        cosines = (reference * encoder.embed_passages(arabic + english)).sum(axis=1)
        figures[name] = {
            "mean": float(cosines.mean()),
            "min": float(cosines.min()),
            "min_ar": float(cosines[: len(arabic)].min()),
            "min_en": float(cosines[len(arabic) :].min()),
        }
    return figures


def _search(assistant: Any) -> Any:
    return lambda question, k, mode: assistant.search(question, k, mode=mode)


def _xquad_recall(encoders: dict[str, Any], work: Path) -> dict[str, dict[str, Any]]:
    """XQuAD-ar dev hybrid retrieval per encoder, the corpus ingested into a store of its own."""
    from assistant import Assistant, Settings
    from assistant.evaluation.scoring import evaluate_retrieval, load_question_set

    rows = load_question_set(XQUAD / "xquad_dev.jsonl")
    figures = {}
    for name, encoder in encoders.items():
        assistant = Assistant(Settings(vectorstore_dir=work / f"xquad-{name}"), embedder=encoder)
        started = time.perf_counter()
        report = assistant.ingest([XQUAD / "xquad_ar_corpus.jsonl"])
        ingest_s = time.perf_counter() - started
        run = evaluate_retrieval(_search(assistant), rows, modes=("hybrid",))
        hybrid = run["summary"]["hybrid"]
        figures[name] = {
            lang: {"n": hybrid[lang]["n"], "recall@1": hybrid[lang]["recall@1"], "recall@5": hybrid[lang]["recall@5"]}
            for lang in ("en", "ar")
        }
        figures[name]["ingest_chunks_per_s"] = report.chunks_added / ingest_s
        figures[name]["search_ms_p50"] = hybrid["latency_ms"]["p50"]
        print(f"xquad {name}: {figures[name]}", flush=True)
    return figures


def _verdict(fp32: dict[str, Any], arm: dict[str, Any]) -> list[str]:
    """Why a variant fails the keep rule (nothing: it passes)."""
    reasons = []
    for lang in ("en", "ar"):
        for k, most in (("recall@1", MAX_R1_DROP), ("recall@5", MAX_R5_DROP)):
            drop = fp32["recall"][lang][k] - arm["recall"][lang][k]
            if drop > most + 1e-9:
                reasons.append(f"{lang} {k} drops {drop:.3f} (> {most})")
    if arm["speedup"] < MIN_SPEEDUP:
        reasons.append(f"ingestion only {arm['speedup']:.2f}x fp32 (< {MIN_SPEEDUP})")
    return reasons


def _print_table(results: dict[str, dict[str, Any]]) -> None:
    """One row per encoder; × columns are ratios to fp32 (wall time overall, the rounds' median, CPU time)."""
    print(
        f"\n{'encoder':<15}{'ingest c/s':>11}{'×':>6}{'median':>7}{'cpu×':>6}{'encoder c/s':>12}{'×':>6}{'cpu×':>6}"
        f"{'query ms':>9}{'en R@1':>8}{'en R@5':>8}{'ar R@1':>8}{'ar R@5':>8}{'cos mean':>10}{'cos min':>9}"
    )
    for name, r in results.items():
        rec = r["recall"]
        print(
            f"{name:<15}{r['ingest_chunks_per_s']:>11.2f}{r['speedup']:>6.2f}{r['speedup_round_median']:>7.2f}"
            f"{r['speedup_cpu']:>6.2f}{r['encoder_chunks_per_s']:>12.2f}{r['encoder_speedup']:>6.2f}"
            f"{r['encoder_speedup_cpu']:>6.2f}{r['query_ms']['p50']:>9.1f}{rec['en']['recall@1']:>8.3f}"
            f"{rec['en']['recall@5']:>8.3f}{rec['ar']['recall@1']:>8.3f}{rec['ar']['recall@5']:>8.3f}"
            f"{r['cosine']['mean']:>10.5f}{r['cosine']['min']:>9.5f}"
        )
    print()
    for name, r in list(results.items())[1:]:
        print(f"{name}: {'KEEP' if not r['fails'] else 'reject (' + '; '.join(r['fails']) + ')'}")


def compare_int8(variants: list[str], articles: int, rounds: int, queries: int) -> None:
    """fp32 against each int8 variant in one process, then the keep rule's decision per variant."""
    from assistant import Settings

    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's "consider pre-processing" notice
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    print(f"commit {commit.stdout.strip()}; retrieval settings {Settings().retrieval.model_dump_json()}", flush=True)
    encoders = _encoders(variants)
    for encoder in encoders.values():
        encoder.embed_passages(["passage warm-up"] * 8)
    work = Path(tempfile.mkdtemp(prefix="bench-int8-"))
    speed = _ingestion_speed(encoders, work, articles, rounds)
    query_ms, cosine, recall = _query_ms(encoders, queries), _agreement(encoders), _xquad_recall(encoders, work)
    results: dict[str, dict[str, Any]] = {}
    for name in encoders:
        results[name] = {**speed[name], "query_ms": query_ms[name], "cosine": cosine[name], "recall": recall[name]}
        results[name]["fails"] = [] if name == "fp32" else _verdict(results["fp32"], results[name])
    _print_table(results)
    kept = [n for n in variants if not results[n]["fails"]]
    print(f"\ndecision: {'keep ' + ', '.join(kept) if kept else 'keep fp32 (no int8 variant passes the rule)'}")
    print(json.dumps({"int8": _rounded(results), "kept": kept}))


def _rounded(value: Any) -> Any:
    """Floats to 4 decimals, in nested dicts and lists."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return [_rounded(v) for v in value] if isinstance(value, list) else value


if __name__ == "__main__":
    main()
