"""Briefing over many articles: the ANT news sample's articles on one topic, ingested into a fresh
store, then briefed.

Usage: python benchmarks/bench_brief.py [--keyword اليمن] [--topic "اليمن"] [--llm extractive|local]
       [--max-articles 100]

Articles whose title or first 500 characters mention ``--keyword`` are taken from
``evals/antnews/news_sample_2000.jsonl`` (Apache-2.0, see ``evals/antnews/``). The figures (articles
ingested, ingestion time, briefing time per stage, what the briefing holds) end as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keyword", default="اليمن")
    parser.add_argument("--topic", default=None, help="Briefing topic (default: the keyword).")
    parser.add_argument("--llm", default="extractive", choices=["extractive", "local", "openai"])
    parser.add_argument("--max-articles", type=int, default=100)
    parser.add_argument("--out", default=None, help="Also write the briefing here (.md, .html or .json).")
    args = parser.parse_args()

    from assistant import Assistant, Settings

    rows = [json.loads(line) for line in SAMPLE.open(encoding="utf-8")]
    chosen = [r for r in rows if args.keyword in r["title"] or args.keyword in r["text"][:500]]
    with tempfile.TemporaryDirectory(prefix="bench-brief-") as tmp:
        subset = Path(tmp) / "subset.jsonl"
        subset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
        assistant = Assistant(Settings(vectorstore_dir=Path(tmp) / "store"))
        started = time.perf_counter()
        report = assistant.ingest([subset])
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        briefing = assistant.brief(args.topic or args.keyword, backend=args.llm, max_articles=args.max_articles)
        brief_s = time.perf_counter() - started
        if args.out:
            out = Path(args.out)
            text = {".html": briefing.to_html, ".json": lambda: json.dumps(briefing.to_dict(), ensure_ascii=False)}
            out.write_text(text.get(out.suffix, briefing.to_markdown)(), encoding="utf-8")
        figures = {
            "keyword": args.keyword,
            "articles_matching": len(chosen),
            "ingest": report.summary(),
            "ingest_s": round(ingest_s, 1),
            "backend": args.llm,
            "briefing_s": round(brief_s, 2),
            "stages_s": briefing.timings,
            "articles_briefed": len(briefing.articles),
            "near_duplicates_folded": briefing.merged_duplicates,
            "summary_points": len(briefing.summary),
            "statements": len(briefing.statements),
            "speakers": len({s.speaker for s in briefing.statements}),
            "timeline_events": len(briefing.timeline),
            "resolved_dates": sum(e.resolved for e in briefing.timeline),
            "disputed": len(briefing.disputed),
            "open_questions": len(briefing.open_questions),
            "citations": len(briefing.citations),
            "renderings": briefing.renderings,
        }
        assistant.close()
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
