"""English renderings of an Arabic quote that code can check: lexicon-guided, several candidates,
the one that traces best kept.

- ``glossary``: the English of the quote's phrases, names and content words, from the lexicon
  stage, given to the model after the static system prompt (so the prompt cache still serves);
- candidates: for who / where / when / how-many questions a short answer ("Brussels", "three
  times") and a guided sentence; for the others a guided sentence and the plain prompt's sentence;
- each candidate is traced word by word (``tracing.trace``); the best is the one with no
  disagreement and the fewest untraced content words (``Trace.rank``), the earlier on a tie. A
  candidate made only of the question's words ("US mission chiefs" for "Who recalled the US
  mission chiefs?") disagrees: it answers nothing, so the next plan is tried;
- when every candidate of an answer disagrees, one more (``render_repair``): the model is shown
  its best wrong answer and what the check found ("the Arabic has the envoy of Putin, the answer
  has Putin without the envoy"), and the new answer is traced like the others. It is never
  more than a draft: an answer rewritten to pass the check has not been checked by it alone
  ("The envoy of Putin met Putin" traces word by word and is wrong).

Deliberately not here: what the answer does with the chosen rendering (``answering.answerer``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answering.names import _close, latin_skeleton
from assistant.answering.partial import partial
from assistant.answering.tracing import (
    Trace,
    arabic_tokens,
    question_terms,
    trace,
    traced_terms,
    traced_words,
)
from assistant.answering.verification import NEGATED_EVIDENCE, restates
from assistant.lexicon.lexicon import Lexicon, lexicon
from assistant.models.prompts import PROMPTS
from assistant.text.arabic import match_tokens
from assistant.text.words import _STOP

MAX_GLOSSARY = 16
WHO_UNNAMED = "a who-question answered without a name spelled in the quote, other than the question's own"
# Tokens a reply may take: a short answer is a few words, a sentence one line.
MAX_TOKENS = {
    "short_answer": 24,
    "render_guided": 80,
    "render_english": 80,
    "render_repair": 80,
    "translate_guided": 120,
    "translate_sentence": 120,
}
# Arabic function words the glossary leaves out (the model knows them; their glosses mislead).
_FUNCTION = set(
    match_tokens("انه انها أنه أنها إنه إنها الذي التي الذين هذا هذه ذلك تلك كما حيث بين عند منذ حتى لكن بل أيضا")
)
# Questions whose answer is a name, place, time or count: the answer is the short span.
SHORT_QUESTION = re.compile(
    r"^\s*(?:and\s+)?(?:who|whom|where|when|which|how\s+(?:many|much|long|old|often|far)|"
    r"what\s+(?:day|date|time|year|month|number|percentage|share|city|country|place|name))\b",
    re.I,
)
_CUE = re.compile(r"^\s*(?:short\s+)?(?:answer(?:\s+in\s+english)?|translation)\s*[:：]\s*", re.I)

Invoke = Callable[..., str]  # invoke(prompt name, **values) → the model's reply


@dataclass(frozen=True)
class Rendering:
    """One candidate: its words, how it traced, and the prompt that made it."""

    text: str
    trace: Trace
    prompt: str
    gaps: tuple[str, ...] = ()  # what the question asks that the candidate leaves out


def wants_short(question: str) -> bool:
    """Whether the question asks for a name, place, time or number.

    >>> wants_short("Who did Rubio meet?"), wants_short("How many times has Witkoff met Putin?")
    (True, True)
    >>> wants_short("What did Rubio tell Russia?")
    False
    """
    return bool(SHORT_QUESTION.search(question))


def unheld(question: str, evidence: str, lex: Lexicon | None = None) -> list[str]:
    """The content words of a short question (its wh-phrase aside) that do not trace into the
    quote. A short answer ("384") claims the question with the blank filled ("384 people were
    still missing after the Palu earthquake"); it is checked only when the quote holds that whole
    claim, not just the number.

    >>> unheld("How many people are still missing after the earthquake?", "قتل 384 شخصا نتيجة زلزال عنيف")
    ['after', 'missing']
    >>> unheld("How many people died in the earthquake?", "قتل 384 شخصا نتيجة زلزال عنيف")
    []
    """
    rest = SHORT_QUESTION.sub("", question, count=1)
    return sorted(question_terms(rest) - traced_terms(rest, evidence, lex))


def glossary(arabic: str, lex: Lexicon | None = None) -> list[tuple[str, str]]:
    """(Arabic words, English) for the quote's phrases, names and content words, in reading order."""
    lex = lex or lexicon()
    tokens = arabic_tokens(arabic)
    words = [t.normal for t in tokens]
    entries: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens) and len(entries) < MAX_GLOSSARY:
        phrase = lex.phrase_gloss(words, i)
        if phrase is not None:
            n, english = phrase
            entries.append((arabic[tokens[i].start : tokens[i + n - 1].end], english))
            i += n
            continue
        token = tokens[i]
        i += 1
        stems = match_tokens(token.normal)
        if len(token.normal) <= 2 or not stems or stems[0] in _STOP or stems[0] in _FUNCTION:
            continue
        gloss = lex.gloss(token.normal)
        if gloss:
            entries.append((arabic[token.start : token.end], gloss))
    return list(dict.fromkeys(entries))


_PLACEHOLDER = re.compile(r"(?i)an?\s+(?:name|place|day|date|time|number)(?:\s+with what it counts)?\W*")


def clean(reply: str) -> str:
    """The model's reply as one line, without an echoed cue ("Answer:") or wrapping quotes, its
    long numbers grouped by thousands as English writes them.

    >>> clean("Answer: «500000 people fled by 1700»"), clean("A number.")
    ('500,000 people fled by 1700', '')
    """
    text = _CUE.sub("", " ".join(reply.split())).strip().strip("«»\"'").strip()
    if _PLACEHOLDER.fullmatch(text):  # the short answer's list of kinds, echoed ("a number")
        return ""
    return re.sub(r"(?<![\d.,])\d{5,}(?![\d.,])", lambda m: f"{int(m.group()):,}", text)


def respell(text: str, source: str, lex: Lexicon | None = None) -> str:
    """``text`` with each name the model spelled back from the Arabic ("Kabutul" for كابيتول) in the
    spelling the lexicon knows for that Arabic word ("Capitol"), when the two spell the same
    consonants: the model guessed the vowels, the lexicon has the name.

    >>> respell("Kabutul Hill", "نشرها شخص مجهول في كابيتول هيل")
    'Capitol Hill'
    """
    lex = lex or lexicon()
    tokens = {(t.start, t.end): t.normal for t in arabic_tokens(source)}
    out, last = [], 0
    for w in trace(text, source, "", lex).words:
        normal = tokens.get(w.source) if w.via == "name" and w.source else None
        known = lex.gloss(normal) if normal else None  # a capitalised gloss is a name reading
        if (
            known
            and re.fullmatch(r"[A-Z][a-z]+", known)
            and known != w.word
            and _close(latin_skeleton(known), latin_skeleton(w.word))
        ):
            out.append(text[last : w.start] + known)
            last = w.end
    return "".join(out) + text[last:]


def render(invoke: Invoke, question: str, evidence: str, lex: Lexicon | None = None) -> list[Rendering]:
    """The candidates answering ``question`` over the Arabic ``evidence``, best first."""
    plans = ["short_answer", "render_guided"] if wants_short(question) else ["render_guided", "render_english"]
    return _candidates(invoke, plans, evidence, {"evidence": evidence, "question": question}, question, lex)


def translate(invoke: Invoke, sentence: str, lex: Lexicon | None = None) -> list[Rendering]:
    """The candidate translations of an Arabic ``sentence`` (briefings), best first."""
    return _candidates(invoke, ["translate_guided", "translate_sentence"], sentence, {"sentence": sentence}, "", lex)


def _candidates(
    invoke: Invoke, plans: list[str], source: str, values: dict[str, str], question: str, lex: Lexicon | None
) -> list[Rendering]:
    """Each plan's reply, traced to ``source``; stops at the first that is checked."""
    lex = lex or lexicon()
    listing = "\n".join(f"- {ar}: {en}" for ar, en in glossary(source, lex)) or "- (none)"
    asked = _asked_spans(question, source, lex)
    candidates: list[Rendering] = []
    for name in plans:
        extra = {"glossary": listing} if "glossary" in PROMPTS[name] else {}  # the guided prompts
        text = respell(clean(invoke(name, max_tokens=MAX_TOKENS[name], **values, **extra)), source, lex)
        if text:
            candidates.append(_candidate(text, source, question, name, lex, asked))
            if candidates[-1].trace.checked and not candidates[-1].gaps:  # nothing can do better: spare a call
                break
    if question and candidates and all(c.trace.problems for c in candidates):
        # Every candidate disagrees with the quote: one more try, told what the check found.
        wrong = min(candidates, key=_rank)
        found = " ".join(_hint(p) for p in wrong.trace.problems)
        name = "render_repair"
        reply = invoke(
            name, max_tokens=MAX_TOKENS[name], glossary=listing, previous=wrong.text, problems=found, **values
        )
        text = respell(clean(reply), source, lex)
        if text:
            candidates.append(_candidate(text, source, question, name, lex, asked))
    order = {id(c): i for i, c in enumerate(candidates)}
    return sorted(candidates, key=lambda c: (*_rank(c), order[id(c)]))


def _rank(candidate: Rendering) -> tuple[int, ...]:
    """Best first: no disagreement, then nothing the question asks left out (a sentence naming
    "Greg Clark" with a word untraced says more than a checked "Greg"), then ``Trace.rank``."""
    problems, untraced, fuller = candidate.trace.rank()
    return (problems, len(candidate.gaps), untraced, int(fuller))


_ROLE = r"role: the Arabic has the (.+?) of (.+?) \(.*\), the English"
_HINTS = (
    (re.compile(_ROLE + " has .*"), r'It is the \1 of \2, not \2: write "the \1 of \2".'),
    (re.compile(_ROLE + " drops what it heads"), r'Write "\1 of \2", not only "\1".'),
    (re.compile(NEGATED_EVIDENCE), "The Arabic negates or doubts this: the answer must say so too."),
    (
        re.compile("the sentence negates or doubts, the evidence does not"),
        'The Arabic does not negate or doubt this: no "not", "no" or "never".',
    ),
    (
        re.compile(r"(?:name|number) (.+) is not in the evidence"),
        r"The Arabic sentence has no \1: leave it out, or take the glossary's word.",
    ),
    (re.compile("only repeats the question"), "It only repeats the question: say what the Arabic gives in answer."),
)


def _hint(problem: str) -> str:
    """What the check found, said to the model as what to do ("It is the envoy of Putin, not Putin:
    write "the envoy of Putin"."); a problem without a hint is passed as it is."""
    for pattern, hint in _HINTS:
        if pattern.fullmatch(problem):
            return pattern.sub(hint, problem)
    return problem.replace("the English", "the answer").replace("the evidence", "the Arabic") + "."


def _candidate(
    text: str, source: str, question: str, prompt: str, lex: Lexicon, asked: frozenset[tuple[int, int]] | None
) -> Rendering:
    """The candidate, traced to ``source``, with what it leaves out of the question's ask
    (``asked``: see ``_asked_spans``)."""
    traced = _checked(text, source, question, lex)
    gaps: tuple[str, ...] = ()
    # A title or a gloss ("Wazir", "CEO") is no answer to who: a word must trace by its spelling
    # to a name, and not to one the question gives. A capitalised gloss is not enough: "Edward"
    # ← إدوارد through the lexicon, a middle name, passed as an answer.
    if asked is not None and not any(w.via == "name" and w.source not in asked for w in traced.words):
        gaps += (WHO_UNNAMED,)
    if question and prompt == "short_answer":
        gaps += tuple(partial(traced.words, source, lex))
    return Rendering(text, traced, prompt, gaps)


def _asked_spans(question: str, source: str, lex: Lexicon) -> frozenset[tuple[int, int]] | None:
    """For a question asking who, the spans of ``source`` its own words trace to ("Simpson" does
    not answer "Who is Simpson's lawyer?"); None for other questions, and for "Who is X?", which
    asks what X is and needs no other name. Once per quote, not per candidate."""
    if not re.match(r"\s*(?:and\s+)?(?:who|whom|whose)\b", question, re.I) or _IDENTITY.match(question):
        return None
    return frozenset(w.source for w in traced_words(question, source, lex) if w.source)


# "Who is Kirill Dmitriev?": the answer says who that person is.
_IDENTITY = re.compile(r"\s*(?i:who\s+(?:is|was|are|were))\s+[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*\s*\??\s*$")


def _checked(text: str, source: str, question: str, lex: Lexicon) -> Trace:
    """The candidate's trace to ``source``; a candidate made only of the question's words disagrees."""
    traced = trace(text, source, question, lex)
    if question and restates(text, question):
        traced = Trace(traced.english, traced.words, (*traced.problems, "only repeats the question"))
    return traced
