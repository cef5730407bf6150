"""Answer latency: the assistant's pipeline against the bare llama.cpp runtime, same prompts, same run.

Usage: python benchmarks/bench_answer.py [--questions 8]

For each seed question the pipeline answers with the local model while every model call it makes
(prompt, grammar, limits) is recorded; the same calls are then replayed straight on
llama-cpp-python. Time to first token (TTFT: from the question to the first token of the written
answer) and total time are compared, with the prompt-prefix cache on and off. The extractive
backend's total time is printed too. Figures end as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()

    from llama_cpp import LlamaRAMCache

    from assistant import Assistant, Settings
    from assistant.llm import LlamaCppChat

    rows = [json.loads(line) for line in (ROOT / "evals" / "seed_questions.jsonl").open(encoding="utf-8")]
    questions = [r["question"] for r in rows if r.get("answerable") and not r.get("turns")][: args.questions]
    store = Path(tempfile.mkdtemp(prefix="bench-answer-"))
    settings = Settings(vectorstore_dir=store)
    assistant = Assistant(settings)
    assistant.ingest([ROOT / "seeds"])
    figures: dict[str, Any] = {"questions": len(questions)}

    started = time.perf_counter()
    for q in questions:
        assistant.ask(q, backend="extractive")
    figures["extractive_total_s"] = round((time.perf_counter() - started) / len(questions), 3)

    for cache in (True, False):
        answerer = assistant.answerer("local")
        chat = answerer.chat_model
        assert isinstance(chat, LlamaCppChat)
        llama = chat.llama
        llama.set_cache(LlamaRAMCache(capacity_bytes=512 << 20) if cache else None)  # type: ignore[arg-type]
        calls: list[tuple[list[dict[str, str]], dict[str, Any]]] = []
        original = llama.create_chat_completion

        def recording(messages: list[dict[str, str]], calls: list = calls, original: Any = original, **kw: Any) -> Any:
            calls.append((messages, kw))
            return original(messages, **kw)

        llama.create_chat_completion = recording  # type: ignore[method-assign]
        pipe_ttft, pipe_total, per_question = [], [], []
        for q in questions:
            before = len(calls)
            started = time.perf_counter()
            first = None
            for event in assistant.stream(q, backend="local"):
                if event["type"] == "token" and first is None:
                    first = time.perf_counter() - started
            pipe_total.append(time.perf_counter() - started)
            pipe_ttft.append(first if first is not None else pipe_total[-1])
            per_question.append(calls[before:])
        llama.create_chat_completion = original  # type: ignore[method-assign]

        llama.set_cache(LlamaRAMCache(capacity_bytes=512 << 20) if cache else None)  # type: ignore[arg-type]
        llama.reset()
        bare_ttft, bare_total = [], []
        for recorded in per_question:
            started = time.perf_counter()
            first = None
            for messages, kw in recorded:
                if kw.get("stream"):
                    for part in llama.create_chat_completion(messages, **kw):
                        if first is None and part["choices"][0]["delta"].get("content"):
                            first = time.perf_counter() - started
                else:
                    llama.create_chat_completion(messages, **kw)
            bare_total.append(time.perf_counter() - started)
            bare_ttft.append(first if first is not None else bare_total[-1])
        label = "cache" if cache else "no_cache"
        figures[label] = {
            "pipeline_ttft_s": median(pipe_ttft),
            "pipeline_total_s": median(pipe_total),
            "bare_ttft_s": median(bare_ttft),
            "bare_total_s": median(bare_total),
            "overhead_total": round(sum(pipe_total) / sum(bare_total) - 1, 3),
            "overhead_ttft": round(sum(pipe_ttft) / sum(bare_ttft) - 1, 3),
        }
        print(label, figures[label])
    print(f"extractive answer: {figures['extractive_total_s']} s per question")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
