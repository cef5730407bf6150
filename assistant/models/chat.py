"""Answer backends behind one LangChain chat-model interface.

- ``local`` (default): ``LlamaCppChat`` runs the bundled Qwen2.5-Coder-1.5B-Instruct GGUF
  (assembled by ``models.gguf``) with llama-cpp-python, in process. It accepts a GBNF
  ``grammar`` per call, which the answer stage uses to make the small model choose a
  sentence number instead of writing free text.
- ``openai``: any OpenAI-compatible server (llama-cpp-python's server, vLLM, Ollama) through
  ``langchain_openai.ChatOpenAI``, by base URL and model name.
- ``extractive``: no model at all (``make_chat_model`` returns None); the answer stage quotes
  the best evidence sentences.

Deliberately not here: prompts (``prompts/``) and what to do with the output (``answering``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.errors import ModelUnavailableError, SettingsError


def _role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


def lean_state_llama(llama_class: type) -> type:
    """A subclass of llama-cpp-python's ``Llama`` whose saved states leave out its logits table.

    ``Llama.save_state`` copies ``scores`` (one row of vocabulary-sized floats per token, up to
    ``n_batch`` rows: 311 MB for Qwen2.5's 151,936 tokens) into every state the prompt cache keeps,
    and ``load_state`` copies it back; with ``logits_all=False`` nothing reads those rows (llama.cpp
    samples from its own logits, which the llama.cpp state already holds). The RAM cache counts
    only the llama.cpp state (3-15 MB) against its capacity, so the copies grew a long evaluation
    to 13 GB and every save paid a fresh 70-300 MB allocation. Here the table is swapped for an
    empty view while the base methods run, so states hold only what a reload needs.
    """

    class LeanStateLlama(llama_class):  # type: ignore[misc, valid-type]
        scores: Any  # numpy (n_batch or n_ctx, n_vocab) float32, set by the base class
        _logits_all: bool

        def save_state(self) -> Any:
            if self._logits_all:
                return super().save_state()
            scores = self.scores
            self.scores = scores[:0]
            try:
                return super().save_state()
            finally:
                self.scores = scores

        def load_state(self, state: Any) -> None:
            if self._logits_all or len(state.scores):  # a full state (saved by the base class)
                return super().load_state(state)
            scores = self.scores
            self.scores = scores[:0]
            try:
                super().load_state(state)
            finally:
                self.scores = scores

    LeanStateLlama.__name__ = LeanStateLlama.__qualname__ = f"LeanState{llama_class.__name__}"
    return LeanStateLlama


class LlamaCppChat(BaseChatModel):
    """A chat model over a local GGUF file with llama-cpp-python (CPU, in process).

    Calls are serialised with a lock: one llama context cannot run two generations at once.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 160
    temperature: float = 0.0
    use_mmap: bool = False  # read the weights in: llama.cpp repacks most of them anyway (see LLMSettings.mmap)
    prompt_cache: bool = True  # keep KV states of earlier prompts in RAM, reused by shared prefixes
    prompt_cache_bytes: int = 64 << 20
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def llama(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelUnavailableError(
                    "llama-cpp-python is not installed: `pip install llama-cpp-python==0.3.36` "
                    "(builds from source in about 5 minutes)."
                ) from exc
            self._llama = lean_state_llama(Llama)(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                use_mmap=self.use_mmap,
                verbose=False,
            )
            if self.prompt_cache:
                from llama_cpp import LlamaRAMCache

                # The answer stage alternates prompts (choose, then write), each opening with a
                # static system part; keeping their states lets a shared prefix be reused.
                self._llama.set_cache(LlamaRAMCache(capacity_bytes=self.prompt_cache_bytes))
        return self._llama

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stop": stop,
        }
        if kwargs.get("grammar"):
            from llama_cpp import LlamaGrammar

            params["grammar"] = LlamaGrammar.from_string(kwargs["grammar"], verbose=False)
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chat = [{"role": _role(m), "content": str(m.content)} for m in messages]
        with self._lock:
            out = self.llama.create_chat_completion(chat, **self._params(stop, kwargs))
        usage = out.get("usage", {})
        message = AIMessage(
            content=out["choices"][0]["message"]["content"] or "",
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chat = [{"role": _role(m), "content": str(m.content)} for m in messages]
        with self._lock:
            for part in self.llama.create_chat_completion(chat, stream=True, **self._params(stop, kwargs)):
                delta = part["choices"][0]["delta"].get("content")
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk


def make_chat_model(settings: Any, cache_dir: Path) -> BaseChatModel | None:
    """The chat model the settings name (``settings`` is ``LLMSettings``); None for extractive."""
    if settings.backend == "extractive":
        return None
    if settings.backend == "local":
        from assistant.models.gguf import assemble_gguf

        path = Path(settings.model_path) if settings.model_path else assemble_gguf(cache_dir / "models")
        if not path.is_file():
            raise ModelUnavailableError(f"The GGUF model file {path} does not exist; fix BRIEFING_LLM__MODEL_PATH.")
        return LlamaCppChat(
            model_path=str(path),
            n_ctx=settings.n_ctx,
            # llama.cpp writes with half the cores by default (it assumes two threads per core):
            # on two cores of one thread each, both write 1.6 times faster (docs/benchmarks.md).
            n_threads=settings.n_threads or os.cpu_count() or None,
            max_tokens=settings.max_tokens,
            use_mmap=settings.mmap,
            prompt_cache=settings.prompt_cache,
            prompt_cache_bytes=settings.prompt_cache_mb << 20,
        )
    if settings.backend == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.base_url:
            raise SettingsError(
                "The openai backend needs a server address: set BRIEFING_LLM__BASE_URL "
                "(e.g. http://127.0.0.1:11434/v1 for Ollama)."
            )
        return ChatOpenAI(
            base_url=settings.base_url,
            model=settings.model,
            api_key=settings.api_key or "not-needed",  # type: ignore[arg-type]
            temperature=0,
            max_tokens=settings.max_tokens,  # type: ignore[call-arg]
            timeout=settings.timeout_s,
        )
    raise SettingsError(f"llm.backend must be 'local', 'openai' or 'extractive'; got {settings.backend!r}")
