"""Shared fixtures: the seed path, an assistant with the hash fake, isolated stores."""

from __future__ import annotations

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
