"""How well the word-by-word tracing explains human English and catches planted errors (NTREX-128 dev).

For each Arabic–English pair of the NTREX dev split (human translations of English news):
- the share of the human English's content words the tracing links to the Arabic;
- one planted error per reference and type, where the type applies: a name swapped for another
  name of the corpus, a number changed, a negation added or removed, a content word replaced by
  a content word of another sentence. A plant is *caught* when its changed word is untraced or a
  new disagreement appears; it *passes* when the planted sentence comes out checked.

    python benchmarks/eval_checker.py [--data evals/ntrex/ntrex_ar_en_dev.jsonl] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

from assistant.answering.tracing import FUNCTION_WORDS, trace

ROOT = Path(__file__).resolve().parent.parent
AUXILIARIES = r"\b(is|are|was|were|will|would|can|could|has|have|had|did|does|do|should|must)\b"
NEGATION = r"\s*\b(not|never)\b|n't\b"
OTHER_NEGATION = r"\b(no|nobody|nothing|none|neither|nor|without|cannot|doubts?|denied|denies|deny|unlikely)\b"


def _names(english: str) -> list[str]:
    """Capitalised words that do not open the sentence (candidate names)."""
    words = list(re.finditer(r"\b[A-Z][a-z]{2,}\b", english))
    return [m.group() for m in words if m.start() > 0 and m.group().lower() not in FUNCTION_WORDS]


def _content(english: str) -> list[str]:
    return [w for w in re.findall(r"\b[a-z]{4,}\b", english) if w not in FUNCTION_WORDS]


def plants(english: str, rng: random.Random, name_pool: list[str], word_pool: list[str]) -> dict[str, tuple[str, str]]:
    """Planted variants of ``english`` by error type: (planted sentence, the changed word or "")."""
    out: dict[str, tuple[str, str]] = {}
    names = _names(english)
    if names:
        old = rng.choice(names)
        new = rng.choice([n for n in name_pool if n not in english])
        out["name"] = (re.sub(rf"\b{old}\b", new, english, count=1), new)
    digits = re.findall(r"\b\d+\b", english)
    if digits:
        old = rng.choice(digits)
        new = str(int(old) + rng.choice([1, 2, 3, 10]))
        out["number"] = (re.sub(rf"\b{old}\b", new, english, count=1), new)
    # A negation plant must change what the sentence says: removed where "not"/"never"/"n't" is its
    # only negation, added where it has none ("no", "without", "nobody" left in place would not).
    cues = re.findall(OTHER_NEGATION, english, flags=re.I)
    if re.search(NEGATION, english) and not cues:
        out["negation"] = (re.sub(NEGATION, "", english), "")
    elif not re.search(NEGATION, english) and not cues and re.search(AUXILIARIES, english):
        out["negation"] = (re.sub(AUXILIARIES, r"\1 not", english, count=1), "")
    words = _content(english)
    if words:
        old = rng.choice(words)
        new = rng.choice([w for w in word_pool if w not in english.lower()])
        out["word"] = (re.sub(rf"\b{old}\b", new, english, count=1), new)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "evals/ntrex/ntrex_ar_en_dev.jsonl")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--half",
        choices=["a", "b", "all"],
        default="all",
        help="documents in sorted doc_id order, alternately: a (where settings were chosen), b (held out)",
    )
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.half != "all":
        docs = sorted({r["doc_id"] for r in rows})
        keep = set(docs[0::2] if args.half == "a" else docs[1::2])
        rows = [r for r in rows if r["doc_id"] in keep]
    rng = random.Random(args.seed)
    name_pool = sorted({n for r in rows for n in _names(r["en"])})
    word_pool = sorted({w for r in rows for w in _content(r["en"])})
    started = time.perf_counter()
    traced = total = checked_refs = 0
    caught = {k: 0 for k in ("name", "number", "negation", "word")}
    passed = dict.fromkeys(caught, 0)
    planted = dict.fromkeys(caught, 0)
    misses: dict[str, list[str]] = {k: [] for k in caught}
    for row in rows:
        base = trace(row["en"], row["ar"])
        traced += sum(w.traced for w in base.words)
        total += len(base.words)
        checked_refs += base.checked
        for kind, (sentence, changed) in plants(row["en"], rng, name_pool, word_pool).items():
            t = trace(sentence, row["ar"])
            flagged = (
                len(t.problems) > len(base.problems)
                or (changed and changed in t.untraced)
                or (not changed and t.problems != base.problems)
            )
            planted[kind] += 1
            caught[kind] += bool(flagged)
            passed[kind] += t.checked
            if not flagged and len(misses[kind]) < 5:
                misses[kind].append(f"{row['id']}: {sentence}")
    figures = {
        "half": args.half,
        "pairs": len(rows),
        "content_words": total,
        "traced_share": round(traced / total, 3),
        "references_checked": round(checked_refs / len(rows), 3),
        "planted": planted,
        "caught_share": {k: round(caught[k] / planted[k], 3) for k in caught},
        "passed_as_checked_share": {k: round(passed[k] / planted[k], 3) for k in caught},
        "passed_as_checked_overall": round(sum(passed.values()) / sum(planted.values()), 3),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(figures, indent=2))
    for kind, examples in misses.items():
        for example in examples:
            print(f"missed {kind}: {example}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
