"""The ``Briefer``: one page over many articles, every line traceable to a quoted sentence.

It selects the articles (a topic search, or ids, or all, within dates), folds near-duplicates
into one, and reads each article by rules, one method per section:

- **Who said what**: speech attribution (``attribution``): speaker, the verbatim clause, direct
  or reported.
- **Summary**: the lead sentences of the most relevant articles (news leads summarise), then
  the next sentences, skipping near-repeats.
- **Timeline**: sentences with a date expression (``dates``), resolved against the article's date
  when it is known and left relative when it is not.
- **Disputed or uncertain** and **open questions**: sentences with cue words (denial,
  accusation, doubt; "not yet clear", "whether", "will").

Every item quotes a sentence (or clause) verbatim, with offsets checked against the article
text, and cites the passage (chunk) that holds it. With a language model, Arabic quotes in an
English briefing get a rendering, kept only when code finds no contradiction with the quote and
always marked as an unverified draft; without one (the extractive backend) the quote stands
alone.

Deliberately not here: abstractive summaries written by the model (the small offline model
invents facts, see DESIGN.md) and clustering by embeddings (near-duplicates are found by
shared word shingles, which is what syndicated copies share).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.rendering import Rendering, translate
from assistant.briefing.citing import Citer
from assistant.briefing.dates import resolve_when
from assistant.briefing.document import SECTIONS, Briefing, Event, Point, Statement
from assistant.briefing.rules import (
    DISPUTE_CUES,
    OPEN_CUES,
    fold_duplicates,
    has_cue,
    listed_for,
    similar,
)
from assistant.briefing.topic import TopicMatch, match_topic, no_match_reason, topic_words
from assistant.errors import NoArticleMatchesError, SettingsError
from assistant.models.prompts import load_prompts
from assistant.retrieval.search import HybridSearcher
from assistant.retrieval.stories import StoryIndex
from assistant.settings import BriefingSettings
from assistant.storage.catalog import ArticleInfo, Catalog
from assistant.storage.chroma import Filters
from assistant.text.arabic import language_of, normalize_for_matching, sentence_spans
from assistant.text.attribution import PEOPLE, Attribution, attribute_sentences
from assistant.text.injection import looks_like_instructions

_QUOTE_MARKS = '"«“”»'


@dataclass
class _Sentence:
    article: ArticleInfo
    order: int  # the article's rank in the selection
    position: int  # sentence index in the article
    start: int
    end: int
    text: str


class _Laps:
    """Seconds per stage (the briefing's ``timings``)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self._clock, 3)
        self._clock = now


class Briefer:
    """Builds briefings over the catalog; ``chat_model`` (None: extractive) renders quotes that are
    not in the briefing's language, and ``backend`` names it in the document."""

    def __init__(
        self,
        *,
        searcher: HybridSearcher,
        catalog: Catalog,
        chat_model: BaseChatModel | None,
        settings: BriefingSettings,
        backend: str,
        stories: StoryIndex | None = None,
    ) -> None:
        self.stories = stories  # articles of one story fold into one, citing every outlet
        self.searcher = searcher
        self.catalog = catalog
        self.chat_model = chat_model
        self.settings = settings
        self.backend = backend

    def build(
        self,
        topic: str | None = None,
        scope: Filters | None = None,
        *,
        language: str = "en",
        max_articles: int | None = None,
        max_rendered: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Briefing:
        """The briefing (see the module docstring) on ``topic`` (None: every article in ``scope``) over the
        articles ``scope`` admits (its article ids, in their order, or all); caps default to the settings.
        ``progress`` is told each step as it starts."""
        if language not in ("en", "ar"):
            raise SettingsError(f"language must be 'en' or 'ar'; got {language!r}")
        max_articles = self.settings.max_articles if max_articles is None else max_articles
        if max_articles < 1:
            raise SettingsError(f"max_articles must be at least 1; got {max_articles}")
        say = progress or (lambda message: None)
        laps = _Laps()
        say("finding the articles that match the topic" if topic else "choosing the articles")
        selected, matches = self._select(topic, scope or Filters(), max_articles)
        texts = {a.article_id: self.catalog.article_text(a.article_id) or "" for a in selected}
        stories = [self.stories.story_of(a.article_id) if self.stories else None for a in selected]
        kept = fold_duplicates([texts[a.article_id] for a in selected], self.settings.duplicate_overlap,
                               [s.id if s else None for s in stories])  # fmt: skip
        merged = len(selected) - len(kept)
        selected = [selected[i] for i in kept]
        laps("select")
        citer = Citer(self.catalog, texts, self.stories)
        briefing = Briefing(topic, language, self.backend, selected, merged_duplicates=merged, timings=laps.timings)
        briefing.topic_words = tuple(topic_words(topic)) if topic else ()
        briefing.lacks = {a.article_id: matches[a.article_id].missing for a in selected if a.article_id in matches}
        say(f"reading {len(selected)} article{'s' if len(selected) != 1 else ''}")
        per_article = self._sentences(selected, texts, briefing)
        briefing.statements = self._statements(per_article, citer)
        laps("statements")
        briefing.summary = self._summary(per_article, citer)
        laps("summary")
        self._dated_and_cued(per_article, citer, briefing)
        laps("timeline")
        _renumber(briefing)
        self._render(briefing, self.settings.max_rendered if max_rendered is None else max_rendered, say)
        laps("render")
        return briefing

    # -- selection -----------------------------------------------------------------------

    def _select(
        self, topic: str | None, scope: Filters, max_articles: int
    ) -> tuple[list[ArticleInfo], dict[str, TopicMatch]]:
        infos = {a.article_id: a for a in self.catalog.articles()}
        if scope.article_ids:
            unknown = [a for a in scope.article_ids if a not in infos]
            if unknown:
                raise SettingsError(
                    f"No ingested article has the id {unknown[0]!r}; `briefing sources --json` lists them."
                )
            pool = [infos[a] for a in scope.article_ids]
        else:
            pool = list(infos.values())
        pool = [a for a in pool if scope.admits(a)]
        if not pool:
            raise SettingsError("No article matches: ingest articles first, or widen the dates or the article list.")
        matches: dict[str, TopicMatch] = {}
        if topic:
            allowed = tuple(a.article_id for a in pool) if scope.article_ids else ()
            pool, matches = self._on_topic(topic, pool, infos, replace(scope, article_ids=allowed), max_articles)
        else:
            pool.sort(key=lambda a: (a.published is None, -(a.published.toordinal() if a.published else 0)))
        return pool[:max_articles], matches

    def _on_topic(
        self, topic: str, pool: list[ArticleInfo], infos: dict[str, ArticleInfo], filters: Filters, max_articles: int
    ) -> tuple[list[ArticleInfo], dict[str, TopicMatch]]:
        """The articles of ``pool`` that match ``topic``, best first, and how each matches. Candidates:
        a passage close to the best passage's similarity, or found by the topic's words; of those, the
        ones holding the topic's names and most of its words (``topic.match_topic``)."""
        k = min(self.settings.topic_passages, self.settings.passages_per_article * max_articles)
        passages, trace = self.searcher.search_traced(topic, k, filters)
        dense = dict(trace.dense)
        lexical = {cid for cid, _ in trace.lexical} if trace.lexical_weight > 0 else set()
        floor = max(dense.values(), default=0.0) - self.settings.topic_margin
        candidates: list[ArticleInfo] = []
        for p in passages:
            info = infos.get(p.article_id)
            on_topic = dense.get(p.chunk_id, -1.0) >= floor or p.chunk_id in lexical
            if info is not None and info in pool and info not in candidates and on_topic:
                candidates.append(info)
        matches = {
            a.article_id: match_topic(topic, a.title, self.catalog.article_text(a.article_id) or "") for a in candidates
        }
        ranked = [a for a in candidates if matches[a.article_id].matches]
        if not ranked:
            raise NoArticleMatchesError(topic, no_match_reason(topic, [matches[a.article_id] for a in candidates]))
        return ranked, {a.article_id: matches[a.article_id] for a in ranked}

    @staticmethod
    def _sentences(selected: list[ArticleInfo], texts: dict[str, str], briefing: Briefing) -> list[list[_Sentence]]:
        """Each article's sentences, without a repeated title and without text addressed to an assistant
        (never quoted; counted on the briefing)."""
        per_article: list[list[_Sentence]] = []
        for order, article in enumerate(selected):
            text = texts[article.article_id]
            sentences = []
            for position, (s, e) in enumerate(sentence_spans(text)):
                sentence = text[s:e]
                if position == 0 and normalize_for_matching(sentence.strip()) == normalize_for_matching(article.title):
                    continue
                if looks_like_instructions(sentence):
                    briefing.suspected_injections += 1
                    continue
                sentences.append(_Sentence(article, order, position, s, e, sentence))
            per_article.append(sentences)
        return per_article

    # -- sections ------------------------------------------------------------------------

    def _statements(self, per_article: list[list[_Sentence]], citer: Citer) -> list[Statement]:
        """Who said what: known people and speakers heard in several articles first, a few lines each."""
        found: list[tuple[Attribution, _Sentence]] = []
        for sentences in per_article:
            for attribution in attribute_sentences([s.text for s in sentences]):
                found.append((attribution, sentences[attribution.index]))
        counts = Counter(speaker for a, _ in found for speaker in a.speakers)
        seen_quotes: set[str] = set()
        statements: list[Statement] = []
        for attribution, sentence in sorted(found, key=lambda x: (x[1].order, -counts[x[0].speakers[0]])):
            citation = citer.sentence(sentence, attribution.start, attribution.end)
            if citation is None or normalize_for_matching(citation.quote) in seen_quotes:
                continue
            seen_quotes.add(normalize_for_matching(citation.quote))
            for speaker in attribution.speakers:
                statements.append(
                    Statement(speaker, "", citation.quote, citation, attribution.reported, False,
                              attribution.speaker_original)
                )  # fmt: skip
        # Group by speaker (most quoted first), keeping the article order within a speaker.
        speaker_rank = {s: i for i, (s, _) in enumerate(counts.most_common())}
        statements.sort(key=lambda st: speaker_rank.get(st.speaker, len(speaker_rank)))
        articles_of: dict[str, set[str]] = {}
        for st in statements:
            articles_of.setdefault(st.speaker, set()).add(st.citation.passage.article_id)
        statements.sort(
            key=lambda st: (st.speaker not in PEOPLE, -len(articles_of[st.speaker]), speaker_rank[st.speaker])
        )
        per_speaker: Counter[str] = Counter()
        capped: list[Statement] = []
        for statement in statements:
            per_speaker[statement.speaker] += 1
            if per_speaker[statement.speaker] <= self.settings.per_speaker and len(capped) < self.settings.statements:
                capped.append(statement)
        return capped

    def _summary(self, per_article: list[list[_Sentence]], citer: Citer) -> list[Point]:
        """Leads first: every article's lead, then every article's second sentence, and so on."""
        leads = [[s for s in sentences if len(s.text.split()) >= 8 and s.text.strip()[:1] not in _QUOTE_MARKS]
                 for sentences in per_article]  # fmt: skip
        candidates = [article[i] for i in range(3) for article in leads if i < len(article)]
        summary: list[Point] = []
        for sentence in candidates:
            if len(summary) >= self.settings.summary_points:
                break
            if any(similar(sentence.text, p.quote) for p in summary):
                continue
            citation = citer.sentence(sentence)
            if citation:
                summary.append(Point("", citation.quote, citation, False))
        return summary

    def _dated_and_cued(self, per_article: list[list[_Sentence]], citer: Citer, briefing: Briefing) -> None:
        """The timeline, the disputed points and the open questions, in one pass over the sentences."""
        caps = self.settings
        summary_quotes = {p.quote for p in briefing.summary}
        for sentences in per_article:
            for sentence in sentences:
                when = resolve_when(sentence.text, sentence.article.published)
                if when is not None and len(briefing.timeline) < caps.timeline_candidates:
                    citation = citer.sentence(sentence)
                    if citation:
                        briefing.timeline.append(Event(*when, "", citation.quote, citation, False))
                if has_cue(sentence.text, DISPUTE_CUES) and len(briefing.disputed) < caps.disputed_points:
                    citation = citer.sentence(sentence)
                    why = listed_for(citation.quote, DISPUTE_CUES) if citation else ""
                    if citation and why and citation.quote not in summary_quotes:
                        briefing.disputed.append(Point("", citation.quote, citation, False, why=why))
                elif has_cue(sentence.text, OPEN_CUES) and len(briefing.open_questions) < caps.open_questions:
                    citation = citer.sentence(sentence)
                    why = listed_for(citation.quote, OPEN_CUES) if citation else ""
                    if citation and why and citation.quote not in summary_quotes:
                        briefing.open_questions.append(Point("", citation.quote, citation, False, why=why))
        briefing.timeline.sort(key=lambda ev: (ev.date is None, ev.date or date.min, ev.citation.quote_start))
        briefing.timeline = briefing.timeline[: caps.timeline_points]

    # -- rendering -----------------------------------------------------------------------

    def _render(self, briefing: Briefing, budget: int, say: Callable[[str], None]) -> None:
        """Fill in ``text``: the quote itself when it is in the briefing's language (verified), a
        checked draft from the model for the first ``budget`` other items, else nothing."""
        arabic = briefing.language == "ar"
        model = self.chat_model if briefing.language == "en" else None
        rendered: dict[str, Rendering | None] = {}
        quotes = {x.quote for name in _RENDER_ORDER for x in getattr(briefing, name)}
        total = min(budget, sum((language_of(q) == "ar") != arabic for q in quotes)) if model is not None else 0

        def invoke(name: str, max_tokens: int | None = None, **values: str) -> str:
            assert model is not None
            kwargs: dict[str, Any] = {"max_tokens": max_tokens} if max_tokens else {}
            return str(model.invoke(load_prompts()[name].messages(**values), **kwargs).content)

        def render(quote: str) -> dict[str, Any]:
            if (language_of(quote) == "ar") == arabic:
                return {"text": quote, "verified": True}
            if model is None or (quote not in rendered and len(rendered) >= budget):
                return {"text": "", "verified": False}
            if quote not in rendered:  # lexicon-guided, traced word by word; a contradiction is dropped
                say(f"rendering quote {len(rendered) + 1} of {total} in English (a model call each)")
                candidates = translate(invoke, quote)
                kept = candidates[0] if candidates and not candidates[0].trace.problems else None
                rendered[quote] = kept
                briefing.renderings["asked"] += 1
                briefing.renderings["kept" if kept else "dropped"] += 1
                briefing.renderings["checked"] += bool(kept and kept.trace.checked)
            best = rendered[quote]
            if best is None:
                return {"text": "", "verified": False}
            return {
                "text": best.text,
                "verified": False,
                "checked": best.trace.checked,
                "untraced": tuple(best.trace.untraced),
            }

        for name in _RENDER_ORDER:
            updated: list[Any] = []
            for x in getattr(briefing, name):
                updated.append(replace(x, **render(x.quote)))
            setattr(briefing, name, updated)


# The order quotes are rendered in, so the budget goes to statements first.
_RENDER_ORDER = ("statements", "summary", "disputed", "open_questions", "timeline")


def _renumber(briefing: Briefing) -> None:
    """Number citations in reading order: [1] is the first one the reader meets."""
    numbers: dict[int, int] = {}
    for name in SECTIONS:
        items = getattr(briefing, name)
        for x in items:
            numbers.setdefault(x.citation.n, len(numbers) + 1)
        setattr(briefing, name, [replace(x, citation=replace(x.citation, n=numbers[x.citation.n])) for x in items])
