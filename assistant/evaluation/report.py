"""The report of an evaluation run: ``report.md`` (stamp, tables, metric definitions) with its
PNG plots (drawn by ``plots``), and the text of a comparison of two runs.

Deliberately not here: computing any figure (``scoring``, ``metrics``) or running questions (``runner``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation.plots import plot_breakdown, plot_latency, plot_metrics, plot_retrieval

PLOTS = {
    "metrics.png": "headline metrics",
    "retrieval.png": "retrieval by mode and language",
    "latency.png": "latency",
    "breakdown.png": "answers by language, state and answerability",
}

DEFINITIONS = """\
- **hit** (strict): a retrieved passage whose text contains one of the question's `evidence`
  strings or its `reference` answer (both Arabic-normalised — diacritics and tatweel removed,
  alef/yaa/taa marbuta forms unified, Arabic-Indic digits made ASCII — lower-cased, whitespace
  collapsed); a question with neither (a known-item query) is hit by the passages of its
  `gold_passage_id` / `gold_doc_id` article. The reader opens the passage: it must hold the answer.
- **paragraph R@k**: the looser hit reported before 2026-12-07: the passage holds the evidence
  or belongs to the gold paragraph (a chunk of it without the answer counts).
- **chars@5**: mean length in characters of the top five passages, what a reader opens.
- **R@k** (recall@k): share of the answerable questions that have evidence or a gold id whose
  first hit is within the top k passages of one search (depth 10). A follow-up (`turns`) is
  searched as the answer pipeline searches it, condensed with the earlier questions.
- **MRR@10**: mean over the same questions of 1/rank of the first hit (0 when none in the top 10).
- **key-fact accuracy**: share of answerable questions with `must` groups whose answer text
  (quotes included) contains an alternative of every group (case- and Arabic-normalised); an
  abstention has none, even when it quotes a near miss.
- **token F1**: SQuAD's token F1 between the answer's own words (its written sentences without
  the draft label and `[n]` markers; its quote when it wrote nothing else; its abstention
  sentence) and `reference`, after SQuAD normalisation (lower case, punctuation and a/an/the
  removed) plus Arabic normalisation and the word-initial article «ال» removed; the mean over
  answerable questions with a reference. A whole sentence scored against a short reference has
  low precision: compare F1 between runs, not with SQuAD leaderboards.
- **citation precision**: share of all citations of answers, on every question, whose passage
  holds an evidence string (for rows without evidence strings: is the gold passage or article).
  Any citation an answer makes for an unanswerable question counts as wrong; what an abstention
  quotes for context (a near miss: "the articles give no number; what they say: …") is not counted.
- **citation recall**: share of answerable questions (with evidence or gold id) whose answer has
  at least one citation holding the evidence.
- **quote fidelity**: share of citations whose quote is found verbatim, character for
  character, in the cited passage.
- **abstain rate (unanswerable)**: share of unanswerable questions where the answer abstains
  (higher is better). **False-abstain rate**: share of answerable questions where it abstains
  (lower is better).
- **state**: the answer's verification state (`Answer.state`): *verified* (a sentence in the
  question's language checked against its quote), *checked* (an English rendering of an Arabic
  quote whose every content word code traced to the quote, all checks agreeing), *draft* (holds a
  rendering code could not fully trace), *quoted* (the evidence alone, verbatim), *abstained*.
- **in its language**: share of answerable questions whose answer has a sentence written in the
  question's language (not only a quote in another one).
- **verified accuracy** (**checked accuracy**): share of the answers marked verified (checked)
  whose key facts are right, such an answer to an unanswerable question counting as wrong. It
  says whether to trust the mark.
- **latency**: seconds per answer stage (`Answer.timings`), nearest-rank p50 and p95 over the
  answers that ran the stage; *total* is the sum of the stages of the final answer (the earlier
  turns of a follow-up excluded). Search latency: ms of one search per mode at depth 10, timed
  after the answer and apart from its retrieval; the searcher keeps recent question vectors, so a
  search after the first of the same question can leave out the e5 embedding (about 30 ms).
- **tokens**: `Answer.tokens_in` / `tokens_out` summed over the answers, as the answer pipeline
  counts them: *in* counts the prompts of non-streamed model calls only (the sentence choice for
  Arabic questions), not the streamed writing prompt; *out* counts streamed chunks (about one
  token each) plus the choice. Both are 0 for the extractive backend.
"""


def fmt(value: Any) -> str:
    """A table cell: 3 decimals for rates, ints as they are, a dash for none.

    >>> fmt(0.91666), fmt(12), fmt(None)
    ('0.917', '12', '–')
    """
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table.

    >>> print(table(["a", "b"], [[1, 0.5]]))
    | a | b |
    |---|---|
    | 1 | 0.500 |
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def llm_label(stamp: dict[str, Any]) -> str:
    """The backend and its model, e.g. ``local (qwen….gguf)``; the backend alone when it has none."""
    backend, model = stamp.get("llm_backend", "?"), stamp.get("llm_model")
    return backend if model in (None, "none") else f"{backend} ({model})"


def stamp_line(stamp: dict[str, Any]) -> str:
    """One line naming the run, for the comparison and the foot of every plot."""
    return (
        f"{stamp.get('date', '?')[:10]} · commit {stamp.get('commit', '?')} · settings "
        f"{stamp.get('settings_hash', '?')[:12]} · {stamp.get('embedding_model', '?')} · LLM {llm_label(stamp)}"
    )


# -- report.md ------------------------------------------------------------------------------

ANSWER_COLUMNS = [
    ("n", "n"),
    ("key facts", "key_fact_accuracy"),
    ("token F1", "token_f1"),
    ("cit. precision", "citation_precision"),
    ("cit. recall", "citation_recall"),
    ("quote fidelity", "quote_fidelity"),
    ("abstain (unans.)", "abstain_rate_unanswerable"),
    ("false abstain", "false_abstain_rate"),
    ("in its language", "in_question_language"),
]
RETRIEVAL_COLUMNS = [
    ("R@1", "recall@1"),
    ("R@3", "recall@3"),
    ("R@5", "recall@5"),
    ("R@10", "recall@10"),
    ("paragraph R@5", "paragraph_recall@5"),
    ("chars@5", "chars@5"),
]


def headline(summary: dict[str, Any]) -> list[tuple[str, float | None, str]]:
    """The figures of the metric bars: (label, value, group)."""
    found: list[tuple[str, float | None, str]] = []
    retrieval = summary.get("retrieval") or {}
    mode = "hybrid" if "hybrid" in retrieval else next(iter(retrieval), None)
    if mode:
        overall = retrieval[mode]["all"]
        for label, key in [("R@1", "recall@1"), ("R@5", "recall@5"), ("R@10", "recall@10"), ("MRR@10", "mrr@10")]:
            found.append((f"{mode} {label}", overall[key], "retrieval"))
    answers = summary.get("answers")
    if answers:
        o = answers["overall"]
        found += [
            ("key-fact accuracy", o["key_fact_accuracy"], "answers"),
            ("token F1", o["token_f1"], "answers"),
            (f"verified accuracy (n={answers['verified']['n']})", answers["verified"]["accuracy"], "answers"),
            *(
                [(f"checked accuracy (n={answers['checked']['n']})", answers["checked"]["accuracy"], "answers")]
                if "checked" in answers
                else []
            ),
            ("citation precision", o["citation_precision"], "citations"),
            ("citation recall", o["citation_recall"], "citations"),
            ("quote fidelity", o["quote_fidelity"], "citations"),
            ("abstain rate, unanswerable", o["abstain_rate_unanswerable"], "abstention"),
            ("false-abstain rate, answerable", o["false_abstain_rate"], "abstention"),
        ]
    return found


def report_markdown(summary: dict[str, Any], plots: list[str]) -> str:
    """The whole ``report.md``."""
    parts = _stamp_section(summary)
    parts += ["## Headline", "", table(["metric", "value"], [[label, v] for label, v, _ in headline(summary)]), ""]
    if "metrics.png" in plots:
        parts += ["![headline metrics](metrics.png)", ""]
    parts += _retrieval_section(summary.get("retrieval") or {}, plots)
    if summary.get("answers"):
        parts += _answers_section(summary, plots)
    if "latency.png" in plots:
        parts += ["![latency](latency.png)", ""]
    parts += ["## Definitions", "", DEFINITIONS, "Per-question rows: `results.jsonl`; all figures: `summary.json`."]
    return "\n".join(parts) + "\n"


def _stamp_section(summary: dict[str, Any]) -> list[str]:
    stamp = summary["stamp"]
    store = stamp.get("store") or {}
    langs = ", ".join(f"{n} {lang}" for lang, n in summary["by_lang"].items())
    parts = [
        f"# Evaluation: {stamp.get('question_set')}",
        "",
        table(
            ["stamp", ""],
            [
                ["date", stamp.get("date")],
                ["git commit", stamp.get("commit")],
                ["settings hash (sha256)", f"`{stamp.get('settings_hash')}`"],
                ["run key (resume)", f"`{stamp.get('run')}`"],
                ["embedding model", stamp.get("embedding_model")],
                ["LLM", llm_label(stamp)],
                ["corpus", stamp.get("corpus") or "the assistant's store"],
                ["store", f"articles: {store.get('articles')}, chunks: {store.get('chunks')}"],
                ["questions", f"{summary['questions']} ({langs}; {summary['unanswerable']} unanswerable)"],
            ],
        ),
        "",
    ]
    if stamp.get("row_commits"):
        parts += [f"Rows come from several commits (resumed run): {stamp['row_commits']}.", ""]
    return parts


def _retrieval_section(retrieval: dict[str, Any], plots: list[str]) -> list[str]:
    if not retrieval:
        return []
    rows = [
        [mode, group, m["n"], *(m.get(k) for _, k in RETRIEVAL_COLUMNS), m["mrr@10"]]
        for mode, groups in retrieval.items()
        for group, m in groups.items()
        if group != "latency_ms"
    ]
    latency = [
        [mode, f"{g['latency_ms']['p50']:.1f}", f"{g['latency_ms']['p95']:.1f}"] for mode, g in retrieval.items()
    ]
    parts = [
        "## Retrieval",
        "",
        table(["mode", "questions", "n", *(c for c, _ in RETRIEVAL_COLUMNS), "MRR@10"], rows),
        "",
        "Search latency (ms, depth 10):",
        "",
        table(["mode", "p50", "p95"], latency),
        "",
    ]
    if "retrieval.png" in plots:
        parts += ["![retrieval by mode and language](retrieval.png)", ""]
    return parts


def _answers_section(summary: dict[str, Any], plots: list[str]) -> list[str]:
    answers = summary["answers"]
    groups = [("all", answers["overall"]), *answers["by_lang"].items()]
    state_rows = [
        [lang, state, m["n"], m["answerable"], m["key_fact_accuracy"], m["token_f1"]]
        for lang, states in [("all", answers["by_state"]), *answers["by_lang_state"].items()]
        for state, m in states.items()
    ]
    v = answers["verified"]
    c = answers.get("checked", {"n": 0, "accuracy": None, "unanswerable": 0})
    parts = [
        "## Answers",
        "",
        table(
            ["questions", *(c for c, _ in ANSWER_COLUMNS)],
            [[g, *(m[k] for _, k in ANSWER_COLUMNS)] for g, m in groups],
        ),
        "",
        f"**Answers marked verified: {v['n']}, accuracy {fmt(v['accuracy'])}** "
        f"({v['unanswerable']} of them on unanswerable questions). "
        f"**Marked checked: {c['n']}, accuracy {fmt(c['accuracy'])}** ({c['unanswerable']} unanswerable).",
        "",
        "By verification state (key facts and F1 over the answerable questions in that state):",
        "",
        table(["language", "state", "answers", "answerable", "key facts", "token F1"], state_rows),
        "",
    ]
    if "breakdown.png" in plots:
        parts += ["![answers by language, state and answerability](breakdown.png)", ""]
    stages = [[s, m["n"], m["p50"], m["p95"]] for s, m in summary["latency_s"].items()]
    tokens = summary["tokens"]
    return parts + [
        "## Latency and tokens",
        "",
        table(["stage", "answers", "p50 (s)", "p95 (s)"], stages),
        "",
        f"Tokens: in {tokens['in']['total']} (mean {tokens['in']['mean']} per answer), "
        f"out {tokens['out']['total']} (mean {tokens['out']['mean']}).",
        "",
    ]


def comparison_markdown(comparison: dict[str, Any]) -> str:
    """``briefing eval-compare`` for people: stamps, metric deltas (changed ones), flipped questions."""
    a, b = comparison["a"], comparison["b"]
    changed = [m for m in comparison["metrics"] if m["a"] != m["b"]]
    parts = [
        f"A: {a['folder']} ({stamp_line(a)})",
        f"B: {b['folder']} ({stamp_line(b)})",
        "",
        f"## Metrics that changed ({len(changed)} of {len(comparison['metrics'])})",
        "",
        table(["metric", "A", "B", "B − A"], [[m["metric"], m["a"], m["b"], m["delta"]] for m in changed])
        if changed
        else "No metric changed.",
        "",
        f"## Questions whose outcome flipped ({len(comparison['flipped'])})",
        "",
    ]
    if comparison["flipped"]:
        rows = [
            [f["id"], f["lang"], "; ".join(f"{k}: {fmt(x)} → {fmt(y)}" for k, (x, y) in f["changes"].items())]
            for f in comparison["flipped"]
        ]
        parts.append(table(["question", "lang", "A → B"], rows))
    else:
        parts.append("None.")
    for side in ("a", "b"):
        if comparison[f"only_in_{side}"]:
            parts += ["", f"Only in {side.upper()}: {', '.join(comparison[f'only_in_{side}'])}"]
    return "\n".join(parts) + "\n"


def write_report(
    folder: str | Path, summary: dict[str, Any], results: list[dict[str, Any]], *, plots: bool = True
) -> Path:
    """Write the plots and ``report.md`` into ``folder``; return the report's path."""
    folder = Path(folder)
    footer = stamp_line(summary["stamp"])
    written = []
    if plots and results and headline(summary):
        title = f"{Path(summary['stamp'].get('question_set', '')).stem}: headline metrics"
        plot_metrics(headline(summary), title, footer, folder / "metrics.png")
        written.append("metrics.png")
        if summary.get("retrieval"):
            plot_retrieval(summary["retrieval"], footer, folder / "retrieval.png")
            written.append("retrieval.png")
        if summary.get("retrieval") or summary.get("answers"):
            plot_latency(summary, results, footer, folder / "latency.png")
            written.append("latency.png")
        if summary.get("answers"):
            plot_breakdown(summary["answers"], results, footer, folder / "breakdown.png")
            written.append("breakdown.png")
    for stale in set(PLOTS) - set(written) if plots else ():  # left by an earlier run of another kind
        (folder / stale).unlink(missing_ok=True)
    path = folder / "report.md"
    path.write_text(report_markdown(summary, written), encoding="utf-8")
    return path
