"""English renderings of Arabic news sentences: the plain prompt against the lexicon-guided best
candidate, scored with chrF++ (sacrebleu) against the human English of NTREX-128 dev.

For a fixed sample of NTREX dev pairs (``--n``, drawn with ``--seed`` from all 925, in file
order), the local model translates each Arabic sentence twice in the same run: with the plain
prompt (``translate_sentence``) and with the lexicon-guided one (``translate_guided``, the
sentence's glossary in the prompt). The guided *best* is the better traced of the two
(``Trace.rank``; the guided one on a tie), as briefings choose. Reported: corpus chrF++ of plain,
guided alone and guided best; the share of chosen renderings that are *checked* (every content
word traced, no disagreement), and chrF++ within checked and within drafts.

    python benchmarks/bench_renderings.py [--n 300] [--seed 7] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import sacrebleu

ROOT = Path(__file__).resolve().parent.parent


def chrf(hypotheses: list[str], references: list[str]) -> float | None:
    if not hypotheses:
        return None
    return round(sacrebleu.corpus_chrf(hypotheses, [references], word_order=2).score, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "evals/ntrex/ntrex_ar_en_dev.jsonl")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from assistant import Settings
    from assistant.answering.rendering import MAX_TOKENS, Rendering, clean, glossary
    from assistant.answering.tracing import trace
    from assistant.models.chat import make_chat_model
    from assistant.models.prompts import load_prompts

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = sorted(random.Random(args.seed).sample(range(len(rows)), min(args.n, len(rows))))
    sample = [rows[i] for i in picked]
    settings = Settings()
    model = make_chat_model(settings.llm.model_copy(update={"backend": "local"}), settings.cache_dir)
    assert model is not None
    prompts = load_prompts()

    def ask(name: str, **values: str) -> str:
        reply = model.invoke(prompts[name].messages(**values), max_tokens=MAX_TOKENS[name])
        return clean(str(reply.content))

    started = time.perf_counter()
    plain, guided, best, refs = [], [], [], []
    chosen: list[Rendering] = []
    for row in sample:
        listing = "\n".join(f"- {ar}: {en}" for ar, en in glossary(row["ar"])) or "- (none)"
        g = Rendering(t := ask("translate_guided", glossary=listing, sentence=row["ar"]), trace(t, row["ar"]), "guided")
        p = Rendering(t := ask("translate_sentence", sentence=row["ar"]), trace(t, row["ar"]), "plain")
        pick = min([g, p], key=lambda c: c.trace.rank())  # min keeps the first (guided) on a tie
        plain.append(p.text)
        guided.append(g.text)
        best.append(pick.text)
        chosen.append(pick)
        refs.append(row["en"])
    checked = [i for i, c in enumerate(chosen) if c.trace.checked]
    drafts = [i for i, c in enumerate(chosen) if not c.trace.checked]
    figures = {
        "sentences": len(sample),
        "chrf++_plain": chrf(plain, refs),
        "chrf++_guided": chrf(guided, refs),
        "chrf++_guided_best": chrf(best, refs),
        "chosen_guided_share": round(sum(c.prompt == "guided" for c in chosen) / len(chosen), 3),
        "checked_share": round(len(checked) / len(chosen), 3),
        "chrf++_checked": chrf([best[i] for i in checked], [refs[i] for i in checked]),
        "chrf++_drafts": chrf([best[i] for i in drafts], [refs[i] for i in drafts]),
        "with_disagreement_share": round(sum(bool(c.trace.problems) for c in chosen) / len(chosen), 3),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
