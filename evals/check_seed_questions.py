"""Sanity checks for evals/seed_questions.jsonl (stdlib only).

Run from the repo root:  python evals/check_seed_questions.py
Exits non-zero if any check fails; prints counts by lang/answerable.
"""

import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
QUESTIONS = os.path.join(HERE, "seed_questions.jsonl")
SEED = os.path.join(ROOT, "seeds", "000_409043fa5ea248dc.txt")

REQUIRED = {
    "id": str,
    "question": str,
    "lang": str,
    "answerable": bool,
    "must": list,
    "reference": str,
    "evidence": list,
}
LANGS = {"en", "ar"}
DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
ARABIC = re.compile("[\u0600-\u06ff]")
MUST_FIRST = "What did Rubio tell Russia?"
MUST_UNANSWERABLE = [
    "What did Zelensky say about the energy ceasefire?",
    "What is China's position on the peace talks?",
]
MIN_COUNTS = {("en", True): 20, ("ar", True): 16}
MIN_UNANSWERABLE, MIN_UNANSWERABLE_AR = 8, 3


def split_seed(text):
    """Return (body_lines, boilerplate_lines) following the pipeline's stripping rules:
    lines 1-2 (site title, promo teaser), 'شاهد ايضاً:' lines, and everything from
    the 'أخبار ذات صلة' line to the end are boilerplate."""
    body, boiler = [], []
    in_related = False
    for i, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if s == "أخبار ذات صلة":
            in_related = True
        if i <= 2 or in_related or s.startswith("شاهد ايضاً:"):
            boiler.append(line)
        else:
            body.append(line)
    return body, boiler


def main():
    errors = []

    def err(msg):
        errors.append(msg)

    with open(SEED, encoding="utf-8") as f:
        seed_text = f.read()
    body, boiler = split_seed(seed_text)
    body_text = "\n".join(body)

    rows = []
    with open(QUESTIONS, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"line {n}: blank line")
                continue
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                err(f"line {n}: invalid JSON: {e}")

    seen = set()
    counts = collections.Counter()
    multiturn = 0
    for n, r in rows:
        rid = r.get("id", f"<line {n}>")
        for key, typ in REQUIRED.items():
            if key not in r:
                err(f"{rid}: missing field {key!r}")
            elif not isinstance(r[key], typ):
                err(f"{rid}: field {key!r} should be {typ.__name__}")
        if "gold_doc_id" not in r:
            err(f"{rid}: missing field 'gold_doc_id'")
        if any(k not in r or not isinstance(r[k], t) for k, t in REQUIRED.items()):
            continue
        if rid in seen:
            err(f"{rid}: duplicate id")
        seen.add(rid)
        lang, ans = r["lang"], r["answerable"]
        if lang not in LANGS:
            err(f"{rid}: lang must be one of {sorted(LANGS)}")
        if not r["question"].strip():
            err(f"{rid}: empty question")
        if lang == "ar" and not ARABIC.search(r["question"]):
            err(f"{rid}: Arabic row without Arabic question")
        if lang == "en" and ARABIC.search(r["question"]):
            err(f"{rid}: English row with Arabic question")

        if "turns" in r:
            t = r["turns"]
            if not (isinstance(t, list) and t and all(isinstance(x, str) and x.strip() for x in t)):
                err(f"{rid}: 'turns' must be a non-empty list of strings")
            else:
                multiturn += 1

        if not ans:
            if r["must"] or r["evidence"] or r["reference"]:
                err(f"{rid}: unanswerable row must have empty must/evidence/reference")
        else:
            if not r["reference"].strip():
                err(f"{rid}: empty reference")
            if not r["must"]:
                err(f"{rid}: answerable row without must groups")
            for g in r["must"]:
                if not (isinstance(g, list) and g and all(isinstance(x, str) and x.strip() for x in g)):
                    err(f"{rid}: bad must group {g!r}")
                    continue
                if lang == "ar":
                    for x in g:
                        if DIACRITICS.search(x):
                            err(f"{rid}: must string has diacritics: {x!r}")
                    if not any(x.lower() in body_text.lower() for x in g):
                        err(f"{rid}: no alternative of must group {g!r} occurs in the article body")
            if not (1 <= len(r["evidence"]) <= 2):
                err(f"{rid}: answerable row needs 1-2 evidence strings")
            for ev in r["evidence"]:
                if not isinstance(ev, str) or not ev.strip():
                    err(f"{rid}: empty/non-string evidence")
                    continue
                if "\n" in ev:
                    err(f"{rid}: evidence crosses a line break: {ev!r}")
                if ev not in seed_text:
                    err(f"{rid}: evidence not a verbatim substring of the seed: {ev!r}")
                    continue
                if not any(ev in line for line in body):
                    err(f"{rid}: evidence occurs only in boilerplate: {ev!r}")
                if any(ev in line for line in boiler):
                    err(f"{rid}: evidence also occurs in a boilerplate line: {ev!r}")
        counts[(lang, ans)] += 1

    if rows and rows[0][1].get("question") != MUST_FIRST:
        err(f"first row must be {MUST_FIRST!r}")
    unans_qs = {r.get("question") for _, r in rows if r.get("answerable") is False}
    for q in MUST_UNANSWERABLE:
        if q not in unans_qs:
            err(f"missing required unanswerable question {q!r}")

    # Minimum counts exclude multi-turn rows (they are extra).
    single = collections.Counter((r.get("lang"), r.get("answerable")) for _, r in rows if "turns" not in r)
    for key, m in MIN_COUNTS.items():
        if single[key] < m:
            err(f"need >= {m} single-turn rows for lang={key[0]} answerable={key[1]}, got {single[key]}")
    n_unans = single[("en", False)] + single[("ar", False)]
    if n_unans < MIN_UNANSWERABLE:
        err(f"need >= {MIN_UNANSWERABLE} unanswerable rows, got {n_unans}")
    if single[("ar", False)] < MIN_UNANSWERABLE_AR:
        err(f"need >= {MIN_UNANSWERABLE_AR} Arabic unanswerable rows, got {single[('ar', False)]}")

    print(f"rows: {len(rows)}  (multi-turn: {multiturn})")
    for lang in sorted({k[0] for k in counts}):
        print(f"  {lang}: answerable={counts[(lang, True)]}  unanswerable={counts[(lang, False)]}")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  - " + e)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
