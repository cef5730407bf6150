"""The plots of an evaluation report, as PNG files: headline metrics, retrieval by mode and
language, latency, and answers by language, state and answerability.

Drawn with matplotlib's object API (``Figure``, rendered by Agg), never pyplot, so nothing
depends on a display or on global state. Labels are ids and language codes only: matplotlib
cannot shape Arabic script. Every figure carries a footer line naming the run.

Deliberately not here: computing figures (``evaluation``) or the report's text (``report``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

STATE_COLOURS = {
    "verified": "#2e7d32", "checked": "#66bb6a", "draft": "#f9a825", "quoted": "#1565c0", "abstained": "#9e9e9e",
}  # fmt: skip
MODE_COLOURS = {"dense": "#6a1b9a", "lexical": "#ef6c00", "hybrid": "#00838f"}


def _figure(width: float, height: float, footer: str) -> Figure:
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    figure.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))  # type: ignore[call-arg, union-attr]
    figure.text(0.01, 0.008, footer, fontsize=7, color="#555555")
    return figure


def plot_metrics(headline: list[tuple[str, float | None, str]], title: str, footer: str, path: Path) -> None:
    """Horizontal bars of the headline metrics (label, value 0–1, group), labelled with their values."""
    found = [(label, value, group) for label, value, group in headline if value is not None]
    colours = {"retrieval": "#00838f", "answers": "#2e7d32", "citations": "#1565c0", "abstention": "#6d4c41"}
    figure = _figure(8, 0.45 * len(found) + 1.4, footer)
    ax = figure.add_subplot()
    labels = [label for label, _, _ in found][::-1]
    values = [value for _, value, _ in found][::-1]
    bars = ax.barh(labels, values, color=[colours[g] for _, _, g in found][::-1])
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=3, fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("share (0–1)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    figure.savefig(path)


def plot_retrieval(retrieval: dict[str, Any], footer: str, path: Path) -> None:
    """One panel per question language: R@1/3/5/10 and MRR@10, a bar per search mode."""
    groups = sorted(
        {g for m in retrieval.values() for g in m if g not in ("latency_ms",)}, key=lambda g: (g != "all", g)
    )
    figure = _figure(4.2 * len(groups), 3.8, footer)
    axes = figure.subplots(1, len(groups), sharey=True, squeeze=False)[0]
    names = ["R@1", "R@3", "R@5", "R@10", "MRR@10"]
    keys = ["recall@1", "recall@3", "recall@5", "recall@10", "mrr@10"]
    width = 0.8 / len(retrieval)
    for ax, group in zip(axes, groups, strict=True):
        for i, (mode, by_group) in enumerate(retrieval.items()):
            if group not in by_group:
                continue
            xs = [x + (i - (len(retrieval) - 1) / 2) * width for x in range(len(keys))]
            values = [by_group[group][k] for k in keys]
            bars = ax.bar(xs, values, width, label=mode, color=MODE_COLOURS.get(mode))
            ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=6, rotation=90, padding=2)
        n = next(iter(by_group[group]["n"] for by_group in retrieval.values() if group in by_group))
        ax.set_title(f"questions: {group} (n={n})")
        ax.set_xticks(range(len(keys)), names)
        ax.set_ylim(0, 1.18)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("share of questions")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=len(retrieval), fontsize=8)
    figure.savefig(path)


def plot_latency(summary: dict[str, Any], results: list[dict[str, Any]], footer: str, path: Path) -> None:
    """Histogram of answer seconds with p50/p95 (search ms when retrieval only); stage p50/p95 bars."""
    answered = [r for r in results if "timings" in r]
    figure = _figure(10 if answered else 8, 3.8, footer)
    axes = figure.subplots(1, 2 if answered else 1, squeeze=False)[0]
    ax = axes[0]
    if answered:
        values = [r["timings"]["total"] for r in answered]
        p = summary["latency_s"]["total"]
        ax.hist(values, bins=min(30, max(5, len(values) // 2)), color="#00838f", alpha=0.85)
        ax.set_xlabel("seconds per answer (all stages)")
        unit = "s"
        lines = [("p50", p["p50"], "#333333"), ("p95", p["p95"], "#c62828")]
    else:
        # BM25 takes about a millisecond, e5 a hundred: a log scale shows both.
        times = {
            m: [r["retrieval"][m]["ms"] for r in results if m in (r.get("retrieval") or {})]
            for m in summary["retrieval"]
        }
        low = max(0.01, min(min(ms) for ms in times.values()))
        high = max(max(ms) for ms in times.values()) * 1.01
        bins = [low * (high / low) ** (i / 40) for i in range(41)]
        for mode, ms in times.items():
            ax.hist(ms, bins=bins, histtype="step", linewidth=1.5, label=mode, color=MODE_COLOURS.get(mode))
        ax.set_xscale("log")
        mode = "hybrid" if "hybrid" in summary["retrieval"] else next(iter(summary["retrieval"]))
        p = summary["retrieval"][mode]["latency_ms"]
        ax.set_xlabel("ms per search (depth 10)")
        unit = "ms"
        lines = [(f"{mode} p50", p["p50"], "#333333"), (f"{mode} p95", p["p95"], "#c62828")]
    for label, x, colour in lines:
        ax.axvline(x, color=colour, linestyle="--", linewidth=1, label=f"{label} {x:.3g} {unit}")
    ax.legend(fontsize=8)
    ax.set_ylabel("questions")
    ax.set_title("latency")
    if answered:
        stages = [(s, m) for s, m in summary["latency_s"].items() if s != "total"]
        ys = range(len(stages))
        axes[1].barh([y + 0.2 for y in ys], [m["p50"] for _, m in stages], 0.4, label="p50", color="#00838f")
        axes[1].barh([y - 0.2 for y in ys], [m["p95"] for _, m in stages], 0.4, label="p95", color="#c62828")
        axes[1].set_yticks(list(ys), [s for s, _ in stages])
        axes[1].invert_yaxis()
        axes[1].set_xlabel("seconds")
        axes[1].xaxis.set_major_locator(MaxNLocator(6))
        axes[1].set_title("per stage")
        axes[1].legend(fontsize=8)
        axes[1].grid(axis="x", alpha=0.3)
    figure.savefig(path)


def plot_breakdown(answers: dict[str, Any], results: list[dict[str, Any]], footer: str, path: Path) -> None:
    """Key facts and F1 by language and by state; answer states of answerable and unanswerable questions."""
    figure = _figure(11, 4.2, footer)
    left, right = figure.subplots(1, 2, width_ratios=[3, 2])
    groups = [(lang, m["answerable"], m) for lang, m in answers["by_lang"].items()]
    groups += [(state, m["answerable"], m) for state, m in answers["by_state"].items() if m["answerable"]]
    xs = range(len(groups))
    for offset, key, label, colour in [
        (-0.2, "key_fact_accuracy", "key facts", "#2e7d32"),
        (0.2, "token_f1", "token F1", "#1565c0"),
    ]:
        values = [m[key] or 0.0 for _, _, m in groups]
        bars = left.bar([x + offset for x in xs], values, 0.4, label=label, color=colour)
        left.bar_label(
            bars, labels=["–" if m[key] is None else f"{m[key]:.3f}" for _, _, m in groups], fontsize=7, padding=2
        )
    left.set_xticks(list(xs), [f"{name}\nn={n}" for name, n, _ in groups])
    left.axvline(len(answers["by_lang"]) - 0.5, color="#999999", linewidth=0.8)
    left.set_ylim(0, 1.12)
    left.set_title("answerable questions: by language | by state")
    left.legend(fontsize=8, loc="upper right")
    left.grid(axis="y", alpha=0.3)
    columns = [
        (f"{lang}\n{'answerable' if answerable else 'unanswerable'}", lang, answerable)
        for lang in answers["by_lang"]
        for answerable in (True, False)
        if any(r["lang"] == lang and r["answerable"] == answerable for r in results)
    ]
    bottoms = [0] * len(columns)
    for state, colour in STATE_COLOURS.items():
        counts = [
            sum(r["lang"] == lang and r["answerable"] == answerable and r["state"] == state for r in results)
            for _, lang, answerable in columns
        ]
        bars = right.bar(range(len(columns)), counts, bottom=bottoms, label=state, color=colour)
        right.bar_label(
            bars, labels=[str(c) if c else "" for c in counts], label_type="center", fontsize=7, color="white"
        )
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    right.set_xticks(range(len(columns)), [label for label, _, _ in columns], fontsize=8)
    right.set_ylim(0, max(bottoms, default=0) * 1.3 + 1)  # room for the legend above the bars
    right.set_ylabel("questions")
    right.set_title("answer states")
    right.legend(fontsize=8)
    figure.savefig(path)
