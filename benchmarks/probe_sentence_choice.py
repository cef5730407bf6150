"""How often the answer pipeline's best-ranked sentence holds the evidence, under variants of the ranking.

Usage: python benchmarks/probe_sentence_choice.py [QUESTIONS] [--corpus PATH] [--store DIR]

Defaults: the XQuAD-ar dev questions over the whole XQuAD-ar corpus, ingested into a temporary
store (about 2 minutes here; ``--store`` keeps and reuses one). Both the extractive and the local
backend quote the best-ranked sentence, so this share bounds their citation precision and the
accuracy of their verified answers. For every answerable question with evidence it searches as
the pipeline does (5 passages, follow-ups condensed), ranks the candidate sentences, and counts
a question as right when the top sentence contains one of its evidence strings (and, in the
second figure, when the top sentence's passage does). Variants:

- the weights of ``rank_evidence`` (word overlap, passage rank, neighbour's similarity), on a
  small grid;
- plus the share of an English question's names found in the sentence across scripts;
- plus the rarity-weighted share of an English question's words the lexicon traces into the
  sentence (``rank_evidence``'s ``traced_weight``).

``--half a`` takes the first half of each language's questions (in file order), ``--half b`` the
second: choose a weight on one, judge it on the other.

The ceiling is how often any candidate sentence holds the evidence.
Figures end as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from assistant import Assistant
from assistant.answering.evidence import CONTEXT_WEIGHT, OVERLAP_WEIGHT, PASSAGE_PRIOR, TRACED_WEIGHT
from assistant.answering.names import key_terms, name_in_arabic
from assistant.answering.question import asked_question, condense

ROOT = Path(__file__).resolve().parent.parent
XQUAD = ROOT / "evals" / "xquad"

Features = dict[str, float]
Candidate = tuple[Features, bool, bool]  # features, sentence holds the evidence, its passage does


def features(a: Assistant, row: dict) -> list[Candidate] | None:
    """Per candidate sentence: its features, whether it holds the evidence, whether its passage does."""
    answerer = a.answerer("extractive")
    standalone = condense(row["question"], row.get("turns") or [])
    passages = a.searcher.search(standalone, answerer.settings.passages)
    asked = asked_question(row["question"], standalone)
    # Scores with one part switched on at a time give the parts (the candidates keep their order
    # only within one call, so they are matched by offsets).
    parts = {
        name: {
            (e.passage.chunk_id, e.start): e
            for e in answerer.ranked_sentences(
                asked, passages, overlap_weight=o, passage_prior=p, context_weight=c, traced_weight=t
            )
        }
        for name, o, p, c, t in (
            ("dense", 0, 0, 0, 0),
            ("overlap", 1, 0, 0, 0),
            ("prior", 0, 1, 0, 0),
            ("context", 0, 0, 1, 0),
            ("traced", 0, 0, 0, 1),
        )
    }
    if not parts["dense"]:
        return None
    terms = key_terms(standalone) if row["lang"] == "en" else []
    evidence = row["evidence"]
    out = []
    for key, e in parts["dense"].items():
        found = [t for t in terms if (t in e.text if t[0].isdigit() else name_in_arabic(t, e.text))]
        f = {name: parts[name][key].score - e.score for name in ("overlap", "prior", "context", "traced")}
        f["dense"] = e.score
        f["names"] = len(found) / len(terms) if terms else 0.0
        out.append((f, any(s in e.text for s in evidence), any(s in e.passage.text for s in evidence)))
    return out


def top(cands: list[Candidate], score: Callable[[Features], float]) -> Candidate:
    return max(cands, key=lambda c: score(c[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="?", default=str(XQUAD / "xquad_dev.jsonl"))
    parser.add_argument("--corpus", default=str(XQUAD / "xquad_ar_corpus.jsonl"))
    parser.add_argument("--store", help="vector store to build or reuse (default: a temporary one)")
    parser.add_argument("--half", choices=("a", "b", "all"), default="all", help="first or second half per language")
    args = parser.parse_args()
    rows_in: dict[str, list[dict]] = {}
    for line in Path(args.questions).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("answerable", True) and row.get("evidence"):
            rows_in.setdefault(row["lang"], []).append(row)
    if args.half != "all":
        rows_in = {k: v[: len(v) // 2] if args.half == "a" else v[len(v) // 2 :] for k, v in rows_in.items()}
    with tempfile.TemporaryDirectory() as tmp:
        a = Assistant(vectorstore_dir=args.store or tmp)
        a.ingest([args.corpus])
        by_lang: dict[str, list[list[Candidate]]] = {}
        for row in (r for rows in rows_in.values() for r in rows):
            cands = features(a, row)
            if cands:
                by_lang.setdefault(row["lang"], []).append(cands)

    def current(
        f: Features,
        o: float = OVERLAP_WEIGHT,
        p: float = PASSAGE_PRIOR,
        c: float = CONTEXT_WEIGHT,
        t: float = TRACED_WEIGHT,
    ) -> float:
        return f["dense"] + o * f["overlap"] + p * f["prior"] + c * f["context"] + t * f["traced"]

    def with_names(f: Features, g: float) -> float:
        return current(f) + g * f["names"]

    label = (
        f"current (overlap {OVERLAP_WEIGHT}, prior {PASSAGE_PRIOR}, context {CONTEXT_WEIGHT}, traced {TRACED_WEIGHT})"
    )
    variants: dict[str, Callable[[Features], float]] = {label: current}
    for o in (0.0, 0.25, 1.0):
        for p in (0.0, 0.04):
            variants[f"overlap {o}, prior {p}"] = partial(current, o=o, p=p)
    for c in (0.0, 0.3, 0.5):
        variants[f"context {c} (neighbour's e5)"] = partial(current, c=c)
    for t in (0.0, 0.02, 0.05, 0.1, 0.2, 0.3):
        variants[f"traced {t} (question words the lexicon traces)"] = partial(current, t=t)
    for g in (0.01, 0.05):
        variants[f"current + {g} x English names found"] = partial(with_names, g=g)

    print("per language: top sentence holds the evidence / its passage does / questions it gains, loses vs current")
    results: dict[str, dict[str, object]] = {}
    for lang, rows in sorted(by_lang.items()):
        ceiling = sum(any(c[1] for c in cands) for cands in rows)
        print(f"\n{lang}: {len(rows)} questions; some candidate holds the evidence for {ceiling}")
        before = [top(cands, current)[1] for cands in rows]
        results[lang] = {"questions": len(rows), "ceiling": ceiling}
        for label, score in variants.items():
            picked = [top(cands, score) for cands in rows]
            sentence, passage = sum(c[1] for c in picked), sum(c[2] for c in picked)
            gains = sum(c[1] and not b for c, b in zip(picked, before, strict=True))
            losses = sum(b and not c[1] for c, b in zip(picked, before, strict=True))
            print(f"  {label:<50} {sentence:>4} {passage:>4}  +{gains} -{losses}")
            results[lang][label] = {"sentence": sentence, "passage": passage, "gains": gains, "losses": losses}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
