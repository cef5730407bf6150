"""Shared fixtures: the seed path, an assistant with the hash fake, isolated stores."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.testing import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_409043fa5ea248dc.txt"


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def fake_assistant(tmp_path: Path) -> Assistant:
    """An assistant on a fresh store in tmp_path, with the deterministic hash embedder."""
    settings = Settings(vectorstore_dir=tmp_path / "store", cache_dir=tmp_path / "cache")
    return Assistant(settings, embedder=HashEmbedder())


@pytest.fixture(scope="session")
def real() -> Iterator[Assistant]:
    """The real assistant (bundled e5, embedded Chroma, the local model on demand) on the seed,
    in a fresh store shared by the end-to-end tests that only read from it."""
    with tempfile.TemporaryDirectory(prefix="briefing-e2e-") as folder:
        assistant = Assistant(Settings(vectorstore_dir=Path(folder) / "store"))
        assistant.ingest([ROOT / "seeds"])
        yield assistant
        assistant.close()
