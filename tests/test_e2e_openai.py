"""End to end through the `openai` backend: a real llama-cpp-python OpenAI-compatible server on
127.0.0.1, started by this test with the bundled model, answering seed questions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.models.gguf import assemble_gguf
from assistant.testing import free_port, running_server

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = assemble_gguf(Settings().cache_dir / "models")
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", "4096", "--model_alias", "bundled"]  # fmt: skip
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with running_server(command, f"{url}/models", log_path, timeout_s=120):
        yield url


def test_openai_backend_answers_seed_questions(server: str, tmp_path: Path) -> None:
    settings = Settings(vectorstore_dir=tmp_path / "store")
    settings.llm.backend = "openai"
    settings.llm.base_url = server
    settings.llm.model = "bundled"
    assistant = Assistant(settings)
    assistant.ingest([ROOT / "seeds"])

    answer = assistant.ask("كم مرة سافر روبيو إلى السعودية خلال الشهرين الماضيين؟")
    assert answer.backend == "openai" and not answer.abstained
    assert "مرتين" in answer.citations[0].quote
    assert answer.tokens_in > 0

    english = assistant.ask("What did Ryabkov say about the American proposals?")
    assert not english.abstained and "ريابكوف" in english.citations[0].passage.text
    assert not english.verified  # an English rendering of Arabic is a draft at best

    assert assistant.ask("What is China's position on the peace talks?").abstained
