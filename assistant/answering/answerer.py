"""Grounded answers: condense → retrieve → evidence sentences → choose → write → verify → Answer.

Evidence first. The retrieved passages are cut into sentences (offsets kept), ranked against
the question, and numbered. The model (or, for the extractive backend, the ranking) chooses
the sentence that answers; the code then checks everything it says:

- the chosen sentence is always quoted verbatim, with its offsets, as citation ``[1]``;
- an answer written in the evidence's language must be supported by it (its words found in the
  quote, no foreign number or name) to be *verified*; otherwise the quote stands alone;
- an answer in another language (English over Arabic) cannot be checked word by word: it is a
  *draft*, shown marked "Draft translation, unverified:", beside its quote, and removed if it
  contradicts the quote (numbers, names);
- the answer abstains ("The articles don't say …") when a name or number the question is
  about appears in no evidence sentence, when nothing was retrieved, or when the model says no
  sentence answers.

The pipeline is a sequence of gates, each returning an abstention (a ``Refusal``) or nothing.

Deliberately not here: reading the question (``answering.question``), retrieval
(``retrieval.search``), cutting, embedding and ranking the evidence sentences (``answering.evidence``),
model loading (``models.chat``), prompt text (``prompts/``).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.evidence import (
    Evidence,
    SentenceVectorStore,
    evidence_sentences,
    passage_margin,
    rank_evidence,
)
from assistant.answering.names import numbers_in
from assistant.answering.question import (
    asked_speaker,
    asks_for_a_number,
    condense,
    counted_words,
    mentions,
    missing_terms,
    quantity_focus,
    speaks,
)
from assistant.answering.rendering import render, unheld, wants_short
from assistant.answering.run import AMBIGUOUS, NO_ANSWER, NO_NUMBER, NOTHING_MATCHES, Refusal, Work
from assistant.answering.tracing import traced_terms
from assistant.answering.verification import contradictions, copy_spelling, restates, support
from assistant.models.embedding import Embedder
from assistant.models.prompts import load_prompts
from assistant.records import (
    UNTRACED_NOTE,
    AnswerEvent,
    AnswerSentence,
    AnswerStreamEvent,
    Citation,
    Passage,
    StatusEvent,
    TokenEvent,
)
from assistant.retrieval.search import HybridSearcher
from assistant.settings import AnswerSettings
from assistant.storage.chroma import Filters
from assistant.text.arabic import language_of

# Share of a same-language answer sentence's content words its quote must hold to be verified.
# A lower bar let an answer that restated the question around the wrong quote pass; this one
# keeps such answers out (docs/design.md).
VERIFIED_SUPPORT = 0.85
OVERRULE_NONE = 0.6  # share of an Arabic question's words in the best sentence that outweighs the model's "none"


class Answerer:
    """Runs the answer pipeline for one assistant (shared by all its conversations)."""

    def __init__(
        self,
        *,
        searcher: HybridSearcher,
        embedder: Embedder,
        chat_model: BaseChatModel | None,
        backend: str,
        settings: AnswerSettings,
    ) -> None:
        self.searcher = searcher
        self.embedder = embedder
        self.chat_model = chat_model
        self.backend = backend
        self.settings = settings
        self.prompts = load_prompts()
        self.article_text = searcher.catalog.article_text
        self.sentence_vectors = SentenceVectorStore(embedder, searcher.catalog)

    # -- model calls -------------------------------------------------------------------

    def _invoke(
        self, name: str, work: Work, grammar: str | None = None, max_tokens: int | None = None, **values: str
    ) -> str:
        assert self.chat_model is not None
        kwargs: dict[str, Any] = {"grammar": grammar} if grammar and self.backend == "local" else {}
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
        message = self.chat_model.invoke(self.prompts[name].messages(**values), **kwargs)
        usage = getattr(message, "usage_metadata", None) or {}
        work.tokens_in += int(usage.get("input_tokens", 0))
        work.tokens_out += int(usage.get("output_tokens", 0))
        return str(message.content).strip()

    def _stream(self, name: str, work: Work, **values: str) -> Iterator[str]:
        assert self.chat_model is not None
        for chunk in self.chat_model.stream(self.prompts[name].messages(**values)):
            work.tokens_out += 1
            yield str(chunk.content)

    def _choose(self, question: str, evidence: list[Evidence], work: Work) -> int:
        """1-based index of the answering sentence, 0 for none."""
        if self.chat_model is None:
            return 1
        listing = "\n".join(f"[{i}] {e.text}" for i, e in enumerate(evidence, start=1))
        grammar = "root ::= " + " | ".join(f'"{i}"' for i in range(len(evidence) + 1))
        reply = self._invoke("choose_sentence", work, grammar=grammar, sentences=listing, question=question)
        match = re.search(r"\d+", reply)
        choice = int(match.group()) if match else 0
        return choice if 0 <= choice <= len(evidence) else 0

    # -- the pipeline ------------------------------------------------------------------

    def ranked_sentences(self, asked: str, passages: list[Passage], **weights: float) -> list[Evidence]:
        """The passages' candidate sentences, best first, for ``asked`` (see ``asked_question``;
        ``weights``: see ``rank_evidence``)."""
        candidates = evidence_sentences(passages)
        # Usually the vector the search has just made (the searcher remembers it).
        query_vector = self.searcher.query_vector(asked)
        vectors = self.sentence_vectors.vectors(candidates)
        return rank_evidence(asked, query_vector, candidates, vectors, passages, **weights)

    def run(
        self, question: str, history: list[str] | None = None, filters: Filters | None = None
    ) -> Iterator[AnswerStreamEvent]:
        """Status and token events as work proceeds, then one ``AnswerEvent``."""
        work = Work(question, condense(question, history or []), self.backend)
        work.lap("condense")
        yield StatusEvent("retrieving", question=work.standalone)
        work.passages = self.searcher.search(work.standalone, self.settings.passages, filters)
        work.lap("retrieve")
        evidence = self.ranked_sentences(work.asked, work.passages)[: self.settings.evidence_sentences]
        work.lap("evidence")
        refusal = NOTHING_MATCHES if not evidence else self._names_gate(work)
        if refusal is None:
            evidence, refusal = self._number_gate(work, evidence)
        if refusal is None:
            refusal = self._ambiguity_gate(work, evidence)
        if refusal is None and self._model_reads_first(work, evidence):
            yield StatusEvent("checking", candidates=len(evidence))
            refusal = self._model_none_gate(work, evidence)
        if refusal is not None:
            yield AnswerEvent(work.abstention(refusal))
            return
        work.lap("choose")
        chosen = evidence[0]
        citation = Citation(1, chosen.passage, chosen.text, chosen.start, chosen.end)
        quote = AnswerSentence(chosen.text, "quote", (1,))
        if self.chat_model is not None and work.lang == "en" and language_of(chosen.text) == "ar":
            sentences = yield from self._render(work, chosen, quote)
        else:
            written = yield from self._write(work, chosen)
            work.lap("generate")
            sentences = self._verify(work, written, chosen.text, language_of(chosen.text) == work.lang, quote)
        work.lap("verify")
        yield AnswerEvent(work.answer(sentences, [citation]))

    # -- gates: each returns why the answer abstains, or None -----------------------------

    def _names_gate(self, work: Work) -> Refusal | None:
        """A name or number the question is about that no article of the passages mentions."""
        # Names are looked for in the whole articles the passages come from: a passage may say
        # "the Russian president" where its article names Putin two lines above.
        articles = {p.article_id: self.article_text(p.article_id) or p.text for p in work.passages}
        missing = missing_terms(work.standalone, list(articles.values()))
        if not missing:
            return None
        work.lap("verify")
        names = ", ".join(missing)
        return Refusal(f"no article mentions {names}", f"لم يرد ذكر {names}")

    def _number_gate(self, work: Work, evidence: list[Evidence]) -> tuple[list[Evidence], Refusal | None]:
        """For a quantity question, the evidence narrowed to the sentences that can give the number."""
        if not asks_for_a_number(work.standalone):
            return evidence, None
        # The number must come from one of the few most relevant sentences: any sentence of a
        # news article has some number, so searching further answers what was not asked.
        # And when the question names what is counted (كم عدد المجندين), the passage giving the
        # number names it too: a number about something else does not answer it. The passage,
        # not the sentence: a sentence may say it another way (سكتان for السكك), so a sentence-level
        # test refuses answerable questions.
        # An English question over Arabic text: the sentence giving the number must hold what is
        # counted, traced through the lexicon ("How much money …" is not answered by "3,000 products").
        focus = quantity_focus(work.standalone)
        counted = counted_words(work.standalone)[-1:] if work.lang == "en" else []

        def about(e: Evidence) -> bool:
            if focus is not None and not mentions(focus, e.passage.text):
                return False
            return not counted or language_of(e.text) != "ar" or bool(traced_terms(counted[0], e.text))

        nearby = [e for e in evidence[: self.settings.number_depth] if about(e)]
        with_number = [e for e in nearby if numbers_in(e.text)]
        if with_number:
            return with_number, None
        # A sentence about what the question counts, without a number, is quoted as a near miss:
        # "How many conscripts?" over "Russia announced its largest call-up of conscripts in years".
        named = focus is not None or bool(counted)
        return [], (replace(NO_NUMBER, near=nearby[0]) if named and nearby else NO_NUMBER)

    def _ambiguity_gate(self, work: Work, evidence: list[Evidence]) -> Refusal | None:
        """Without a model, a near tie between two passages is left unresolved rather than cited at
        random (see ``passage_margin``)."""
        if self.chat_model is not None:
            return None
        margin = passage_margin(evidence)
        if margin is not None and margin < self.settings.ambiguity_margin:
            work.lap("choose")
            return AMBIGUOUS
        return None

    def _model_reads_first(self, work: Work, evidence: list[Evidence]) -> bool:
        """Whether the model is asked if any sentence answers: Arabic questions over Arabic evidence."""
        # The best-ranked sentence is quoted: the ranking finds the answering sentence more often
        # than the small model's own pick. The model is asked only whether any sentence answers an
        # Arabic question ("0": none), which it reads well; for English questions over Arabic text
        # its "none" was wrong for answerable questions.
        return work.lang == "ar" and language_of(evidence[0].text) == "ar"

    def _model_none_gate(self, work: Work, evidence: list[Evidence]) -> Refusal | None:
        """The model says no sentence answers, unless the best sentence holds most of the question's
        words, or is the words of the person the question asks about ("ماذا قال روبيو …؟" over a
        statement of Rubio's: his words are the answer, whatever the model reads)."""
        # The model's "none" is overruled when the best sentence holds most of the question's own
        # words: it says "none" to some answerable questions whose words the sentence holds.
        said_none = self._choose(work.standalone, evidence, work) == 0
        if not said_none or support(work.asked, evidence[0].text) >= OVERRULE_NONE:
            return None
        speaker = asked_speaker(work.standalone)
        if speaker and speaks(speaker, evidence[0].text):
            return None
        work.lap("choose")
        return NO_ANSWER

    # -- writing and checking ------------------------------------------------------------

    def _write(self, work: Work, chosen: Evidence) -> Generator[AnswerStreamEvent, None, str]:
        """Stream the model's sentence (nothing without a model); returns what it wrote."""
        if self.chat_model is None:
            return ""
        yield StatusEvent("writing")
        name = "answer_arabic" if work.lang == "ar" else "render_english"
        written = ""
        for token in self._stream(name, work, evidence=chosen.text, question=work.standalone):
            written += token
            yield TokenEvent(token)
        # Small models echo the prompt's cue ("الجواب:", "Answer:"): not part of the answer.
        cue = r"^\s*(الجواب|الإجابة|answer( in english)?)\s*[:：]\s*"
        return re.sub(cue, "", " ".join(written.split()), flags=re.I)

    def _render(self, work: Work, chosen: Evidence, quote: AnswerSentence) -> Generator[StatusEvent, None, list]:
        """An English answer over an Arabic quote: lexicon-guided candidates, the best-traced kept.
        Nothing streams: a rendering is shown once traced, checked or marked as a draft."""
        yield StatusEvent("rendering", quote=chosen.text)
        candidates = render(lambda name, **values: self._invoke(name, work, **values), work.standalone, chosen.text)
        work.lap("generate")
        if not candidates:
            return [quote]
        best = candidates[0]
        problems = best.trace.problems  # among them a rendering that only repeats the question
        if problems:
            work.removed.append(f"{best.text} ({'; '.join(problems)})")
            return [quote]
        repaired = best.prompt == "render_repair"
        missing = unheld(work.standalone, chosen.text) if wants_short(work.standalone) else []
        if best.trace.checked and not best.gaps and not repaired and not missing:
            return [AnswerSentence(best.text, "checked", (1,), (), best.trace.words), quote]
        notes: tuple[str, ...] = (UNTRACED_NOTE + ", ".join(best.trace.untraced),) if best.trace.untraced else ()
        notes += best.gaps
        if missing:
            notes += (f"the quote does not hold the question's {', '.join(missing)}",)
        if repaired:  # the answers the check found wrong are shown as removed
            notes += ("rewritten by the model after the check removed its first answer",)
            first = next(c for c in candidates if c.prompt != "render_repair")
            work.removed.append(f"{first.text} ({'; '.join(first.trace.problems)})")
        return [AnswerSentence(best.text, "draft", (1,), notes, best.trace.words), quote]

    def _verify(
        self, work: Work, written: str, evidence: str, same_language: bool, quote: AnswerSentence
    ) -> list[AnswerSentence]:
        if not written:
            return [quote]
        if same_language and work.lang == "ar":
            written = copy_spelling(written, evidence, work.standalone)
        problems = contradictions(written, evidence, work.standalone)
        if not problems and restates(written, work.standalone):
            # An answer made of the question's own words would verify without saying anything.
            problems = ["only repeats the question"]
        if problems:
            work.removed.append(f"{written} ({'; '.join(problems)})")
            return [quote]
        if same_language:
            if support(written, evidence) >= VERIFIED_SUPPORT:
                return [AnswerSentence(written, "verified", (1,)), quote]
            work.removed.append(f"{written} (not supported by the quote)")
            return [quote]
        return [AnswerSentence(written, "draft", (1,), ("rendered by the model",)), quote]
