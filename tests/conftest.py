"""Shared fixtures: the seed path, an assistant with the hash fake, isolated stores."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from postgres import Server, postgres_server

from assistant import Assistant, Settings
from assistant.testing import HashEmbedder, free_port, running_server

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_409043fa5ea248dc.txt"
CHROMA = Path(sys.executable).parent / "chroma"  # the CLI that comes with the chromadb package
HARAKAT = re.compile("[\u064b-\u0652]")


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def fake_assistant(tmp_path: Path) -> Assistant:
    """An assistant on a fresh store in tmp_path, with the deterministic hash embedder."""
    settings = Settings(vectorstore_dir=tmp_path / "store", cache_dir=tmp_path / "cache")
    return Assistant(settings, embedder=HashEmbedder())


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """A real PostgreSQL server on 127.0.0.1 for the session (``tests/postgres.py``)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`, the CLI that comes with chromadb) on 127.0.0.1 for the
    module; its URL."""
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)]
    with running_server(command, f"{url}/api/v2/heartbeat", folder / "chroma.log"):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (``executable_path``: no browser download)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: run `make install-browser` (apt-get install chromium)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def real() -> Iterator[Assistant]:
    """The real assistant (bundled e5, embedded Chroma, the local model on demand) on the seed,
    in a fresh store shared by the end-to-end tests that only read from it."""
    with tempfile.TemporaryDirectory(prefix="briefing-e2e-") as folder:
        assistant = Assistant(Settings(vectorstore_dir=Path(folder) / "store"))
        assistant.ingest([ROOT / "seeds"])
        yield assistant
        assistant.close()


def _sentences(text: str) -> list[str]:
    # Short sentences keep the test fast on 2 cores (and well under the 512-token limit).
    parts = re.split(r"(?<=[.!?؟])\s+|\n+", text)
    return [p.strip() for p in parts if 20 <= len(p.strip()) <= 200]


@pytest.fixture(scope="session")
def e5_texts() -> tuple[list[str], list[str], list[str]]:
    """(Arabic passages, Arabic questions, English questions) for comparing e5 implementations:
    deterministic, from repo files only, each well under 512 tokens."""
    seeds = _sentences((ROOT / "seeds" / "000_409043fa5ea248dc.txt").read_text(encoding="utf-8"))
    corpus_rows = (ROOT / "evals" / "xquad" / "xquad_ar_corpus.jsonl").read_text(encoding="utf-8")
    corpus = [s for line in corpus_rows.splitlines() for s in _sentences(json.loads(line)["text"])]
    # The awkward cases first (harakat, tatweel, Latin names, digits), then an even spread.
    special = []
    for pattern in (HARAKAT, re.compile("\u0640"), re.compile("[A-Za-z]{3,}"), re.compile(r"\d")):
        special += [s for s in corpus if pattern.search(s) and s not in special][:8]
    spread = [s for s in corpus[:: max(1, len(corpus) // 30)] if s not in special]
    # Whitespace variants of repo sentences: runs, tabs, newlines, NBSP, leading/trailing spaces.
    odd_space = [
        seeds[0].replace(" ", "  ", 3),
        seeds[1].replace(" ", "\t", 2) + " ",
        "  " + seeds[2].replace(" ", "\n", 2),
        seeds[3].replace(" ", "\u00a0", 4),
        corpus[0].replace(" ", " \n ", 2) + "\n",
        "\t" + corpus[1] + "   ",
    ]
    questions = [
        json.loads(line)
        for line in (ROOT / "evals" / "xquad" / "xquad_dev.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    ar_q = [q["question"] for q in questions if q["lang"] == "ar"][:50]
    en_q = [q["question"] for q in questions if q["lang"] == "en"][:105]
    return seeds + special + spread + odd_space, ar_q, en_q
