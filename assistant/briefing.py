"""Briefings: one page over many articles, every line traceable to a quoted sentence.

``build_briefing`` (behind ``Assistant.brief``) selects the articles (a topic search, or ids,
or all, within dates), folds near-duplicates into one, and reads each article by rules:

- **Summary**: the lead sentences of the most relevant articles (news leads summarise), then
  the next sentences of the top article, skipping near-repeats; 3–6 points.
- **Who said what**: speech attribution (``attribution``): speaker, the verbatim clause, direct
  or reported.
- **Timeline**: sentences with a date expression; weekdays, "yesterday", "last week" … are
  resolved against the article's date when it is known and left relative when it is not.
- **Disputed or uncertain** and **open questions**: sentences with cue words (denial,
  accusation, doubt; "not yet clear", "whether", "will").

Every item quotes a sentence (or clause) verbatim, with offsets checked against the article
text, and cites the passage (chunk) that holds it. With a language model, Arabic quotes in an
English briefing get a rendering, kept only when code finds no contradiction with the quote and
always marked as an unverified draft; without one (the extractive backend) the quote stands
alone. Exports: ``to_markdown``, ``to_html`` (escaped, right-to-left aware), ``to_dict``.

Deliberately not here: abstractive summaries written by the model (the small offline model
invents facts, see DESIGN.md) and clustering by embeddings (near-duplicates are found by
shared word shingles, which is what syndicated copies share).
"""

from __future__ import annotations

import html
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.arabic import arabic_share, normalize_for_matching, sentence_spans
from assistant.attribution import PEOPLE, attribute_sentences
from assistant.catalog import ArticleInfo, ChunkRow
from assistant.errors import SettingsError
from assistant.injection import looks_like_instructions
from assistant.records import Citation, Passage
from assistant.verification import content_tokens, contradictions

DRAFT = "Draft translation, unverified"
# An article is on topic when one of its passages is this close (cosine) to the best one.
TOPIC_MARGIN = 0.04
_QUOTE_MARKS = '"«“”»'
WEEKDAYS_AR = {"الاثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5, "الاحد": 6}
WEEKDAYS_EN = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
MONTHS_AR = {
    "يناير": 1, "كانون الثاني": 1, "فبراير": 2, "شباط": 2, "مارس": 3, "اذار": 3, "ابريل": 4, "نيسان": 4,
    "مايو": 5, "ايار": 5, "يونيو": 6, "حزيران": 6, "يوليو": 7, "تموز": 7, "اغسطس": 8, "اب": 8,
    "سبتمبر": 9, "ايلول": 9, "اكتوبر": 10, "تشرين الاول": 10, "نوفمبر": 11, "تشرين الثاني": 11,
    "ديسمبر": 12, "كانون الاول": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS_AR, key=len, reverse=True))
_ABSOLUTE = re.compile(rf"(?:^|\s)(\d{{1,2}})\s+({_MONTH_ALT})(?:\s+(\d{{4}}))?")
# Relative time words: (kind, Arabic pattern on normalised text, English pattern on lower case).
_RELATIVE = [
    ("weekday", r"(?:يوم\s+)?(ال(?:اثنين|ثلاثاء|اربعاء|خميس|جمعه|سبت|احد))(?=\s|$|[،,.])",
     r"\b(?:on\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
    ("yesterday", r"(امس)(?=\s|$|[،,.])", r"\b(yesterday)\b"),
    ("last week", r"(الاسبوع الماضي)", r"\b(last week)\b"),
    ("this week", r"(هذا الاسبوع)", r"\b(this week)\b"),
    ("last month", r"(الشهر الماضي)", r"\b(last month)\b"),
    ("this year", r"(هذا العام|العام الحالي)", r"\b(this year)\b"),
    ("last year", r"(العام الماضي)", r"\b(last year)\b"),
]  # fmt: skip
_RELATIVE_AR = [(re.compile(r"(?:^|\s)" + arabic), kind) for kind, arabic, _ in _RELATIVE]
_RELATIVE_EN = [(re.compile(english), kind) for kind, _, english in _RELATIVE]
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


@dataclass(frozen=True)
class Point:
    """A summary point, a disputed point or an open question."""

    text: str  # rendered in the briefing's language ("" when not rendered)
    quote: str  # the article's own words, verbatim
    citation: Citation
    verified: bool  # text is the quote itself, in the briefing's language


@dataclass(frozen=True)
class Statement:
    """Who said what."""

    speaker: str  # as the briefing shows it: a known name, or the article's words for the speaker
    text: str  # what they said, rendered in the briefing's language ("" when not rendered)
    quote: str  # the article's own words, verbatim
    citation: Citation
    reported: bool  # reported speech ("said that …") rather than a direct quotation
    verified: bool  # text is the quote itself, in the briefing's language
    speaker_original: str = ""  # the speaker as the article writes it


@dataclass(frozen=True)
class Event:
    """A dated (or relatively dated) event."""

    when: str  # "2025-03-28", "week of 2025-03-17", or the article's own words ("يوم الجمعة")
    date: date | None  # the resolved day, when it could be resolved
    resolved: bool
    text: str
    quote: str
    citation: Citation
    verified: bool


@dataclass
class Briefing:
    """A cited briefing; ``citations`` numbers every passage quoted, once."""

    topic: str | None
    language: str
    backend: str
    articles: list[ArticleInfo]
    summary: list[Point] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    disputed: list[Point] = field(default_factory=list)
    open_questions: list[Point] = field(default_factory=list)
    merged_duplicates: int = 0
    suspected_injections: int = 0  # sentences left out because they address an AI assistant
    renderings: dict[str, int] = field(default_factory=lambda: {"asked": 0, "kept": 0, "dropped": 0})
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def citations(self) -> list[Citation]:
        items: list[Any] = [*self.summary, *self.statements, *self.timeline, *self.disputed, *self.open_questions]
        seen: dict[int, Citation] = {}
        for item in items:
            seen.setdefault(item.citation.n, item.citation)
        return [seen[n] for n in sorted(seen)]

    def sections(self) -> list[tuple[str, list[Any]]]:
        """(heading, items) in reading order."""
        return [
            ("Summary", self.summary),
            ("Who said what", self.statements),
            ("Timeline", self.timeline),
            ("Disputed or uncertain", self.disputed),
            ("Open questions", self.open_questions),
        ]

    # -- exports -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        def cite(c: Citation) -> dict[str, Any]:
            p = c.passage
            return {
                "n": c.n, "quote": c.quote, "quote_start": c.quote_start, "quote_end": c.quote_end,
                "article_id": p.article_id, "chunk_id": p.chunk_id, "title": p.title, "source": p.source,
                "published": p.published.isoformat() if p.published else None, "url": p.url,
            }  # fmt: skip

        def item(x: Any) -> dict[str, Any]:
            data = {k: v for k, v in asdict(x).items() if k != "citation"}
            if isinstance(data.get("date"), date):
                data["date"] = data["date"].isoformat()
            data["citation"] = x.citation.n
            return data

        return {
            "topic": self.topic,
            "language": self.language,
            "backend": self.backend,
            "articles": [
                {
                    "article_id": a.article_id,
                    "title": a.title,
                    "source": a.source,
                    "published": a.published.isoformat() if a.published else None,
                }
                for a in self.articles
            ],  # fmt: skip
            "merged_duplicates": self.merged_duplicates,
            "suspected_injections": self.suspected_injections,
            "renderings": self.renderings,
            "summary": [item(x) for x in self.summary],
            "statements": [item(x) for x in self.statements],
            "timeline": [item(x) for x in self.timeline],
            "disputed": [item(x) for x in self.disputed],
            "open_questions": [item(x) for x in self.open_questions],
            "citations": [cite(c) for c in self.citations],
            "timings": self.timings,
        }

    def to_markdown(self) -> str:
        """Markdown; article text is escaped so it renders as text."""
        title = f"Briefing: {md_escape(self.topic)}" if self.topic else "Briefing"
        lines = [f"# {title}", "", self._header(md_escape), ""]
        for heading, items in self.sections():
            lines += [f"## {heading}", ""]
            if not items:
                lines.append("_Nothing found in the articles._")
            for x in items:
                lines.append(f"- {self._line_md(x)}")
            lines.append("")
        lines += ["## Sources", ""]
        for c in self.citations:
            p = c.passage
            when = p.published.isoformat() if p.published else "date unknown"
            lines.append(
                f"{c.n}. {md_escape(p.title or 'untitled')} — {md_escape(p.source)}, {when}; "
                f"characters {c.quote_start}–{c.quote_end} of article `{p.article_id}`"
            )
        return "\n".join(lines).rstrip() + "\n"

    def _header(self, escape: Callable[[str], str]) -> str:
        n = len(self.articles)
        dup = f" ({self.merged_duplicates} near-duplicates folded in)" if self.merged_duplicates else ""
        if self.suspected_injections:
            dup += f"; {self.suspected_injections} sentence(s) addressed to an AI assistant were left out"
        return (
            f"{n} article{'s' if n != 1 else ''}{dup}; backend {escape(self.backend)}. Every line quotes the "
            f'article\'s own words, cited [n]. Lines marked "{DRAFT}" are machine renderings: rely on the quote.'
        )

    def _line_md(self, x: Any) -> str:
        prefix = ""
        if isinstance(x, Statement):
            kind = "reported" if x.reported else "direct"
            prefix = f"**{md_escape(x.speaker)}** ({kind}): "
        elif isinstance(x, Event):
            prefix = f"**{md_escape(x.when)}**{'' if x.resolved else ' (relative)'}: "
        quote = f"«{md_escape(x.quote)}» [{x.citation.n}]"
        if x.verified or not x.text:
            return prefix + quote
        return f"{prefix}*{DRAFT}:* {md_escape(x.text)} — {quote}"

    def to_html(self) -> str:
        """A standalone HTML page; every article string is escaped, text direction is automatic."""
        e = html.escape
        title = f"Briefing: {self.topic}" if self.topic else "Briefing"
        parts = [
            "<!doctype html>",
            f'<html lang="{e(self.language)}"><head><meta charset="utf-8"><title>{e(title)}</title>',
            f"<style>{HTML_CSS}</style></head><body>",
            self.html_body(),
            "</body></html>",
        ]
        return "\n".join(parts)

    def html_body(self) -> str:
        """The briefing as an HTML fragment (what the UI shows)."""
        e = html.escape
        title = f"Briefing: {self.topic}" if self.topic else "Briefing"
        out = [f'<article class="briefing"><h1 dir="auto">{e(title)}</h1><p class="meta">{self._header(e)}</p>']
        for heading, items in self.sections():
            out.append(f"<h2>{heading}</h2>")
            if not items:
                out.append('<p class="none">Nothing found in the articles.</p>')
                continue
            out.append("<ul>")
            out.extend(f"<li>{self._line_html(x)}</li>" for x in items)
            out.append("</ul>")
        out.append('<h2>Sources</h2><ol class="sources">')
        for c in self.citations:
            p = c.passage
            when = p.published.isoformat() if p.published else "date unknown"
            out.append(
                f'<li value="{c.n}" id="source-{c.n}"><span dir="auto">{e(p.title or "untitled")}</span> — '
                f"{e(p.source)}, {when}; characters {c.quote_start}–{c.quote_end}</li>"
            )
        out.append("</ol></article>")
        return "".join(out)

    def _line_html(self, x: Any) -> str:
        e = html.escape
        head = ""
        if isinstance(x, Statement):
            kind = "reported" if x.reported else "direct"
            head = f'<b dir="auto">{e(x.speaker)}</b> <span class="kind">({kind} speech)</span>'
        elif isinstance(x, Event):
            rel = "" if x.resolved else ' <span class="kind">(relative to the article\'s date)</span>'
            head = f'<b dir="auto">{e(x.when)}</b>{rel}'
        draft = ""
        if x.text and not x.verified:
            label = f'<span class="draft-label">{DRAFT}:</span>'
            draft = f'<div class="draft">{label} <span dir="auto">{e(x.text)}</span></div>'
        quote = (
            f'<blockquote dir="auto">{e(x.quote)} <a class="cite" href="#source-{x.citation.n}">[{x.citation.n}]</a>'
            "</blockquote>"
        )
        return (f'<div class="head">{head}</div>' if head else "") + draft + quote


HTML_CSS = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
.meta, .kind, .none { color: #555; font-size: 0.9em; }
ul { list-style: none; padding: 0; }
li { margin: 0.7em 0; }
blockquote { margin: 0.2em 0; padding: 0.1em 0.8em; border-inline-start: 3px solid #93c5fd; background: #f8fafc; }
a.cite { text-decoration: none; font-weight: 700; }
.draft { background: #fffbeb; border: 1px dashed #d97706; padding: 0.1em 0.5em; margin: 0.2em 0; }
.draft-label { font-weight: 700; color: #92400e; font-size: 0.85em; }
ol.sources li { margin: 0.2em 0; }
"""


def md_escape(text: str | None) -> str:
    """Markdown-escape untrusted text: no HTML, links, emphasis or headings come through.

    >>> print(md_escape("<script>x</script> [a](javascript:b) *c* #d"))
    &lt;script&gt;x&lt;/script&gt; \\[a\\](javascript:b) \\*c\\* \\#d
    """
    text = html.escape(" ".join((text or "").split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]#!|~])", r"\\\1", text)


# -- building ------------------------------------------------------------------------------


@dataclass
class _Sentence:
    article: ArticleInfo
    order: int  # the article's rank in the selection
    position: int  # sentence index in the article
    start: int
    end: int
    text: str


class _Citer:
    """Numbers citations: one ``n`` per (chunk, quote span)."""

    def __init__(self, rows_of: Callable[[str], list[ChunkRow]]) -> None:
        self.rows_of = rows_of
        self.numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, article: ArticleInfo, text: str, start: int, end: int) -> Citation | None:
        rows = self.rows_of(article.article_id)
        row = next((r for r in rows if r.start <= start < r.end), None)
        if row is None:
            return None
        end = min(end, row.end)  # a sentence longer than its chunk is quoted up to the chunk's end
        quote = text[start:end].strip()
        start = text.index(quote, start)
        end = start + len(quote)
        if not quote or text[start:end] != quote:  # the quote must be the article's own words
            return None
        key = (row.chunk_id, start, end)
        n = self.numbers.setdefault(key, len(self.numbers) + 1)
        passage = Passage(
            chunk_id=row.chunk_id, article_id=row.article_id, key=row.key, index=row.index, text=row.text,
            start=row.start, end=row.end, title=row.title, source=row.source, lang=row.lang,
            published=row.published, url=row.url, score=0.0,
        )  # fmt: skip
        return Citation(n, passage, quote, start, end)


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


def resolve_when(sentence: str, published: date | None) -> tuple[str, date | None, bool] | None:
    """The date expression in a sentence: (label, day, resolved) or None.

    >>> resolve_when("كشف روبيو يوم الجمعة أنه التقى", date(2025, 4, 5))
    ('2025-04-04', datetime.date(2025, 4, 4), True)
    >>> resolve_when("كشف روبيو يوم الجمعة أنه التقى", None)
    ('يوم الجمعة', None, False)
    >>> resolve_when("وصل في 12 مارس 2024 إلى الرياض", None)
    ('2024-03-12', datetime.date(2024, 3, 12), True)
    """
    normal = normalize_for_matching(sentence)
    absolute = _ABSOLUTE.search(normal)
    if absolute:
        day_of_month, month = int(absolute.group(1)), MONTHS_AR[absolute.group(2)]
        year = int(absolute.group(3)) if absolute.group(3) else (published.year if published else None)
        if year:
            try:
                when = date(year, month, day_of_month)
                return when.isoformat(), when, True
            except ValueError:
                pass
    arabic = arabic_share(sentence) > 0.5
    for pattern, kind in _RELATIVE_AR if arabic else _RELATIVE_EN:
        match = pattern.search(normal if arabic else sentence.lower())
        if not match:
            continue
        original = _original_words(sentence, match.group(0).strip()) if arabic else match.group(0).strip()
        if published is None:
            return original, None, False
        if kind == "weekday":
            wanted = WEEKDAYS_AR.get(match.group(1)) if arabic else WEEKDAYS_EN[match.group(1)]
            if wanted is None:
                return original, None, False
            day = published - timedelta(days=(published.weekday() - wanted) % 7)
            return day.isoformat(), day, True
        if kind == "yesterday":
            day = published - timedelta(days=1)
            return day.isoformat(), day, True
        if kind in ("last week", "this week"):
            monday = published - timedelta(days=published.weekday() + (7 if kind == "last week" else 0))
            return f"week of {monday.isoformat()}", monday, True
        if kind == "last month":
            first = (published.replace(day=1) - timedelta(days=1)).replace(day=1)
            return first.strftime("%Y-%m"), first, True
        year = published.year - (1 if kind == "last year" else 0)
        return str(year), date(year, 1, 1), True
    return None


def _original_words(sentence: str, normalised: str) -> str:
    """The sentence's own words for a normalised phrase (same number of words)."""
    words = sentence.split()
    target = normalised.split()
    for i in range(len(words) - len(target) + 1):
        window = words[i : i + len(target)]
        if normalize_for_matching(" ".join(window)).strip("،,.:") == " ".join(target):
            return " ".join(window).strip("،,.:")
    return normalised


def _has_cue(sentence: str, cues: tuple[str, ...]) -> bool:
    normal = " " + normalize_for_matching(sentence).replace("،", " ").replace(",", " ") + " "
    return any(f" {cue} " in normal or f" و{cue} " in normal for cue in cues)


def _similar(a: str, b: str) -> bool:
    ta, tb = set(content_tokens(a)), set(content_tokens(b))
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) >= 0.6


def build_briefing(
    assistant: Any,
    topic: str | None = None,
    *,
    articles: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    language: str = "en",
    backend: str | None = None,
    max_articles: int = 100,
    max_rendered: int = 8,
    max_per_speaker: int = 4,
    max_statements: int = 30,
    progress: Callable[[str], None] | None = None,
) -> Briefing:
    """The briefing (see the module docstring); ``assistant`` is an ``Assistant``."""
    if language not in ("en", "ar"):
        raise SettingsError(f"language must be 'en' or 'ar'; got {language!r}")
    if max_articles < 1:
        raise SettingsError(f"max_articles must be at least 1; got {max_articles}")
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now
        if progress:
            progress(stage)

    backend = backend or assistant.settings.llm.backend
    selected = _select(assistant, topic, articles, since, until, max_articles)
    texts = {a.article_id: assistant.article_text(a.article_id) or "" for a in selected}
    kept = fold_duplicates([texts[a.article_id] for a in selected])
    merged = len(selected) - len(kept)
    selected = [selected[i] for i in kept]
    lap("select")

    chunk_cache: dict[str, list[ChunkRow]] = {}

    def rows_of(article_id: str) -> list[ChunkRow]:
        if article_id not in chunk_cache:
            ids = assistant.catalog.chunk_ids_of(article_id)
            chunk_cache[article_id] = list(assistant.catalog.chunk_rows(ids).values())
        return chunk_cache[article_id]

    citer = _Citer(rows_of)
    briefing = Briefing(topic, language, backend, selected, merged_duplicates=merged, timings=timings)
    per_article: list[list[_Sentence]] = []
    for order, article in enumerate(selected):
        text = texts[article.article_id]
        sentences = []
        for position, (s, e) in enumerate(sentence_spans(text)):
            sentence = text[s:e]
            if position == 0 and normalize_for_matching(sentence.strip()) == normalize_for_matching(article.title):
                continue
            if looks_like_instructions(sentence):  # addressed to an assistant, not to readers: never quoted
                briefing.suspected_injections += 1
                continue
            sentences.append(_Sentence(article, order, position, s, e, sentence))
        per_article.append(sentences)

    def point(sentence: _Sentence, start: int = 0, end: int | None = None) -> tuple[str, Citation] | None:
        text = texts[sentence.article.article_id]
        s = sentence.start + start
        e = sentence.start + (end if end is not None else len(sentence.text))
        citation = citer.cite(sentence.article, text, s, e)
        return (citation.quote, citation) if citation else None

    # Who said what.
    statements: list[tuple[Any, _Sentence]] = []
    for sentences in per_article:
        for attribution in attribute_sentences([s.text for s in sentences]):
            statements.append((attribution, sentences[attribution.index]))
    counts = Counter(speaker for a, _ in statements for speaker in a.speakers)
    seen_quotes: set[str] = set()
    for attribution, sentence in sorted(statements, key=lambda x: (x[1].order, -counts[x[0].speakers[0]])):
        found = point(sentence, attribution.start, attribution.end)
        if found is None or normalize_for_matching(found[0]) in seen_quotes:
            continue
        seen_quotes.add(normalize_for_matching(found[0]))
        quote, citation = found
        for speaker in attribution.speakers:
            briefing.statements.append(
                Statement(speaker, "", quote, citation, attribution.reported, False, attribution.speaker_original)
            )
    # Group by speaker (most quoted first), keeping the article order within a speaker.
    speaker_rank = {s: i for i, (s, _) in enumerate(counts.most_common())}
    briefing.statements.sort(key=lambda st: speaker_rank.get(st.speaker, len(speaker_rank)))
    # One page: known people and speakers heard in several articles first, a few lines each.
    articles_of: dict[str, set[str]] = {}
    for st in briefing.statements:
        articles_of.setdefault(st.speaker, set()).add(st.citation.passage.article_id)
    briefing.statements.sort(
        key=lambda st: (st.speaker not in PEOPLE, -len(articles_of[st.speaker]), speaker_rank[st.speaker])
    )
    per_speaker: Counter[str] = Counter()
    capped: list[Statement] = []
    for statement in briefing.statements:
        per_speaker[statement.speaker] += 1
        if per_speaker[statement.speaker] <= max_per_speaker and len(capped) < max_statements:
            capped.append(statement)
    briefing.statements = capped
    lap("statements")

    # Summary: leads first, then the top article's next sentences.
    leads = [[s for s in sentences if len(s.text.split()) >= 8 and s.text.strip()[:1] not in _QUOTE_MARKS]
             for sentences in per_article]  # fmt: skip
    # Round robin: every article's lead, then every article's second sentence, and so on.
    candidates = [article[i] for i in range(3) for article in leads if i < len(article)]
    for sentence in candidates:
        if len(briefing.summary) >= 5:
            break
        if any(_similar(sentence.text, p.quote) for p in briefing.summary):
            continue
        found = point(sentence)
        if found:
            briefing.summary.append(Point("", found[0], found[1], False))
    lap("summary")

    # Timeline, disputed points, open questions.
    for sentences in per_article:
        for sentence in sentences:
            when = resolve_when(sentence.text, sentence.article.published)
            if when is not None and len(briefing.timeline) < 40:
                found = point(sentence)
                if found:
                    briefing.timeline.append(Event(when[0], when[1], when[2], "", found[0], found[1], False))
            summary_quotes = {p.quote for p in briefing.summary}
            if _has_cue(sentence.text, DISPUTE_CUES) and len(briefing.disputed) < 8:
                found = point(sentence)
                if found and found[0] not in summary_quotes:
                    briefing.disputed.append(Point("", found[0], found[1], False))
            elif _has_cue(sentence.text, OPEN_CUES) and len(briefing.open_questions) < 6:
                found = point(sentence)
                if found and found[0] not in summary_quotes:
                    briefing.open_questions.append(Point("", found[0], found[1], False))
    briefing.timeline.sort(key=lambda ev: (ev.date is None, ev.date or date.min, ev.citation.quote_start))
    briefing.timeline = briefing.timeline[:12]
    lap("timeline")

    _renumber(briefing)
    _render(assistant, briefing, backend, max_rendered)
    lap("render")
    return briefing


SECTIONS = ("summary", "statements", "timeline", "disputed", "open_questions")


def _renumber(briefing: Briefing) -> None:
    """Number citations in reading order: [1] is the first one the reader meets."""
    numbers: dict[int, int] = {}
    for name in SECTIONS:
        items = getattr(briefing, name)
        for x in items:
            numbers.setdefault(x.citation.n, len(numbers) + 1)
        setattr(briefing, name, [_replace(x, citation=_replace(x.citation, n=numbers[x.citation.n])) for x in items])


def _select(
    assistant: Any,
    topic: str | None,
    article_ids: list[str] | None,
    since: date | None,
    until: date | None,
    max_articles: int,
) -> list[ArticleInfo]:
    infos = {a.article_id: a for a in assistant.articles()}
    if article_ids:
        unknown = [a for a in article_ids if a not in infos]
        if unknown:
            raise SettingsError(f"No ingested article has the id {unknown[0]!r}; `briefing sources --json` lists them.")
        pool = [infos[a] for a in article_ids]
    else:
        pool = list(infos.values())
    if since or until:
        pool = [
            a
            for a in pool
            if a.published and (not since or a.published >= since) and (not until or a.published <= until)
        ]
    if not pool:
        raise SettingsError("No article matches: ingest articles first, or widen the dates or the article list.")
    if topic:
        allowed = [a.article_id for a in pool]
        passages = assistant.search(topic, min(1000, 6 * max_articles), article_ids=allowed if article_ids else None,
                                    since=since, until=until)  # fmt: skip
        # On topic: close to the best passage's similarity, or matched by the topic's own words.
        trace = assistant.searcher.last_trace
        dense = dict(trace.dense) if trace else {}
        lexical = {cid for cid, _ in trace.lexical} if trace and trace.lexical_weight > 0 else set()
        floor = max(dense.values(), default=0.0) - TOPIC_MARGIN
        ranked: list[ArticleInfo] = []
        for p in passages:
            info = infos.get(p.article_id)
            on_topic = dense.get(p.chunk_id, -1.0) >= floor or p.chunk_id in lexical
            if info is not None and info in pool and info not in ranked and on_topic:
                ranked.append(info)
        pool = ranked
        if not pool:
            raise SettingsError(f"No article is about {topic!r}; try other words, or no topic for all articles.")
    else:
        pool.sort(key=lambda a: (a.published is None, -(a.published.toordinal() if a.published else 0)))
    return pool[:max_articles]


def _render(assistant: Any, briefing: Briefing, backend: str, budget: int) -> None:
    """Fill in ``text``: the quote itself when it is in the briefing's language (verified), a
    checked draft from the model for the first ``budget`` other items, else nothing."""
    same = "ar" if briefing.language == "ar" else "en"

    def in_language(quote: str) -> bool:
        return (arabic_share(quote) > 0.5) == (same == "ar")

    model = None
    if backend != "extractive" and briefing.language == "en":
        model = assistant.answerer(backend).chat_model
    from assistant.prompts import load_prompts

    prompt = load_prompts()["translate_sentence"]
    rendered: dict[str, str] = {}

    def render(quote: str) -> tuple[str, bool]:
        if in_language(quote):
            return quote, True
        if model is None or (quote not in rendered and len(rendered) >= budget):
            return "", False
        if quote not in rendered:
            reply = model.invoke(prompt.messages(sentence=quote))
            text = " ".join(str(reply.content).split())
            rendered[quote] = "" if not text or contradictions(text, quote) else text
            briefing.renderings["asked"] += 1
            briefing.renderings["kept" if rendered[quote] else "dropped"] += 1
        return rendered[quote], False

    for name in ("statements", "summary", "disputed", "open_questions", "timeline"):  # budget: statements first
        items = getattr(briefing, name)
        updated = []
        for x in items:
            text, verified = render(x.quote)
            updated.append(_replace(x, text=text, verified=verified))
        setattr(briefing, name, updated)


def _replace(item: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(item, **changes)
