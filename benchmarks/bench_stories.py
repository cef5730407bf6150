"""Stories across outlets on a store (the ANT sample ingested): how many stories span several
outlets, how long grouping takes, whether a briefing over every article lists a story twice, and
a seeded sample of multi-outlet stories written out for reading (evals/stories/README.md says
how the 30 were judged).

    briefing ingest evals/antnews/news_sample_2000.jsonl --store /tmp/ant/store
    python benchmarks/bench_stories.py --store /tmp/ant/store --sample 30 --out /tmp/stories_sample.md
"""

from __future__ import annotations

import argparse
import collections
import random
import time
from pathlib import Path

from assistant import Assistant, Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", default="stories_sample.md")
    parser.add_argument("--brief", action="store_true", help="also brief on every article (about a minute)")
    args = parser.parse_args()
    a = Assistant(Settings(vectorstore_dir=Path(args.store)), create=False)
    started = time.perf_counter()
    stories = a.stories()
    seconds = time.perf_counter() - started
    multi = [s for s in stories if len(s.outlets) > 1]
    print(
        f"{len(a.articles())} articles; {len(stories)} stories of 2+ articles, {len(multi)} across outlets "
        f"({sum(len(s.article_ids) for s in multi)} articles); grouped in {seconds:.1f} s"
    )
    print("sizes:", dict(sorted(collections.Counter(len(s.article_ids) for s in stories).items())))
    print("outlet pairs:", collections.Counter(" + ".join(sorted(s.outlets)) for s in multi).most_common(5))
    infos = {i.article_id: i for i in a.articles()}
    lines = []
    for k, story in enumerate(random.Random(args.seed).sample(multi, min(args.sample, len(multi))), start=1):
        lines.append(f"## {k}. {story.first}..{story.last} {', '.join(story.outlets)}")
        for aid in story.article_ids:
            lead = " ".join((a.article_text(aid) or "").split())[:260]
            lines.append(f"- [{infos[aid].source} {infos[aid].published}] {infos[aid].title}\n    {lead}")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"sample of {min(args.sample, len(multi))} written to {args.out}")
    if args.brief:
        started = time.perf_counter()
        briefing = a.brief(language="ar", max_articles=len(infos))
        ids = [a.story_index.story_of(x.article_id).id for x in briefing.articles]
        print(
            f"briefing over every article: {len(briefing.articles)} articles, {briefing.merged_duplicates} folded, "
            f"{len(ids) - len(set(ids))} stories listed twice ({time.perf_counter() - started:.0f} s)"
        )


if __name__ == "__main__":
    main()
