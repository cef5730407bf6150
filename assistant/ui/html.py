"""The chat UI's HTML, built from answers and articles: pure functions, no Gradio.

Article text is untrusted. The transcript is HTML built here, and every string that comes from
an article or a model (titles, passages, quotes, answers, even the question) goes through
``esc`` first, which also neutralises the template characters of Gradio's HTML component. URLs
are shown as links only when they are plain http(s). The only markup added to an answer's own
text are the links of its ``[n]`` markers to its citations, made from each sentence's citation
list: a ``[2]`` inside a quoted article is the article's own text, shown as written and inert.
"""

from __future__ import annotations

import html
import re
from typing import Any

from assistant.records import CHECKED_LABEL, DRAFT_LABEL, Answer, AnswerSentence, Citation

Turn = dict[str, str]  # {"question", "standalone", "html"}

STATE_BADGES = {
    "verified": ("✓ Verified", "checked by code against the quoted article sentence"),
    "checked": (
        "✓ Checked translation",
        "every content word traced by code to the quoted Arabic (hover a word); whether the quote answers "
        "the question, read it",
    ),
    "draft": ("⚠ Draft, unverified", "a machine rendering of the quote; rely on the original beside it"),
    "quoted": ("❝ Quoted", "the article's own words, not translated"),
    "abstained": ("∅ Not in the articles", "no passage answers this question"),
}
STATUS_TEXT = {
    "retrieving": "Searching the articles…",
    "checking": "Checking which sentence answers…",
    "writing": "Writing (not yet checked)…",
    "rendering": "Rendering in English and tracing each word to the quote…",
}
MAX_LINKS = 80  # source spans of one rendering that get a hover rule
_MARKER = re.compile(r"\[(\d+)\]")

# Hovering an English word lights up the Arabic words it came from, and the reverse (CSS only:
# Gradio's HTML component runs no script).
_TRACE_CSS = "".join(
    f'.pair:has([data-s="{j}"]:hover) [data-s="{j}"] {{ background: #fde68a; }}\n' for j in range(MAX_LINKS)
)

CSS = (
    """
#transcript { min-height: 420px; max-height: 68vh; overflow-y: auto !important; }
.answer-body > :first-child { margin-top: 0.2em; }
.empty-hint { color: var(--body-text-color-subdued); padding: 2em 1em; text-align: center; }
.turn { margin: 0 0 1.25em 0; }
.msg { border-radius: 10px; padding: 0.7em 0.9em; margin: 0.35em 0; line-height: 1.55; }
.msg.user { background: var(--color-accent-soft); margin-left: 18%; }
.msg.bot { background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);
  margin-right: 6%; }
.msg.error { background: #fdecea; border: 1px solid #f5c2c0; color: #7a1c16; }
.badge { display: inline-block; font-size: 0.85em; font-weight: 600; padding: 0.15em 0.6em; border-radius: 999px;
  margin-bottom: 0.45em; }
.badge-note { font-size: 0.85em; color: var(--body-text-color-subdued); margin-left: 0.4em; }
.state-verified .badge { background: #dcf5e3; color: #14532d; }
.state-draft .badge { background: #fff1c2; color: #713f12; }
.state-quoted .badge { background: #dbeafe; color: #1e3a8a; }
.state-abstained .badge { background: #e5e7eb; color: #374151; }
.state-pending .badge { background: #ede9fe; color: #4c1d95; }
.sent { margin: 0.3em 0; }
blockquote.sent.quote { border-inline-start: 3px solid #93c5fd; margin: 0.4em 0; padding: 0.2em 0.8em;
  background: var(--background-fill-primary); font-size: 1.05em; }
.draft-pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8em; align-items: start; }
.draft-pair .draft { border: 1px dashed #d97706; border-radius: 6px; padding: 0.3em 0.6em; background: #fffbeb; }
.pair .checked { border: 1px solid #16a34a; border-radius: 6px; padding: 0.3em 0.6em; background: #f0fdf4; }
.checked-label { display: block; font-size: 0.8em; font-weight: 700; color: #14532d; text-transform: uppercase;
  letter-spacing: 0.03em; }
.w.traced { border-bottom: 1px dotted #16a34a; cursor: help; }
.w.untraced { text-decoration: underline wavy #dc2626; cursor: help; }
.src { border-radius: 3px; }
.trace-note { display: block; font-size: 0.8em; color: var(--body-text-color-subdued); }
.draft-label { display: block; font-size: 0.8em; font-weight: 700; color: #92400e; text-transform: uppercase;
  letter-spacing: 0.03em; }
a.cite { font-weight: 700; text-decoration: none; padding: 0 0.1em; cursor: pointer; }
details.citation { margin: 0.35em 0; border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 0.3em 0.6em; background: var(--background-fill-primary); }
details.citation[open] { box-shadow: 0 0 0 2px #93c5fd; }
details.citation summary { cursor: pointer; font-size: 0.9em; }
.passage { margin-top: 0.4em; line-height: 1.7; white-space: pre-wrap; }
.passage mark { background: #fde68a; padding: 0 0.1em; }
.meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 0.5em; }
details.removed { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 0.4em; }
details.removed summary { cursor: pointer; }
.pending-text { white-space: pre-wrap; color: var(--body-text-color-subdued); }
#briefing { max-height: 75vh; overflow-y: auto !important; }
.briefing ul { list-style: none; padding: 0; }
.briefing blockquote { margin: 0.2em 0; padding: 0.1em 0.8em; border-inline-start: 3px solid #93c5fd;
  background: var(--background-fill-secondary); }
.briefing .draft { background: #fffbeb; border: 1px dashed #d97706; padding: 0.1em 0.5em; margin: 0.2em 0; }
.briefing .draft-label { font-weight: 700; color: #92400e; font-size: 0.85em; }
.briefing .kind, .briefing .meta, .briefing .why { color: var(--body-text-color-subdued); font-size: 0.9em; }
.briefing li { margin: 0; }
.briefing .item { margin: 0 0 1.2em 0; }
.briefing .head { margin: 0 0 0.1em 0; }
.briefing h3.speaker { margin: 2em 0 0.2em 0 !important; font-size: 1em; }
.briefing .checked { background: #f0fdf4; border: 1px solid #16a34a; padding: 0.1em 0.5em; margin: 0.2em 0; }
.briefing .checked-label { font-weight: 700; color: #14532d; font-size: 0.85em; }
.briefing ul.sources > li { margin: 0.4em 0; }
.briefing ul.spans { padding-inline-start: 1.2em; font-size: 0.9em; }
table.sources { width: 100%; font-size: 0.88em; border-collapse: collapse; }
table.sources td, table.sources th { padding: 0.25em 0.4em; border-bottom: 1px solid var(--border-color-primary);
  text-align: start; vertical-align: top; }
"""
    + _TRACE_CSS
)

# Clicking a marker opens (and shows) its passage. Event delegation: the transcript re-renders.
TRANSCRIPT_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('a.cite');
  if (!link) return;
  event.preventDefault();
  const target = element.querySelector('#' + CSS.escape(link.dataset.target || ''));
  if (!target) return;
  target.open = true;
  target.scrollIntoView({block: 'nearest', behavior: 'smooth'});
});
// Keep the newest message in view while an answer streams in.
watch('value', () => {
  const box = element.closest('#transcript') || element;
  box.scrollTop = box.scrollHeight;
});
"""


def esc(text: object) -> str:
    """HTML-escape untrusted text, including the characters Gradio's templates treat specially.

    >>> esc('<img src=x onerror=alert(1)> ${x} {{y}}')
    '&lt;img src=x onerror=alert(1)&gt; &#36;&#123;x&#125; &#123;&#123;y&#125;&#125;'
    """
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;").replace("`", "&#96;")


def safe_url(url: str | None) -> str | None:
    """The URL when it is plain http(s), else None (never ``javascript:`` and the like)."""
    if url and re.match(r"^https?://[^\s\"'<>]+$", url.strip(), re.I):
        return url.strip()
    return None


def _markers(citations: tuple[int, ...], turn: int, known: set[int]) -> str:
    """A sentence's own citation markers, each a link to its passage: they come from the answer's
    citation list, never from text (an article's "[2]" is its own words, not a citation)."""
    links = []
    for n in citations:
        if n in known:
            target = f"cite-{turn}-{n}"
            links.append(f' <a class="cite" href="#{target}" data-target="{target}" title="Open passage {n}">[{n}]</a>')
    return "".join(links)


def _model_text(text: str) -> str:
    """What a model wrote, escaped, without the ``[n]`` it may have copied: its markers are added
    from its citations."""
    return esc(" ".join(_MARKER.sub(" ", text).split()))


def _quote(sentence: AnswerSentence, turn: int, known: set[int]) -> str:
    """A quoted sentence: the article's words exactly as written (brackets too), inert, then its markers."""
    return f"«{esc(sentence.raw)}»{_markers(sentence.citations, turn, known)}"


def render_passage(citation: Citation) -> str:
    """The cited passage, escaped, with the quoted span inside a ``<mark>``."""
    passage = citation.passage
    start = citation.quote_start - passage.start
    end = citation.quote_end - passage.start
    if not (0 <= start <= end <= len(passage.text) and passage.text[start:end] == citation.quote):
        start = passage.text.find(citation.quote)
        end = start + len(citation.quote)
    if start < 0:  # cannot happen for answers made by the pipeline; shown honestly if it does
        return f'<div class="passage" dir="auto">{esc(passage.text)}</div>'
    text = passage.text
    return (
        f'<div class="passage" dir="auto">{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}</div>'
    )


def render_citation(citation: Citation, turn: int) -> str:
    passage = citation.passage
    when = passage.published.isoformat() if passage.published else "date unknown"
    url = safe_url(passage.url)
    link = f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">link</a>' if url else ""
    ranked = passage.dense_rank is not None or passage.lexical_rank is not None
    found = f' · <span class="found">found by {esc(passage.matched_by)}</span>' if ranked else ""
    page = f" · p. {citation.page}" if citation.page else ""
    return (
        f'<details class="citation" id="cite-{turn}-{citation.n}">'
        f'<summary>[{citation.n}] <span dir="auto">{esc(passage.title or "untitled")}</span> — '
        f"{esc(passage.source or 'unknown source')} · {esc(when)}{page}{found}{link}</summary>"
        f"{render_passage(citation)}</details>"
    )


def _render_sentences(sentences: list[AnswerSentence], turn: int, known: set[int]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(sentences):
        sentence = sentences[i]
        if sentence.state == "quote":
            body = _quote(sentence, turn, known)
        else:
            body = _model_text(sentence.raw) + _markers(sentence.citations, turn, known)
        if sentence.trace:
            # A rendering sits beside the quote it renders, each word linked to its source.
            beside = sentences[i + 1] if i + 1 < len(sentences) and sentences[i + 1].state == "quote" else None
            parts.append(_render_rendering(sentence, beside, turn, known))
            i += 2 if beside is not None else 1
            continue
        if sentence.state == "draft":
            # A draft sits beside the quote it renders, so the reader can compare.
            draft = body
            quote = ""
            if i + 1 < len(sentences) and sentences[i + 1].state == "quote":
                quote = f'<blockquote class="sent quote" dir="auto">{_quote(sentences[i + 1], turn, known)}'
                quote += "</blockquote>"
                i += 1
            parts.append(
                f'<div class="draft-pair"><div class="sent draft" dir="auto"><span class="draft-label">'
                f"{DRAFT_LABEL}</span>{draft}</div>{quote}</div>"
            )
        elif sentence.state == "quote":
            parts.append(f'<blockquote class="sent quote" dir="auto">{body}</blockquote>')
        else:
            parts.append(f'<p class="sent verified" dir="auto">{body}</p>')
        i += 1
    return "".join(parts)


def _render_rendering(sentence: AnswerSentence, quote: AnswerSentence | None, turn: int, known: set[int]) -> str:
    """A checked or draft English rendering beside its quote: each traced word names (on hover, and
    highlights) the Arabic words it came from; untraced words are underlined."""
    source = quote.raw if quote is not None else ""
    spans: list[tuple[int, int]] = []
    for w in sentence.trace:  # the source spans, overlapping ones merged into the first
        if w.source and not any(s < w.source[1] and w.source[0] < e for s, e in spans) and len(spans) < MAX_LINKS:
            spans.append(w.source)
    spans.sort()

    def span_of(w_source: tuple[int, int] | None) -> int | None:
        if w_source is None:
            return None
        return next((j for j, (s, e) in enumerate(spans) if s < w_source[1] and w_source[0] < e), None)

    english, pos = [], 0
    for w in sentence.trace:
        english.append(esc(sentence.raw[pos : w.start]))
        word, j = esc(sentence.raw[w.start : w.end]), span_of(w.source)
        if j is not None:
            s, e = spans[j]
            english.append(f'<span class="w traced" data-s="{j}" title="from: {esc(source[s:e])}">{word}</span>')
        elif w.traced:
            english.append(f'<span class="w traced" title="from the question">{word}</span>')
        else:
            english.append(f'<span class="w untraced" title="not traced to the quote">{word}</span>')
        pos = w.end
    english.append(esc(sentence.raw[pos:]) + _markers(sentence.citations, turn, known))
    arabic, pos = [], 0
    for j, (s, e) in enumerate(spans):
        arabic.append(esc(source[pos:s]) + f'<span class="src" data-s="{j}">{esc(source[s:e])}</span>')
        pos = e
    arabic.append(esc(source[pos:]))
    if sentence.state == "checked":
        box, label, note = "checked", CHECKED_LABEL, "every content word traced to the quote; hover a word"
    else:
        box, label = "draft", DRAFT_LABEL
        why = sentence.reasons
        if sentence.untraced:
            why.insert(0, "words underlined in red are not traced to the quote: " + ", ".join(sentence.untraced))
        note = esc("; ".join(why) or "not checked")
    quote_html = ""
    if quote is not None:
        quote_html = f'<blockquote class="sent quote" dir="auto">«{"".join(arabic)}»'
        quote_html += f"{_markers(quote.citations, turn, known)}</blockquote>"
    return (
        f'<div class="draft-pair pair"><div class="sent {box}" dir="auto"><span class="{box}-label">{label}</span>'
        f'{"".join(english)}<span class="trace-note">{note}</span></div>{quote_html}</div>'
    )


def render_answer(answer: Answer, turn: int) -> str:
    """One answer as HTML: state badge, sentences, citations, removed sentences, timings."""
    label, note = STATE_BADGES[answer.state]
    known = {c.n for c in answer.citations}
    if answer.abstained:  # the refusal, then the near miss it quotes, if any
        body = f'<p class="sent" dir="auto">{esc(answer.text.split(chr(10))[0])}</p>'
        body += _render_sentences(answer.sentences, turn, known) if answer.sentences else ""
    else:
        body = _render_sentences(answer.sentences, turn, known)
    citations = "".join(render_citation(c, turn) for c in answer.citations)
    removed = ""
    if answer.removed:
        items = "".join(f'<li dir="auto">{esc(text)}</li>' for text in answer.removed)
        count = len(answer.removed)
        removed = (
            f'<details class="removed"><summary>{count} model sentence{"s" if count > 1 else ""} removed by '
            f"the checks; open to see why</summary><ul>{items}</ul></details>"
        )
    seconds = answer.seconds or sum(answer.timings.values())  # wall time, a model's loading included
    meta = f"{esc(answer.backend)} · {seconds:.1f} s"
    earlier = answer.read_with
    if earlier is not None:  # each question isolated: an English one inside Arabic text keeps its order
        meta += f' · read with the earlier question: <bdi dir="auto">{esc(earlier)}</bdi>'
    elif answer.standalone_question != answer.question:
        meta += f' · understood as: <bdi dir="auto">{esc(answer.standalone_question)}</bdi>'
    return (
        f'<div class="msg bot state-{answer.state}" data-state="{answer.state}">'
        f'<span class="badge">{label}</span><span class="badge-note">{note}</span>'
        f'<div class="answer-body">{body}</div>'
        f'<div class="citations">{citations}</div>{removed}<div class="meta">{meta}</div></div>'
    )


def render_error(message: str) -> str:
    return f'<div class="msg bot error" role="alert" dir="auto">{esc(message)}</div>'


def render_pending(status: str, written: str) -> str:
    text = f'<div class="pending-text" dir="auto">{esc(written)}</div>' if written else ""
    return f'<div class="msg bot state-pending"><span class="badge">{esc(status)}</span>{text}</div>'


def render_transcript(turns: list[Turn], pending: tuple[str, str] | None = None) -> str:
    """The whole conversation; ``pending`` is the question being answered and its answer so far."""
    if not turns and pending is None:
        return (
            '<div class="empty-hint">Ask about the articles, in English or Arabic. Every answer cites the '
            "sentence it rests on; click a marker like [1] to read it in its passage.</div>"
        )
    parts = [
        f'<div class="turn"><div class="msg user" dir="auto">{esc(t["question"])}</div>{t["html"]}</div>' for t in turns
    ]
    if pending is not None:
        question, answer_html = pending
        parts.append(f'<div class="turn"><div class="msg user" dir="auto">{esc(question)}</div>{answer_html}</div>')
    return "".join(parts)


def render_sources(assistant: Any) -> str:
    """The ingested articles as an escaped table."""
    infos = assistant.articles()
    if not infos:
        return '<p class="empty-hint">No articles yet: upload files below.</p>'
    rows = "".join(
        f'<tr><td dir="auto">{esc(i.title or "untitled")}</td><td>{esc(i.published or "—")}</td>'
        f"<td>{esc(i.source)}</td><td>{i.n_chunks}</td></tr>"
        for i in infos
    )
    return (
        f'<table class="sources"><thead><tr><th>Article</th><th>Date</th><th>Source</th><th>Chunks</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def article_choices(assistant: Any) -> list[tuple[str, str]]:
    """(label, article id) pairs for the filter; labels are plain text (Gradio escapes them)."""
    return [(f"{i.title or 'untitled'} ({i.source})", i.article_id) for i in assistant.articles()]
