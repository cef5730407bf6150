"""Answer latency: the assistant's pipeline against the bare llama.cpp runtime, same prompts, same run.

Usage: python benchmarks/bench_answer.py [--questions 6] [--repeats 3]

The questions are the seed's answerable single-turn questions, English and Arabic taken in turn
(an Arabic question makes two model calls, choose then write; an English one makes one). For
each, the pipeline answers with the local model while every model call it makes (messages,
grammar, limits) is recorded; the same calls are then replayed straight on llama-cpp-python.
Time to first token (TTFT: from the question to the first token of the written answer, by the
same test on both sides) and total time are compared, with the prompt-prefix cache on and off.

Fairness:
- the model and e5 are warmed up before anything is timed (the first call otherwise pages in
  1.1 GB of weights);
- pipeline and bare answer question by question in turn, each side with its own model state
  and, with the cache, its own fresh cache of the same capacity (swapped outside the timings),
  so a change in the load other processes put on the machine hits both alike;
- every sequence of questions runs on a freshly ingested store, so the sentence vectors the
  pipeline keeps per chunk start cold each time;
- the sequence is repeated and each question's time is the least of its repeats (other jobs
  only ever add time).

Overheads are sums over the questions (pipeline / bare − 1). The extractive backend's time is
printed too.

Prompt-lookup decoding (llama-cpp-python's ``LlamaPromptLookupDecoding``: draft tokens copied
from the prompt's n-grams, checked by the model in one batch): the model calls the pipeline made
are replayed on two fresh llama contexts of the same GGUF, one plain and one drafting from the
prompt, call by call in turn (no prompt cache on either), and it prints for each the tokens/s
(completion tokens over the calls' time, prompt processing included: the same work on both
sides), the time per question, and how many calls gave
a different output at temperature 0. ``--lookup-tokens 0`` skips this part.

Figures end as one JSON line.
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
SIDES = ("pipeline", "bare")
MEASURES = ("ttft", "total", "evidence")


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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lookup-tokens", type=int, default=10, help="draft tokens per step (0: skip)")
    args = parser.parse_args()

    from llama_cpp import LlamaRAMCache

    from assistant import Assistant, Settings
    from assistant.models.chat import LlamaCppChat
    from assistant.records import AnswerEvent, TokenEvent

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
    figures: dict[str, Any] = {"questions": len(questions), "languages": languages, "repeats": args.repeats}

    chat = first.answerer("local").chat_model
    assert isinstance(chat, LlamaCppChat)
    llama = chat.llama
    # Warm-up: page the weights in and build e5's kernels, outside any timing.
    llama.create_chat_completion([{"role": "user", "content": "Say yes."}], max_tokens=4)
    first.embedder.embed_passages(["warm-up sentence"] * 8)
    first.embedder.embed_queries(["warm-up question"])

    extractive = []
    for _ in range(args.repeats):
        assistant = fresh(first)
        started = time.perf_counter()
        for q in questions:
            assistant.ask(q, backend="extractive")
        extractive.append((time.perf_counter() - started) / len(questions))
    figures["extractive_total_s"] = round(min(extractive), 3)

    def run_sequence(cache: bool) -> tuple[dict[str, list[float]], int]:
        """Every question, pipeline then bare, on a fresh store and fresh caches: times per question."""
        assistant = fresh(first)
        states: dict[str, Any] = dict.fromkeys(SIDES)
        caches = {side: LlamaRAMCache(capacity_bytes=chat.prompt_cache_bytes) if cache else None for side in SIDES}
        times: dict[str, list[float]] = {f"{side}_{m}": [] for side in SIDES for m in MEASURES}
        calls: list[tuple[list[dict[str, str]], dict[str, Any]]] = []
        original = llama.create_chat_completion

        def recording(messages: list[dict[str, str]], **kw: Any) -> Any:
            calls.append((messages, kw))
            return original(messages, **kw)

        def enter(side: str) -> None:
            llama.set_cache(caches[side])
            if states[side] is None:
                llama.reset()
            else:
                llama.load_state(states[side])

        def leave(side: str, started: float, first_token: float | None, evidence: float) -> None:
            total = time.perf_counter() - started
            times[f"{side}_total"].append(total)
            times[f"{side}_ttft"].append(total if first_token is None else first_token - started)
            times[f"{side}_evidence"].append(evidence)
            states[side] = llama.save_state()

        n_calls = 0
        for q in questions:
            enter("pipeline")
            calls.clear()
            llama.create_chat_completion = recording  # type: ignore[method-assign]
            first_token, evidence = None, 0.0
            started = time.perf_counter()
            for event in assistant.stream(q, backend="local"):
                if isinstance(event, TokenEvent) and first_token is None:
                    first_token = time.perf_counter()
                if isinstance(event, AnswerEvent):
                    evidence = event.answer.timings.get("evidence", 0.0)
            llama.create_chat_completion = original  # type: ignore[method-assign]
            leave("pipeline", started, first_token, evidence)
            n_calls += len(calls)
            if len(recorded) < len(questions):
                recorded.append(list(calls))

            enter("bare")
            first_token = None
            started = time.perf_counter()
            for messages, kw in calls:
                if kw.get("stream"):
                    for part in llama.create_chat_completion(messages, **kw):
                        if first_token is None and part["choices"][0]["delta"].get("content"):
                            first_token = time.perf_counter()
                else:
                    llama.create_chat_completion(messages, **kw)
            leave("bare", started, first_token, 0.0)
        return times, n_calls

    recorded: list[list[tuple[list[dict[str, str]], dict[str, Any]]]] = []

    for cache in (True, False):
        runs = [run_sequence(cache) for _ in range(args.repeats)]
        times = {key: [min(values) for values in zip(*(r[0][key] for r in runs), strict=True)] for key in runs[0][0]}

        def overhead(measure: str, times: dict[str, list[float]] = times) -> float:
            return round(sum(times[f"pipeline_{measure}"]) / sum(times[f"bare_{measure}"]) - 1, 3)

        label = "cache" if cache else "no_cache"
        figures[label] = {
            "pipeline_ttft_s": median(times["pipeline_ttft"]),
            "pipeline_total_s": median(times["pipeline_total"]),
            "bare_ttft_s": median(times["bare_ttft"]),
            "bare_total_s": median(times["bare_total"]),
            "overhead_total": overhead("total"),
            "overhead_ttft": overhead("ttft"),
            "model_calls": runs[0][1],
            "per_question": {
                key: [round(v, 3) for v in values] for key, values in times.items() if key != "bare_evidence"
            },
        }
        english = sorted(t for t, lang in zip(times["pipeline_total"], languages, strict=True) if lang == "e")
        if english:  # nearest rank
            figures[label]["english_total_p50_s"] = round(english[max(0, -(-len(english) * 50 // 100) - 1)], 3)
            figures[label]["english_total_p95_s"] = round(english[max(0, -(-len(english) * 95 // 100) - 1)], 3)
        print(label, {k: v for k, v in figures[label].items() if k != "per_question"})
    print(f"extractive answer: {figures['extractive_total_s']} s per question")
    if args.lookup_tokens:
        figures["prompt_lookup"] = prompt_lookup(chat, recorded, args.lookup_tokens)
        print("prompt lookup", figures["prompt_lookup"])
    print(json.dumps(figures))


def prompt_lookup(chat: Any, questions: list[list[tuple[list[dict[str, str]], dict[str, Any]]]], n: int) -> dict:
    """Replay each question's model calls on a plain llama context and on one with prompt-lookup
    drafting (``n`` tokens a step), in turn: decode tokens/s, seconds per question, differing outputs."""
    from llama_cpp import Llama
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    common = {"model_path": chat.model_path, "n_ctx": chat.n_ctx, "n_threads": chat.n_threads, "verbose": False}
    sides = {
        "plain": Llama(use_mmap=chat.use_mmap, **common),
        "lookup": Llama(use_mmap=chat.use_mmap, draft_model=LlamaPromptLookupDecoding(num_pred_tokens=n), **common),
    }
    for llama in sides.values():  # warm-up, outside the timings
        llama.create_chat_completion([{"role": "user", "content": "Say yes."}], max_tokens=4)
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    tokens = dict.fromkeys(sides, 0)
    decode_s = dict.fromkeys(sides, 0.0)
    differ = 0
    for calls in questions:
        outputs: dict[str, list[str]] = {side: [] for side in sides}
        for side, llama in sides.items():
            started = time.perf_counter()
            for messages, kw in calls:
                kw = {k: v for k, v in kw.items() if k != "stream"}
                llama.reset()
                t0 = time.perf_counter()
                out = llama.create_chat_completion(messages, **kw)
                decode_s[side] += time.perf_counter() - t0
                tokens[side] += out["usage"]["completion_tokens"]
                outputs[side].append(out["choices"][0]["message"]["content"] or "")
            seconds[side].append(time.perf_counter() - started)
        differ += sum(a != b for a, b in zip(outputs["plain"], outputs["lookup"], strict=True))
    return {
        "draft_tokens": n,
        "calls": sum(len(c) for c in questions),
        "outputs_differ": differ,
        **{f"{side}_tokens_per_s": round(tokens[side] / decode_s[side], 2) for side in sides},
        **{f"{side}_question_s_median": median(seconds[side]) for side in sides},
        "lookup_over_plain_time": round(sum(seconds["lookup"]) / sum(seconds["plain"]), 3),
    }


if __name__ == "__main__":
    main()
