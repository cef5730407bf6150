"""The briefing document: its records (points, statements, events) and its exports to
Markdown, HTML and JSON. Every string from an article is escaped on the way out."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from assistant.records import CHECKED_LABEL, DRAFT_LABEL, Citation
from assistant.storage.catalog import ArticleInfo

# The sections' field names on ``Briefing``, in reading order.
SECTIONS = ("summary", "statements", "timeline", "disputed", "open_questions")


@dataclass(frozen=True)
class Point:
    """A summary point, a disputed point or an open question."""

    text: str  # rendered in the briefing's language ("" when not rendered)
    quote: str  # the article's own words, verbatim
    citation: Citation
    verified: bool  # text is the quote itself, in the briefing's language
    checked: bool = False  # text is a rendering of the quote that code traced word by word
    untraced: tuple[str, ...] = ()  # a draft rendering's words code could not trace to the quote
    why: str = ""  # why a disputed point or open question is listed: its cue, 'a denial: «نفت»'


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
    checked: bool = False
    untraced: tuple[str, ...] = ()


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
    checked: bool = False
    untraced: tuple[str, ...] = ()


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
    renderings: dict[str, int] = field(default_factory=lambda: {"asked": 0, "kept": 0, "checked": 0, "dropped": 0})
    timings: dict[str, float] = field(default_factory=dict)
    topic_words: tuple[str, ...] = ()  # the words of the topic an article on it holds (briefing.topic)
    lacks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # article id → topic words it lacks

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
            "topic_words": list(self.topic_words),
            "articles": [
                {
                    "article_id": a.article_id,
                    "title": a.title,
                    "source": a.source,
                    "published": a.published.isoformat() if a.published else None,
                    "lacks": list(self.lacks.get(a.article_id, ())),
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
            "citations": [c.to_dict() for c in self.citations],
            "timings": self.timings,
        }

    def to_markdown(self) -> str:
        """Markdown; article text is escaped so it renders as text. A speaker heads their own quotes."""
        title = f"Briefing: {md_escape(self.topic)}" if self.topic else "Briefing"
        lines = [f"# {title}", "", self._header(md_escape), ""]
        for heading, items in self.sections():
            lines += [f"## {heading}", ""]
            if not items:
                lines.append("_Nothing found in the articles._")
            for speaker, group in _by_speaker(items):
                if speaker is not None:
                    lines += ["" if lines[-1] else "", f"### {md_escape(speaker)}", ""][lines[-1] == "" :]
                lines.extend(f"- {self._line_md(x)}" for x in group)
            lines.append("")
        lines += ["## Sources", ""]
        for article_id, citations in self._sources():
            passage = citations[0].passage
            lines.append(f"- {md_escape(passage.title or 'untitled')} — {_article_where(citations[0], md_escape)}"
                         f"{self._lacks(article_id, md_escape)}")  # fmt: skip
            lines.extend(f"  - [{c.n}] {_page(c)}characters {c.quote_start}–{c.quote_end}" for c in citations)
        return "\n".join(lines).rstrip() + "\n"

    def _sources(self) -> list[tuple[str, list[Citation]]]:
        """Each cited article once, in the order the reader meets it, with the spans cited from it."""
        groups: dict[str, list[Citation]] = {}
        for c in self.citations:
            groups.setdefault(c.passage.article_id, []).append(c)
        return list(groups.items())

    def _lacks(self, article_id: str, escape: Callable[[str], str]) -> str:
        lacks = self.lacks.get(article_id)
        if not lacks:
            return ""
        return f" (lacks the topic's {'words' if len(lacks) > 1 else 'word'} {escape(', '.join(lacks))})"

    def _header(self, escape: Callable[[str], str]) -> str:
        n = len(self.articles)
        dup = (
            f" ({self.merged_duplicates} near-duplicates or articles of the same story folded in)"
            if self.merged_duplicates
            else ""
        )
        if self.suspected_injections:
            dup += f"; {self.suspected_injections} sentence(s) addressed to an AI assistant were left out"
        if self.topic:  # which articles were found on the topic, and by what
            dup += (
                f"; {'it matches' if n == 1 else 'they match'} the topic: {'it holds' if n == 1 else 'each holds'} "
                f"its names and most of its words ({escape(', '.join(self.topic_words))})"
            )
            partly = sum(1 for a in self.articles if self.lacks.get(a.article_id))
            if partly:
                dup += f", {partly} not all of them (see Sources)"
        return (
            f"{n} article{'s' if n != 1 else ''}{dup}; backend {escape(self.backend)}. Every line quotes the "
            f'article\'s own words, cited [n]. Lines marked "{CHECKED_LABEL}" are renderings whose every content word '
            f'code traced to the quote; lines marked "{DRAFT_LABEL}" are machine renderings it could not: rely on '
            "the quote."
        )

    def _line_md(self, x: Any) -> str:
        prefix = ""
        if isinstance(x, Statement):  # under its speaker's heading
            prefix = f"({'reported' if x.reported else 'direct'}) "
        elif isinstance(x, Event):
            prefix = f"**{md_escape(x.when)}**{'' if x.resolved else ' (relative)'}: "
        line = f"{prefix}«{md_escape(x.quote)}» [{x.citation.n}]"
        if x.text and not x.verified and x.checked:
            line += f"\n  *{CHECKED_LABEL}:* {md_escape(x.text)}"
        elif x.text and not x.verified:
            untraced = f" (untraced: {md_escape(', '.join(x.untraced))})" if x.untraced else ""
            line += f"\n  *{DRAFT_LABEL}:* {md_escape(x.text)}{untraced}"
        if getattr(x, "why", ""):
            line += f"\n  *Listed for* {md_escape(x.why)}"
        return line

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
        """The briefing as an HTML fragment (what the UI shows). A speaker heads their own quotes."""
        e = html.escape
        title = f"Briefing: {self.topic}" if self.topic else "Briefing"
        out = [f'<article class="briefing"><h1 dir="auto">{e(title)}</h1><p class="meta">{self._header(e)}</p>']
        for heading, items in self.sections():
            out.append(f"<h2>{heading}</h2>")
            if not items:
                out.append('<p class="none">Nothing found in the articles.</p>')
            for speaker, group in _by_speaker(items):
                if speaker is not None:
                    out.append(f'<h3 class="speaker" dir="auto">{e(speaker)}</h3>')
                out.append("<ul>" + "".join(f"<li>{self._line_html(x)}</li>" for x in group) + "</ul>")
        out.append('<h2>Sources</h2><ul class="sources">')
        for article_id, citations in self._sources():
            title = e(citations[0].passage.title or "untitled")
            spans = "".join(
                f'<li id="source-{c.n}">[{c.n}] {_page(c)}characters {c.quote_start}–{c.quote_end}</li>'
                for c in citations
            )
            where = _article_where(citations[0], e) + self._lacks(article_id, e)
            out.append(f'<li><span dir="auto">{title}</span> — {where}<ul class="spans">{spans}</ul></li>')
        out.append("</ul></article>")
        return "".join(out)

    def _line_html(self, x: Any) -> str:
        e = html.escape
        head, kind = "", ""
        if isinstance(x, Statement):  # the speaker heads the group; how they said it follows the marker
            kind = f' <bdi class="kind">({"reported" if x.reported else "direct"} speech)</bdi>'
        elif isinstance(x, Event):
            rel = "" if x.resolved else ' <span class="kind">(relative to the article\'s date)</span>'
            head = f'<b dir="auto">{e(x.when)}</b>{rel}'
        rendering = ""
        if x.text and not x.verified:  # under its own quote, inside the same item: its caption
            box, label = ("checked", CHECKED_LABEL) if x.checked else ("draft", DRAFT_LABEL)
            untraced = f' <span class="kind">(untraced: {e(", ".join(x.untraced))})</span>' if x.untraced else ""
            rendering = (
                f'<div class="{box}"><span class="{box}-label">{label}:</span> <span dir="auto">{e(x.text)}</span>'
                f"{untraced}</div>"
            )
        why = f'<div class="why">Listed for {e(x.why)}</div>' if getattr(x, "why", "") else ""
        quote = (
            f'<blockquote dir="auto">{e(x.quote)} <a class="cite" href="#source-{x.citation.n}">[{x.citation.n}]</a>'
            f"{kind}</blockquote>"
        )
        head_html = f'<div class="head">{head}</div>' if head else ""
        return f'<div class="item">{head_html}{quote}{rendering}{why}</div>'


HTML_CSS = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
.meta, .kind, .none { color: #555; font-size: 0.9em; }
ul { list-style: none; padding: 0; }
li { margin: 0.7em 0; }
blockquote { margin: 0.2em 0; padding: 0.1em 0.8em; border-inline-start: 3px solid #93c5fd; background: #f8fafc; }
a.cite { text-decoration: none; font-weight: 700; }
.draft { background: #fffbeb; border: 1px dashed #d97706; padding: 0.1em 0.5em; margin: 0.2em 0; }
.draft-label { font-weight: 700; color: #92400e; font-size: 0.85em; }
.checked { background: #f0fdf4; border: 1px solid #16a34a; padding: 0.1em 0.5em; margin: 0.2em 0; }
.checked-label { font-weight: 700; color: #14532d; font-size: 0.85em; }
.item { margin: 0 0 1.2em 0; }
.head { margin: 0 0 0.1em 0; }
h3.speaker { margin: 2em 0 0.2em 0; font-size: 1em; }
li { margin: 0; }
.why { color: #555; font-size: 0.85em; }
ul.sources > li { margin: 0.4em 0; }
ul.spans { padding-inline-start: 1.2em; font-size: 0.9em; }
"""


def _page(c: Citation) -> str:
    """ "p. 3, " for a quote from a paged document (PDF, DOCX), else nothing."""
    return f"p. {c.page}, " if c.page else ""


def _article_where(c: Citation, escape: Callable[[str], str]) -> str:
    """Where a citation's article is from: source, date, id."""
    when = c.passage.published.isoformat() if c.passage.published else "date unknown"
    others = [o for o in c.passage.outlets if o != c.passage.source]
    also = f" (one story, also reported by {escape(', '.join(others))})" if others else ""
    return f"{escape(c.passage.source)}{also}, {when}; article {c.passage.article_id}"


def _by_speaker(items: list[Any]) -> list[tuple[str | None, list[Any]]]:
    """Consecutive items grouped under their speaker (None for items that are not statements)."""
    groups: list[tuple[str | None, list[Any]]] = []
    for x in items:
        speaker = x.speaker if isinstance(x, Statement) else None
        if groups and groups[-1][0] == speaker:
            groups[-1][1].append(x)
        else:
            groups.append((speaker, [x]))
    return groups


def md_escape(text: str | None) -> str:
    """Markdown-escape untrusted text: no HTML, links, emphasis or headings come through.

    >>> print(md_escape("<script>x</script> [a](javascript:b) *c* #d"))
    &lt;script&gt;x&lt;/script&gt; \\[a\\](javascript:b) \\*c\\* \\#d
    """
    text = html.escape(" ".join((text or "").split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]#!|~])", r"\\\1", text)
