"""One run of the answer pipeline: what it gathers (the question's readings, passages, timings,
tokens, removed sentences) and the ``Answer`` it builds, an abstention included (``Refusal``: why,
in English and Arabic, with the near miss it may quote).

Deliberately not here: the pipeline's stages (``answering.answerer``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

from assistant.answering.evidence import Evidence
from assistant.answering.question import asked_question, joined_question
from assistant.records import Answer, AnswerSentence, Citation, Passage
from assistant.text.arabic import language_of


@dataclass(frozen=True)
class Refusal:
    """Why an answer abstains, in English and in Arabic (the question's language is shown), and
    the near miss it may quote: a sentence on what was asked that lacks the asked fact."""

    en: str
    ar: str
    near: Evidence | None = None
    en_missing: str = "answer"  # what a near miss lacks: "The articles give no number; what they say: …"
    ar_missing: str = "إجابة"


NOTHING_MATCHES = Refusal("nothing in the articles matches it", "لا شيء في المقالات يطابقه")
NO_NUMBER = Refusal("no passage gives that number", "لا يذكر أي مقطع هذا الرقم", None, "number", "هذا الرقم")
AMBIGUOUS = Refusal(
    "no passage answers it clearly (two fit about equally well)",
    "لا يجيب عنه مقطع بوضوح (يناسبه مقطعان بالقدر نفسه تقريبًا)",
)
NO_ANSWER = Refusal("no passage answers it", "لا يجيب عنه أي مقطع")


@dataclass
class Work:
    """What one run gathers before its ``Answer`` is built: the question's readings, the passages,
    stage timings, token counts and the sentences the checks removed."""

    question: str
    standalone: str
    backend: str
    passages: list[Passage] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    clock: float = field(default_factory=time.perf_counter)

    # Read once per run: the gates, the writing and the answer all consult them.
    @cached_property
    def lang(self) -> str:
        return language_of(self.question)

    @cached_property
    def asked(self) -> str:
        return asked_question(self.question, self.standalone)

    @cached_property
    def read_with(self) -> str | None:
        return joined_question(self.question, self.standalone)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self.clock, 4)
        self.clock = now

    def answer(self, sentences: list[AnswerSentence], citations: list[Citation]) -> Answer:
        return self._build(text="\n".join(s.text for s in sentences), sentences=sentences, citations=citations)

    def abstention(self, refusal: Refusal) -> Answer:
        if self.lang == "ar":
            text = f"لا تذكر المقالات إجابة عن هذا السؤال ({refusal.ar})."
        else:
            text = f"The articles don't say: {refusal.en}."
        near = refusal.near
        if near is None:
            return self._build(text=text, sentences=[], citations=[], abstained=True)
        # The articles hold the topic, not the asked fact: say what they do say, cited, still abstaining.
        if self.lang == "ar":
            text = f"لا تذكر المقالات {refusal.ar_missing}؛ ما تذكره:"
        else:
            text = f"The articles give no {refusal.en_missing}; what they say:"
        quote = AnswerSentence(near.text, "quote", (1,))
        citation = Citation(1, near.passage, near.text, near.start, near.end)
        return self._build(text=f"{text}\n{quote.text}", sentences=[quote], citations=[citation], abstained=True)

    def _build(
        self, *, text: str, sentences: list[AnswerSentence], citations: list[Citation], abstained: bool = False
    ) -> Answer:
        return Answer(
            question=self.question,
            standalone_question=self.standalone,
            text=text,
            sentences=sentences,
            citations=citations,
            passages=self.passages,
            abstained=abstained,
            backend=self.backend,
            lang=self.lang,
            read_with=self.read_with,
            timings=self.timings,
            removed=self.removed,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
        )
