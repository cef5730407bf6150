"""The rules that pick a briefing's sentences: cue words for disputed points and open questions
(and which cue a sentence is listed for), where a quoted clause may end, near-duplicate articles
(shared word shingles, which is what syndicated copies share) and near-repeated sentences (shared
content words)."""

from __future__ import annotations

import re

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


# Why a sentence is disputed or an open question: the kind of each cue (normalised, as above).
CUE_KINDS = {
    **dict.fromkeys(("نفي", "نفت", "ينفي", "denied", "denies"), "a denial"),
    **dict.fromkeys(("اتهم", "اتهمت", "يتهم", "accused", "accuses"), "an accusation"),
    **dict.fromkeys(("مزاعم", "يزعم", "زعم", "claims"), "a claim"),
    **dict.fromkeys(("يشك", "نشك", "شكوك", "doubt"), "doubt"),
    **dict.fromkeys(("خلافات", "خلاف", "تناقض", "disputed", "dispute"), "a disagreement"),
    **dict.fromkeys(("يماطل", "تماطل", "المماطله", "stalling"), "stalling"),
    "انتهاكات": "violations",
    **dict.fromkeys(("رفض", "رفضت", "يرفض", "rejected"), "a refusal"),
    **dict.fromkeys(("ينتقد", "انتقد"), "criticism"),
    **dict.fromkeys(("لم تتضح", "لم يتضح", "غير واضح", "ليس واضحا", "unclear", "not yet"), "not yet clear"),
    **dict.fromkeys(("ما اذا كان", "ما اذا كانت", "whether"), "an open whether"),
    **dict.fromkeys(("من غير المعروف", "remains to be seen"), "not known"),
    **dict.fromkeys(("لا يزال", "لا تزال", "سيستمر", "في مرحله ما"), "still open"),
    **dict.fromkeys(("من المتوقع", "يتوقع", "مستقبل", "expected to", "will decide"), "an expectation"),
}
# Words that open the next clause: a quote never ends on them ("… في صالحه، في حين").
_CONNECTIVES = {
    normalize_for_matching(w)
    for w in (
        "في حين", "بينما", "حيث", "لكن", "لكنه", "ولكن", "إلا أن", "غير أن", "ثم", "و", "أو", "كما", "إذ", "حين",
        "فيما", "while", "whereas", "but", "and", "or", "as", "although", "though", "when", "which", "who",
    )
}  # fmt: skip
_SENTENCE_END = ".!?؟…"
_CLAUSE_END = "،,؛;:"


def listed_for(sentence: str, cues: tuple[str, ...]) -> str:
    """Why a sentence is listed as disputed or open: the kind of its first cue and the sentence's own
    word for it ("" when it has none).

    >>> listed_for("ونفت موسكو أي تدخل.", DISPUTE_CUES), listed_for("يعتقدون أن بوتين يماطل، معتقدين", DISPUTE_CUES)
    ('a denial: «ونفت»', 'stalling: «يماطل»')
    """
    words = sentence.split()
    normal = [normalize_for_matching(w).strip("،,.:؛;!?؟\"'«»()") for w in words]
    for cue in cues:
        parts = cue.split()
        for i in range(len(normal) - len(parts) + 1):
            window = normal[i : i + len(parts)]
            if window == parts or (window[0] == "و" + parts[0] and window[1:] == parts[1:]):
                said = " ".join(words[i : i + len(parts)]).strip("،,.:؛;!?؟\"'«»()")
                return f"{CUE_KINDS.get(cue, 'a cue word')}: «{said}»"
    return ""


def clause_end(text: str, start: int, end: int, limit: int) -> int | None:
    """Where a quote of ``text[start:end]`` may end, at most at ``limit`` (its passage's end): a cut
    backs off to the last sentence or clause boundary, and a trailing connective ("في حين", "and")
    is left to the next clause. None when too little is left to quote.

    >>> t = "قال إن الوقت في صالحه، في حين أصر ترامب على السلام."
    >>> t[: clause_end(t, 0, t.index(" أصر"), len(t))]
    'قال إن الوقت في صالحه'
    >>> t[: clause_end(t, 0, len(t), t.index(" على"))]
    'قال إن الوقت في صالحه'
    """
    if end > limit:
        piece = text[start:limit]
        cut = max(piece.rfind(c) for c in _SENTENCE_END + _CLAUSE_END)
        if cut < 0:
            return None
        end = start + cut + (1 if piece[cut] in _SENTENCE_END else 0)
    while True:
        piece = text[start:end].rstrip()
        trimmed = piece.rstrip(_CLAUSE_END + "-–— ")
        words = trimmed.split()
        last_two = normalize_for_matching(" ".join(words[-2:])) if len(words) > 1 else ""
        if last_two in _CONNECTIVES:
            trimmed = trimmed[: trimmed.rstrip().rfind(words[-2])]
        elif words and normalize_for_matching(words[-1]) in _CONNECTIVES:
            trimmed = trimmed[: trimmed.rfind(words[-1])]
        if len(trimmed) == len(text[start:end]):
            break
        end = start + len(trimmed)
    return end if len(re.findall(r"\w+", text[start:end])) >= 3 else None


def _shingles(text: str) -> set[str]:
    words = normalize_for_matching(text).split()
    return {" ".join(words[i : i + 3]) for i in range(max(0, len(words) - 2))}


def fold_duplicates(texts: list[str], threshold: float = 0.5, stories: list[str | None] | None = None) -> list[int]:
    """Indexes of the texts to keep: a text sharing ≥ ``threshold`` of its 3-word shingles
    (Jaccard) with an earlier kept one is a near-duplicate, and so is one of a story (``stories``,
    one id or None per text) an earlier kept text belongs to.

    >>> fold_duplicates(["a b c d e f", "a b c d e f g", "x y z w v"])
    [0, 2]
    >>> fold_duplicates(["one story", "another wording", "other news"], stories=["s1", "s1", None])
    [0, 2]
    """
    kept: list[int] = []
    signatures: list[set[str]] = []
    seen: set[str] = set()
    for i, text in enumerate(texts):
        story = stories[i] if stories else None
        sig = _shingles(text)
        if story in seen or any(sig and o and len(sig & o) / len(sig | o) >= threshold for o in signatures):
            continue
        kept.append(i)
        signatures.append(sig)
        if story:
            seen.add(story)
    return kept


def has_cue(sentence: str, cues: tuple[str, ...]) -> bool:
    normal = " " + normalize_for_matching(sentence).replace("،", " ").replace(",", " ") + " "
    return any(f" {cue} " in normal or f" و{cue} " in normal for cue in cues)


def similar(a: str, b: str) -> bool:
    ta, tb = set(content_tokens(a)), set(content_tokens(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) >= 0.6
