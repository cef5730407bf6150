"""Peak memory of `briefing serve` with its models loaded, answering a question.

Usage: python benchmarks/bench_serve_memory.py [--llm local] [--questions 1]

Ingests the seeds into a temporary store, starts `briefing serve` on a free port of 127.0.0.1
(it loads e5 and the answer model before it listens), asks "What did Rubio tell Russia?" through
the UI's HTTP API (gradio_client, endpoint ``/ask``), then, with ``--questions N``, N-1 more of
the seed questions (the prompt cache keeps model states in RAM up to its capacity, so memory
grows over a session), then stops the server. It prints, for the process tree of the server
(the process and all its descendants):

- ``VmHWM``: each process's peak resident set, from /proc/<pid>/status, summed over the tree
  (an upper bound of the tree's peak: the processes may peak at different moments);
- the largest sum of ``VmRSS`` over the tree seen by sampling every 50 ms;
- ``RssFile``: how much of the resident set is file pages (the GGUF weights are memory-mapped,
  so they count in RSS but are page cache the kernel can drop and share).

Figures end as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).parent / "briefing"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[int]:
    """``pid`` and all its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", default="local", choices=["local", "openai", "extractive"])
    parser.add_argument("--questions", type=int, default=1, help="Questions asked (the seed set's, in order).")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    store = work / "store"
    ingest = [str(BRIEFING), "ingest", str(ROOT / "seeds"), "--store", str(store)]
    subprocess.run(ingest, check=True, capture_output=True)
    port = free_port()
    log_path = work / "serve.log"
    env = {**os.environ, "BRIEFING_LLM__BACKEND": args.llm}
    with log_path.open("wb") as log:  # a file, not a pipe
        started = time.perf_counter()
        server = subprocess.Popen(
            [str(BRIEFING), "serve", "--port", str(port), "--store", str(store)], stdout=log, stderr=log, env=env
        )
        peak_sum = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak_sum[0] = max(peak_sum[0], sum(status_kb(p, "VmRSS") for p in tree(server.pid)))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except OSError as exc:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"serve did not start: {log_path.read_text()[-2000:]}") from exc
                    time.sleep(0.5)
            ready_s = time.perf_counter() - started
            after_load = {p: status_kb(p, "VmRSS") for p in tree(server.pid)}

            from gradio_client import Client

            client = Client(url, verbose=False)
            seed = [json.loads(line)["question"] for line in (ROOT / "evals" / "seed_questions.jsonl").open()]
            questions = ["What did Rubio tell Russia?", *[q for q in seed if "Rubio tell" not in q]][: args.questions]
            answer_s = []
            for question in questions:
                asked = time.perf_counter()
                # The conversation (a gr.State) is not in the API: question, backend, passages, articles.
                result = client.predict(question, args.llm, 5, [], api_name="/ask")
                answer_s.append(time.perf_counter() - asked)
                transcript = str(result[0] if isinstance(result, list | tuple) else result)
                assert "badge" in transcript, transcript[:500]
            time.sleep(0.2)
            processes = tree(server.pid)
            hwm = {p: status_kb(p, "VmHWM") for p in processes}
            rss_file = {p: status_kb(p, "RssFile") for p in processes}
            rss_anon = {p: status_kb(p, "RssAnon") for p in processes}
        finally:
            stop.set()
            sampler.join()
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    mb = 1024
    figures = {
        "llm": args.llm,
        "processes": len(processes),
        "ready_s": round(ready_s, 1),
        "questions": len(answer_s),
        "first_answer_s": round(answer_s[0], 1),
        "rss_after_load_mb": round(sum(after_load.values()) / mb),
        "vmhwm_sum_mb": round(sum(hwm.values()) / mb),
        "sampled_peak_rss_sum_mb": round(peak_sum[0] / mb),
        "rss_file_mb": round(sum(rss_file.values()) / mb),
        "rss_anon_mb": round(sum(rss_anon.values()) / mb),
    }
    print(f"briefing serve ({args.llm}): {len(processes)} process(es), ready in {ready_s:.1f} s")
    print(f"  RSS once loaded          {figures['rss_after_load_mb']:>6} MB")
    print(f"  peak RSS (VmHWM, summed) {figures['vmhwm_sum_mb']:>6} MB")
    print(f"  peak RSS (sampled sum)   {figures['sampled_peak_rss_sum_mb']:>6} MB")
    print(f"  at the end: file pages {figures['rss_file_mb']} MB, anonymous {figures['rss_anon_mb']} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
