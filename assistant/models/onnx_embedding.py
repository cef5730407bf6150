"""The bundled e5 on ONNX Runtime: the materialised weights exported once to ONNX, then run without torch.

- ``export_onnx``: writes ``model.onnx`` beside the materialised sentence-transformers directory's
  weights (once, stamped with the weights it came from; torch and the ``onnx`` package are needed
  for this step only);
- ``OnnxEmbedder``: the ``Embedder`` over it: the directory's own ``tokenizer.json`` (the same ids
  as sentence-transformers), a batch padded to its longest text, mean pooling over the attention
  mask (``<s>`` and ``</s>`` included, as e5 pools), L2 normalisation.

Why: on this 2-core machine ONNX Runtime embeds a question in 13-18 ms against torch's 35 ms
and passages about 1.5 times as fast, with the same vectors (cosine 0.9999998 at worst against
sentence-transformers); and a process that only embeds never imports torch. One session (about
0.9 GB: the weights and ONNX Runtime's pre-packed copy) serves questions and passages; a
``query_threads`` other than ``threads`` makes a second one.

- ``quantise_onnx``: ``model.int8-<variant>.onnx`` beside it (``INT8_VARIANTS``), made once by ONNX
  Runtime's own quantiser from ``model.onnx``: int8 weights for the 72 weight MatMuls, the
  word-embedding matrix left in floating point. ``OnnxEmbedder`` runs ``INT8_KEPT`` when
  ``embedding.int8`` is on (the default), else ``model.onnx``; ``model_file=`` runs any other.
  ``benchmarks/bench_index.py --int8`` measures every variant against fp32 (docs/benchmarks.md,
  "int8 encoder"): dynamic quantisation with 7-bit weights, a scale per output channel, made
  ingestion about 1.8 times as fast with XQuAD-ar recall within the keep rule of issue 18;
  static (calibrated) quantisation lost recall.

Deliberately not here: making the weights (``e5_materialise``), other models (they run through
sentence-transformers, ``embedding``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ModelUnavailableError
from assistant.settings import EmbeddingSettings

ONNX_FILE = "model.onnx"
ONNX_STAMP = "onnx.json"
ONNX_FORMAT = 1
MAX_TOKENS = 512  # e5's positions; sentence-transformers truncates there too
PAD_ID = 1  # <pad> in XLM-R's vocabulary
# int8 variants: (static: activations calibrated on texts beforehand, else quantised per batch at
# run time; per_channel: a weight scale per output column; reduce_range: 7-bit weights, which keep
# AVX2's u8×s8 pair sums from saturating on CPUs without VNNI).
INT8_KEPT = "dynamic-7bit"  # the variant that passed the keep rule; what embedding.int8 runs
INT8_VARIANTS: dict[str, dict[str, bool]] = {
    "dynamic": {"static": False, "per_channel": True, "reduce_range": False},
    "dynamic-7bit": {"static": False, "per_channel": True, "reduce_range": True},
    "dynamic-tensor": {"static": False, "per_channel": False, "reduce_range": False},
    "static": {"static": True, "per_channel": True, "reduce_range": True},
}


def _weights_stamp(model_dir: Path) -> dict[str, Any]:
    weights = (model_dir / "model.safetensors").stat()
    source = json.loads((model_dir / "materialised.json").read_text(encoding="utf-8"))
    return {"format": ONNX_FORMAT, "source_sha256": source.get("source_sha256"), "weights_bytes": weights.st_size}


def export_onnx(model_dir: Path) -> Path:
    """``model_dir/model.onnx``, exported from the sentence-transformers directory unless a copy made
    from the same weights is there. Written to a temporary file and renamed, so an interrupted export
    leaves nothing half-written."""
    target = model_dir / ONNX_FILE
    stamp = _weights_stamp(model_dir)
    try:
        if target.is_file() and json.loads((model_dir / ONNX_STAMP).read_text(encoding="utf-8")) == stamp:
            return target
    except (OSError, ValueError):
        pass
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
        import torch
        from transformers import BertModel
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ModelUnavailableError(
            f"Exporting e5 to ONNX needs torch and onnx ({exc}): `pip install torch==2.13.0 onnx==1.23.2`, "
            "or set BRIEFING_EMBEDDING__RUNTIME=torch."
        ) from exc

    class LastHiddenState(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    transformers_logging.disable_progress_bar()
    bert = BertModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    example = torch.tensor([[0, 6, 2]]), torch.ones(1, 3, dtype=torch.long)
    fd, tmp = tempfile.mkstemp(prefix=".model.onnx.", dir=model_dir)
    os.close(fd)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
            torch.onnx.export(
                LastHiddenState(bert),
                example,
                tmp,
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask")},
                opset_version=17,
                dynamo=False,
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    (model_dir / ONNX_STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    return target


def int8_file(variant: str) -> str:
    """The file name of an int8 variant, beside ``model.onnx``.

    >>> int8_file("dynamic-7bit")
    'model.int8-dynamic-7bit.onnx'
    """
    return f"model.int8-{variant}.onnx"


def quantise_onnx(model_dir: Path, variant: str = INT8_KEPT, calibration: list[str] | None = None) -> Path:
    """``model_dir/int8_file(variant)``: ``model.onnx`` (exported first if needed) with int8 weights in
    its MatMul and Gemm nodes (the word-embedding Gather stays float), by ONNX Runtime's
    ``quantize_dynamic`` or, for ``static``, ``quantize_static`` (QDQ, uint8 activations whose ranges
    come from running ``calibration``, passage texts, through the model). Made once and stamped
    beside it (weights, variant, ONNX Runtime version, calibration texts); written to a temporary
    file and renamed, like ``export_onnx``."""
    if variant not in INT8_VARIANTS:
        raise ValueError(f"unknown int8 variant {variant!r}; one of {', '.join(INT8_VARIANTS)}")
    options = INT8_VARIANTS[variant]
    if options["static"] and not calibration:
        raise ValueError("static quantisation needs calibration texts")
    import onnxruntime

    source = export_onnx(model_dir)
    target = model_dir / int8_file(variant)
    stamp_path = target.with_suffix(".json")
    texts = calibration if options["static"] else None
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest() if texts else None
    stamp = {**_weights_stamp(model_dir), **options, "onnxruntime": onnxruntime.__version__, "calibration": digest}
    try:
        if target.is_file() and json.loads(stamp_path.read_text(encoding="utf-8")) == stamp:
            return target
    except (OSError, ValueError):
        pass
    fd, tmp = tempfile.mkstemp(prefix=".model.int8.", suffix=".onnx", dir=model_dir)
    os.close(fd)
    try:
        _quantise(source, tmp, options, _Calibration(model_dir, texts) if texts else None)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    stamp_path.write_text(json.dumps(stamp), encoding="utf-8")
    return target


def _quantise(source: Path, target: str, options: dict[str, bool], calibration: _Calibration | None) -> None:
    """ONNX Runtime's quantiser on ``source``, written to ``target``: static with ``calibration``, else dynamic."""
    try:
        from onnxruntime import quantization as q  # 1.3 s to import: only when quantising
    except ImportError as exc:
        raise ModelUnavailableError(
            f"Quantising e5 needs the onnx package ({exc}): `pip install onnx==1.23.2`, "
            "or set BRIEFING_EMBEDDING__INT8=false."
        ) from exc
    common: dict[str, Any] = {
        "op_types_to_quantize": ["MatMul", "Gemm"],
        "per_channel": options["per_channel"],
        "reduce_range": options["reduce_range"],
        "weight_type": q.QuantType.QInt8,
        "extra_options": {"MatMulConstBOnly": True},  # weights only: attention's two MatMuls stay float
    }
    if calibration is None:
        q.quantize_dynamic(str(source), target, **common)
        return
    q.quantize_static(
        str(source),
        target,
        calibration,
        quant_format=q.QuantFormat.QDQ,
        activation_type=q.QuantType.QUInt8,
        calibrate_method=q.CalibrationMethod.MinMax,
        **common,
    )


def _token_ids(tokenizer: Any, text: str) -> list[int]:
    ids: list[int] = tokenizer.encode(text).ids
    # As sentence-transformers truncates: keep <s>, the first 510 tokens and </s>.
    return ids if len(ids) <= MAX_TOKENS else [*ids[: MAX_TOKENS - 1], ids[-1]]


def _padded(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token id rows as one batch padded to the longest: (input_ids, attention_mask)."""
    width = max(len(r) for r in rows)
    input_ids = np.full((len(rows), width), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return input_ids, mask


class _Calibration:
    """ONNX Runtime's ``CalibrationDataReader``: the texts as passages, 8 a batch sorted by length."""

    def __init__(self, model_dir: Path, texts: list[str], batch: int = 8) -> None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        rows = sorted((_token_ids(tokenizer, "passage: " + t) for t in texts), key=len)
        batches = [_padded(rows[at : at + batch]) for at in range(0, len(rows), batch)]
        self._feeds = iter([{"input_ids": ids, "attention_mask": mask} for ids, mask in batches])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)


class OnnxEmbedder:
    """multilingual-e5-small from its ONNX export, with e5's ``query: `` / ``passage: `` prefixes."""

    name = "intfloat/multilingual-e5-small"
    dim = 384

    def __init__(
        self, model_dir: Path, settings: EmbeddingSettings | None = None, *, model_file: Path | None = None
    ) -> None:
        """``model_file``: an ONNX file of the same model to run (an int8 variant, ``quantise_onnx``);
        by default ``INT8_KEPT`` when ``settings.int8`` is on, else ``model.onnx``, each made from
        ``model_dir`` when missing or stale."""
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailableError(f"ONNX Runtime is not installed ({exc}): `pip install onnxruntime`.") from exc
        self.settings = settings or EmbeddingSettings()
        self._ort = onnxruntime
        self._path = model_file or (quantise_onnx(model_dir) if self.settings.int8 else export_onnx(model_dir))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._session(self._query_threads)  # loaded now, not at the first question

    @property
    def _query_threads(self) -> int:
        return self.settings.query_threads or self.settings.threads

    def _session(self, threads: int) -> Any:
        """One ONNX Runtime session per thread count (0: ONNX Runtime's default, a thread a core), made once."""
        with self._lock:
            if threads not in self._sessions:
                options = self._ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                # Idle threads sleep instead of spinning: faster here, and the answer model keeps the cores.
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._sessions[threads] = self._ort.InferenceSession(
                    str(self._path), options, providers=["CPUExecutionProvider"]
                )
            return self._sessions[threads]

    def _ids(self, text: str) -> list[int]:
        return _token_ids(self.tokenizer, text)

    def _encode(self, texts: list[str], prefix: str, threads: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session = self._session(threads)
        ids = [self._ids(prefix + t) for t in texts]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # similar lengths pad little
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        size = self.settings.batch_size
        for at in range(0, len(order), size):
            batch = order[at : at + size]
            input_ids, mask = _padded([ids[i] for i in batch])
            hidden = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
            out[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.settings.query_prefix, self._query_threads)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.settings.passage_prefix, self.settings.threads)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(self.settings.passage_prefix + text).ids)
