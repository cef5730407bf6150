"""Answer latency: the assistant's pipeline against the bare llama.cpp runtime, same prompts, same run.

Usage: python benchmarks/bench_answer.py [--questions 6]

The questions are the seed's answerable single-turn questions, English and Arabic taken in turn
(an Arabic question makes two model calls, choose then write; an English one makes one). For
each, the pipeline answers with the local model while every model call it makes (messages,
grammar, limits) is recorded; the same calls are then replayed straight on llama-cpp-python.
Time to first token (TTFT: from the question to the first token of the written answer, by the
same test on both sides) and total time are compared, with the prompt-prefix cache on and off.

Fairness: the model and e5 are warmed up before anything is timed (the first call otherwise
pages in 1.1 GB of weights). Pipeline and bare answer question by question in turn, each side
with its own model state and, with the cache, its own fresh cache of the same capacity (swapped
outside the timings), so load from other processes falls on both alike. Each cache setting runs
on a freshly ingested store, so the sentence vectors kept per chunk start cold.
The extractive backend's time is printed too. Figures end as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from itertools import chain, zip_longest
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def pick_questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "evals" / "seed_questions.jsonl").open(encoding="utf-8")]
    single = [r for r in rows if r.get("answerable") and not r.get("turns")]
    by_lang = [[r["question"] for r in single if r["lang"] == lang] for lang in ("en", "ar")]
    return [q for q in chain.from_iterable(zip_longest(*by_lang)) if q][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=6)
    args = parser.parse_args()

    from llama_cpp import LlamaRAMCache

    from assistant import Assistant, Settings
    from assistant.llm import PROMPT_CACHE_BYTES, LlamaCppChat

    questions = pick_questions(args.questions)

    def fresh(base: Assistant | None = None) -> Assistant:
        """An assistant on a new store holding the seed, sharing ``base``'s models."""
        settings = Settings(vectorstore_dir=Path(tempfile.mkdtemp(prefix="bench-answer-")))
        if base is None:
            assistant = Assistant(settings)
        else:
            assistant = Assistant(settings, embedder=base.embedder, llm=base.answerer("local").chat_model)
        assistant.ingest([ROOT / "seeds"])
        return assistant

    first = fresh()
    languages = "".join("a" if any("\u0600" <= c <= "\u06ff" for c in q) else "e" for q in questions)
    figures: dict[str, Any] = {"questions": len(questions), "languages": languages}

    chat = first.answerer("local").chat_model
    assert isinstance(chat, LlamaCppChat)
    llama = chat.llama
    # Warm-up: page the weights in and build e5's kernels, outside any timing.
    llama.create_chat_completion([{"role": "user", "content": "Say yes."}], max_tokens=4)
    first.embedder.embed_passages(["warm-up sentence"] * 8)
    first.embedder.embed_queries(["warm-up question"])

    extractive = fresh(first)
    started = time.perf_counter()
    for q in questions:
        extractive.ask(q, backend="extractive")
    figures["extractive_total_s"] = round((time.perf_counter() - started) / len(questions), 3)

    for cache in (True, False):
        assistant = fresh(first)
        # Each side keeps its own prompt cache and its own model state (what it evaluated last),
        # switched in and out between questions outside the timings: pipeline and bare run
        # question by question, in turn, so a change in the machine's load hits both alike.
        sides: dict[str, dict[str, Any]] = {
            side: {"cache": LlamaRAMCache(capacity_bytes=PROMPT_CACHE_BYTES) if cache else None, "state": None}
            for side in ("pipeline", "bare")
        }

        def enter(side: str, sides: dict[str, dict[str, Any]] = sides) -> None:
            llama.set_cache(sides[side]["cache"])
            if sides[side]["state"] is None:
                llama.reset()
            else:
                llama.load_state(sides[side]["state"])

        def leave(side: str, sides: dict[str, dict[str, Any]] = sides) -> None:
            sides[side]["state"] = llama.save_state()

        calls: list[tuple[list[dict[str, str]], dict[str, Any]]] = []
        original = llama.create_chat_completion

        def recording(messages: list[dict[str, str]], calls: list = calls, original: Any = original, **kw: Any) -> Any:
            calls.append((messages, kw))
            return original(messages, **kw)

        pipe_ttft, pipe_total, evidence_s, bare_ttft, bare_total = [], [], [], [], []
        n_calls = 0
        for q in questions:
            enter("pipeline")
            calls.clear()
            llama.create_chat_completion = recording  # type: ignore[method-assign]
            started = time.perf_counter()
            first_token = None
            for event in assistant.stream(q, backend="local"):
                if event["type"] == "token" and first_token is None:
                    first_token = time.perf_counter() - started
                if event["type"] == "answer":
                    evidence_s.append(event["answer"].timings.get("evidence", 0.0))
            pipe_total.append(time.perf_counter() - started)
            pipe_ttft.append(first_token if first_token is not None else pipe_total[-1])
            llama.create_chat_completion = original  # type: ignore[method-assign]
            leave("pipeline")
            n_calls += len(calls)

            enter("bare")
            started = time.perf_counter()
            first_token = None
            for messages, kw in calls:
                if kw.get("stream"):
                    for part in llama.create_chat_completion(messages, **kw):
                        if first_token is None and part["choices"][0]["delta"].get("content"):
                            first_token = time.perf_counter() - started
                else:
                    llama.create_chat_completion(messages, **kw)
            bare_total.append(time.perf_counter() - started)
            bare_ttft.append(first_token if first_token is not None else bare_total[-1])
            leave("bare")
        label = "cache" if cache else "no_cache"
        figures[label] = {
            "pipeline_ttft_s": median(pipe_ttft),
            "pipeline_total_s": median(pipe_total),
            "bare_ttft_s": median(bare_ttft),
            "bare_total_s": median(bare_total),
            "overhead_total": round(sum(pipe_total) / sum(bare_total) - 1, 3),
            "overhead_ttft": round(sum(pipe_ttft) / sum(bare_ttft) - 1, 3),
            "evidence_s_first": round(evidence_s[0], 3),
            "evidence_s_median": median(evidence_s),
            "model_calls": n_calls,
            "per_question": {
                name: [round(v, 3) for v in values]
                for name, values in (
                    ("pipeline_ttft_s", pipe_ttft),
                    ("bare_ttft_s", bare_ttft),
                    ("pipeline_total_s", pipe_total),
                    ("bare_total_s", bare_total),
                    ("evidence_s", evidence_s),
                )
            },
        }
        print(label, {k: v for k, v in figures[label].items() if k != "per_question"})
    print(f"extractive answer: {figures['extractive_total_s']} s per question")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
