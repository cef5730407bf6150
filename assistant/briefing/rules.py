"""The rules that pick a briefing's sentences: cue words for disputed points and open questions,
near-duplicate articles (shared word shingles, which is what syndicated copies share) and
near-repeated sentences (shared content words)."""

from __future__ import annotations

from assistant.text.arabic import normalize_for_matching
from assistant.text.words import content_tokens

# Cue words (normalised Arabic, lower-case English).
DISPUTE_CUES = (
    "نفي", "نفت", "ينفي", "اتهم", "اتهمت", "يتهم", "مزاعم", "يزعم", "زعم", "يشك", "نشك", "شكوك", "خلافات", "خلاف",
    "تناقض", "يماطل", "تماطل", "المماطله", "انتهاكات", "رفض", "رفضت", "يرفض", "ينتقد", "انتقد",
    "denied", "denies", "accused", "accuses", "disputed", "dispute", "doubt", "claims", "rejected", "stalling",
)  # fmt: skip
OPEN_CUES = (
    "لم تتضح", "لم يتضح", "غير واضح", "ليس واضحا", "ما اذا كان", "ما اذا كانت", "من غير المعروف", "لا يزال",
    "لا تزال", "سيستمر", "في مرحله ما", "من المتوقع", "يتوقع", "مستقبل",
    "unclear", "whether", "remains to be seen", "not yet", "expected to", "will decide",
)  # fmt: skip


def _shingles(text: str) -> set[str]:
    words = normalize_for_matching(text).split()
    return {" ".join(words[i : i + 3]) for i in range(max(0, len(words) - 2))}


def fold_duplicates(texts: list[str], threshold: float = 0.5) -> list[int]:
    """Indexes of the texts to keep: a text sharing ≥ ``threshold`` of its 3-word shingles
    (Jaccard) with an earlier kept one is a near-duplicate.

    >>> fold_duplicates(["a b c d e f", "a b c d e f g", "x y z w v"])
    [0, 2]
    """
    kept: list[int] = []
    signatures: list[set[str]] = []
    for i, text in enumerate(texts):
        sig = _shingles(text)
        if any(sig and other and len(sig & other) / len(sig | other) >= threshold for other in signatures):
            continue
        kept.append(i)
        signatures.append(sig)
    return kept


def has_cue(sentence: str, cues: tuple[str, ...]) -> bool:
    normal = " " + normalize_for_matching(sentence).replace("،", " ").replace(",", " ") + " "
    return any(f" {cue} " in normal or f" و{cue} " in normal for cue in cues)


def similar(a: str, b: str) -> bool:
    ta, tb = set(content_tokens(a)), set(content_tokens(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) >= 0.6
