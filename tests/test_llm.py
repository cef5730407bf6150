"""The local backend's prompt-cache states: lean (no logits table), and reloading them changes nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from assistant.models.chat import lean_state_llama


class _FakeLlama:
    """The parts of llama-cpp-python's ``Llama`` that ``save_state``/``load_state`` touch."""

    _logits_all = False

    def __init__(self) -> None:
        self.scores = np.ones((4, 3), dtype=np.float32)  # n_batch rows of vocabulary-sized logits
        self.n_tokens = 3

    def save_state(self) -> Any:
        return SimpleNamespace(scores=self.scores[: self.n_tokens, :].copy(), n_tokens=self.n_tokens, kv=b"kv")

    def load_state(self, state: Any) -> None:
        self.scores[: state.n_tokens, :] = state.scores.copy()
        self.n_tokens = state.n_tokens


def test_lean_states_leave_the_logits_table_out_and_keep_it_in_place() -> None:
    llama = lean_state_llama(_FakeLlama)()
    table = llama.scores
    state = llama.save_state()
    assert state.scores.shape == (0, 3) and state.kv == b"kv" and state.n_tokens == 3
    assert llama.scores is table
    llama.n_tokens = 0
    llama.load_state(state)
    assert llama.n_tokens == 3 and llama.scores is table


def test_full_states_still_load() -> None:
    llama = lean_state_llama(_FakeLlama)()
    full = _FakeLlama.save_state(llama)
    full.scores[:] = 2.0
    llama.load_state(full)
    assert float(llama.scores[:3].sum()) == 18.0


def test_logits_all_models_keep_their_table() -> None:
    class AllLogits(_FakeLlama):
        _logits_all = True

    assert lean_state_llama(AllLogits)().save_state().scores.shape == (3, 3)


@pytest.mark.e2e
def test_real_model_answers_the_same_from_a_reloaded_lean_state() -> None:
    from assistant import Settings
    from assistant.models.gguf import assemble_gguf

    llama_cpp = pytest.importorskip("llama_cpp")
    path = assemble_gguf(Settings().cache_dir / "models")
    llama = lean_state_llama(llama_cpp.Llama)(model_path=str(path), n_ctx=1024, verbose=False)
    llama.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=64 << 20))
    system = {"role": "system", "content": "You answer in one short English sentence."}

    def ask(question: str) -> str:
        out = llama.create_chat_completion(
            [system, {"role": "user", "content": question}], max_tokens=12, temperature=0.0
        )
        return str(out["choices"][0]["message"]["content"])

    first = ask("What is the capital of France?")
    state = next(iter(llama.cache.cache_state.values()))
    assert state.scores.shape[0] == 0 and state.llama_state_size < 64 << 20
    ask("What colour is the sky?")  # another prompt with the same system part, saved beside the first
    llama.reset()
    assert ask("What is the capital of France?") == first  # the cached state is reloaded


def test_the_local_model_writes_with_every_core_unless_told(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # llama.cpp's default is half the cores (it assumes two threads per core); on this machine's
    # two single-thread cores that wrote 1.6 times slower. The model is not loaded here.
    from assistant.models.chat import make_chat_model
    from assistant.settings import LLMSettings

    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    chat = make_chat_model(LLMSettings(backend="local", model_path=str(gguf)), tmp_path)
    assert chat is not None and chat.n_threads == 6  # type: ignore[attr-defined]
    told = make_chat_model(LLMSettings(backend="local", model_path=str(gguf), n_threads=3), tmp_path)
    assert told is not None and told.n_threads == 3  # type: ignore[attr-defined]
