"""Deterministic fakes for unit tests (shipped, like httpx's ``MockTransport``).

``HashEmbedder`` maps each normalised word to a fixed random direction and sums them, so
texts sharing words are close and results never change between runs. It is not a language
model: use it to test plumbing, never retrieval quality.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.text.arabic import match_tokens


class HashEmbedder:
    """A bag-of-words embedder with fixed, hash-seeded word vectors."""

    def __init__(self, dim: int = 64, name: str = "test/hash-embedder") -> None:
        self.dim = dim
        self.name = name
        self.calls = 0  # texts embedded so far, for tests that check re-embedding is skipped

    def _vector(self, text: str) -> np.ndarray:
        total = np.zeros(self.dim, dtype=np.float32)
        for token in match_tokens(text):
            seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
            total += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        norm = float(np.linalg.norm(total))
        if norm == 0:
            total[0], norm = 1.0, 1.0
        return total / norm

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2


class ScriptedChatModel(BaseChatModel):
    """A chat model for tests: picks the listed sentence holding ``choose`` (0 when none holds it,
    or when ``choose`` is None), and answers every other prompt with the next of ``replies``."""

    choose: str | None = None
    replies: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _reply(self, messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        if "Number of the answering sentence" in prompt:
            for line in prompt.splitlines():
                match = re.match(r"\[(\d+)\] (.*)", line)
                if match and self.choose is not None and self.choose in match.group(2):
                    return match.group(1)
            return "0"
        return self.replies.pop(0) if self.replies else ""

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        for word in re.findall(r"\S+\s*", self._reply(messages)) or [""]:
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_ui(store: Path, env: dict[str, str] | None = None, timeout_s: float = 300) -> Iterator[str]:
    """Run ``briefing serve`` on ``store`` in a subprocess; yield its URL once it answers, stop it after.

    The server's output goes to ``store/serve.log``."""
    import sys

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port), "--store", str(store)]
    with running_server(command, url, store / "serve.log", timeout_s, env):
        yield url


@contextmanager
def running_server(
    command: list[str], health_url: str, log_path: Path, timeout_s: float = 60, env: dict[str, str] | None = None
) -> Iterator[None]:
    """Run a server (``briefing serve``, ``chroma run``, llama-cpp's) until ``health_url`` answers;
    stop it after. Its output goes to ``log_path`` (a file: a full pipe would stall the server);
    the log's end is in the error if it exits or does not answer within ``timeout_s``."""
    import os
    import subprocess
    import time
    import urllib.request

    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                urllib.request.urlopen(health_url, timeout=5).read()
                break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{' '.join(command[:4])} did not start:\n{tail}") from exc
                time.sleep(0.3)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
