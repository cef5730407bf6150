"""Bytes to text: UTF-8, a byte-order mark's UTF-16 or UTF-32, else the detected charset.

Files, web pages and feeds are decoded alike. Arabic often arrives as Windows-1256, which
charset-normalizer detects; UTF-8 with a little damage keeps its text (the bad bytes become
U+FFFD and a note says how many). Bytes that are not text raise ``IngestError`` naming where
they came from (a path or a URL).

Deliberately not here: what the text means (``reading``, ``web``).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from assistant.errors import IngestError

# What a refused input is told to give instead.
GIVE_FILES = "give .txt, .md, .html, .jsonl, .pdf or .docx files"

# UTF-8 with at most this share of invalid bytes is UTF-8 with damage, not another charset.
DAMAGED_UTF8_SHARE = 0.02


# Longest first: the UTF-32 little-endian mark begins with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip


def _looks_like_utf16(sample: bytes) -> bool:
    """Whether bytes with NULs read as UTF-16 text (Latin, Arabic, punctuation) in one byte order.

    >>> _looks_like_utf16("خبر Bridge news".encode("utf-16-le")), _looks_like_utf16(bytes(range(256)))
    (True, False)
    """
    sample = sample[: len(sample) // 2 * 2]
    for codec in ("utf-16-le", "utf-16-be"):
        text = sample.decode(codec, errors="replace")
        readable = sum(
            c.isspace() or " " <= c <= "ÿ" or "\u0600" <= c <= "\u06ff" or "\u2000" <= c <= "\u206f" for c in text
        )
        if text and readable / len(text) > 0.9:
            return True
    return False


def decode_bytes(data: bytes, path: Path | str, notes: list[str] | None = None) -> str:
    """Decode ``data`` as UTF-8, else as the detected charset; reject what is not text.

    UTF-8 with a few invalid bytes (≤ 2%) keeps its text: the bad bytes become U+FFFD and a
    note says how many (``notes``)."""
    if not data.strip():
        raise IngestError(path, "the file is empty; nothing to ingest")
    for bom, codec in _BOMS:  # UTF-16 and UTF-32 with a byte-order mark (Windows exports): decode them
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise IngestError(
                    path,
                    f"the file starts with a {codec.upper()} byte-order mark but is not {codec.upper()}; "
                    "save it as UTF-8",
                ) from None
    if b"\x00" in data[:8192]:
        if _looks_like_utf16(data[:8192]):
            raise IngestError(
                path,
                "the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or UTF-16 with a BOM)",
            )
        raise IngestError(path, f"the file is binary, not text; {GIVE_FILES}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    repaired = data.decode("utf-8-sig", errors="replace")
    damaged = repaired.count("\ufffd")
    has_multibyte = any(ord(c) > 127 and c != "\ufffd" for c in repaired)
    if has_multibyte and damaged <= DAMAGED_UTF8_SHARE * len(data):
        if notes is not None:
            notes.append(f"{damaged} invalid UTF-8 byte sequence(s) replaced with \ufffd; the rest is intact")
        return repaired
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError(path, "the file is not text in any known encoding; save it as UTF-8 text and ingest it again")
    return str(best)
