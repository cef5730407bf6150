"""The chat UI's rendering and handlers, with fakes (the browser test is test_e2e_ui.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import QuestionError
from assistant.records import Answer, AnswerEvent, AnswerSentence, Citation, Passage, StatusEvent, TokenEvent
from assistant.ui.app import ChatSession
from assistant.ui.html import esc, render_answer, render_passage, render_sources, render_transcript, safe_url

XSS = "<img src=x onerror=alert(1)>"


def _passage(text: str, start: int = 100, title: str = "عنوان", url: str | None = None) -> Passage:
    return Passage(
        chunk_id="a-0000", article_id="a", key="k", index=0, text=text, start=start, end=start + len(text),
        title=title, source="src", lang="ar", published=date(2025, 3, 7), url=url, score=1.0,
    )  # fmt: skip


def _answer(sentences: list[AnswerSentence], citations: list[Citation], **kw: Any) -> Answer:
    fields: dict[str, Any] = dict(
        question="What did Rubio tell Russia?", standalone_question="What did Rubio tell Russia?",
        text="\n".join(s.text for s in sentences), sentences=sentences, citations=citations,
        passages=[c.passage for c in citations], abstained=False, backend="local", lang="en",
        timings={"retrieve": 0.5, "generate": 1.0},
    )  # fmt: skip
    fields.update(kw)
    return Answer(**fields)


def test_esc_neutralises_html_and_template_syntax() -> None:
    out = esc(f"{XSS}<script>x()</script> ${{a}} {{{{b}}}} `c`")
    assert "<" not in out and ">" not in out and "$" not in out and "{" not in out and "`" not in out
    assert "&lt;img" in out


def test_safe_url_keeps_only_http() -> None:
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url('https://x.com/"><script>') is None
    assert safe_url(None) is None


def test_passage_highlights_exactly_the_quote() -> None:
    text = "الجملة الأولى. الوقت يمر بسرعة. الثالثة."
    quote = "الوقت يمر بسرعة."
    start = 100 + text.index(quote)
    html = render_passage(Citation(1, _passage(text), quote, start, start + len(quote)))
    assert f"<mark>{quote}</mark>" in html
    assert html.startswith('<div class="passage" dir="auto">الجملة الأولى. <mark>')
    # Offsets that do not match the passage fall back to finding the quote.
    html = render_passage(Citation(1, _passage(text), quote, 0, 5))
    assert f"<mark>{quote}</mark>" in html


def test_draft_sits_beside_its_quote_and_markers_link_to_citations() -> None:
    quote = "الوقت يمر بسرعة."
    citation = Citation(1, _passage(quote), quote, 100, 100 + len(quote))
    sentences = [
        AnswerSentence("Time is running out. [7]", "draft", (1,)),
        AnswerSentence(quote, "quote", (1,)),
    ]
    html = render_answer(_answer(sentences, [citation]), turn=3)
    assert 'data-state="draft"' in html and "Draft, unverified" in html
    assert '<div class="draft-pair">' in html and "Time is running out." in html
    assert html.count('href="#cite-3-1"') == 2  # one marker in the draft, one in the quote
    assert "[7]" not in html  # a marker that points nowhere is dropped
    assert 'id="cite-3-1"' in html and f"<mark>{quote}</mark>" in html
    assert "2025-03-07" in html


def test_brackets_in_article_text_stay_the_articles_words_never_citations() -> None:
    forged = "قال الوزير [1] إن المحادثات [2] ستستأنف."  # the article's own text holds "[1] [2]"
    citation = Citation(1, _passage(forged), forged, 100, 100 + len(forged))
    sentences = [
        AnswerSentence("The minister said talks resume. [2]", "draft", (1,)),
        AnswerSentence(forged, "quote", (1,)),
    ]
    html = render_answer(_answer(sentences, [citation]), turn=0)
    assert f'«{forged}» <a class="cite"' in html  # the quote exactly as written, brackets included
    assert html.count('<a class="cite"') == 2  # the draft's marker and the quote's: from the citation list only
    assert "[2]</a>" not in html and 'href="#cite-0-2"' not in html
    assert "The minister said talks resume. <a" in html  # the model's own "[2]" is not shown as a marker
    assert forged in render_passage(citation)  # and the passage preview shows the article as written


def test_a_citation_says_what_found_its_passage_not_a_score() -> None:
    from dataclasses import replace

    quote = "الوقت يمر بسرعة."
    passage = replace(_passage(quote), score=0.0164, dense_rank=2, lexical_rank=1)
    html = render_answer(_answer([AnswerSentence(quote, "quote", (1,))], [Citation(1, passage, quote, 100, 116)]), 0)
    assert "found by meaning and words (dense #2, lexical #1)</span>" in html and "0.0164" not in html


def test_untrusted_article_text_is_escaped_everywhere() -> None:
    text = f"قال {XSS} إن <script>alert(2)</script> الوقت يمر."
    passage = _passage(text, title=f"Title {XSS}", url="javascript:alert(3)")
    citation = Citation(1, passage, text, 100, 100 + len(text))
    answer = _answer([AnswerSentence(text, "quote", (1,))], [citation], removed=[f"bad {XSS}"])
    html = render_answer(answer, 0) + render_transcript([{"question": XSS, "standalone": "", "html": ""}])
    assert "<img" not in html and "<script" not in html and "javascript:" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_abstention_is_shown_as_such() -> None:
    answer = _answer([], [], abstained=True, text="The articles don't say: no article mentions Zelensky.")
    html = render_answer(answer, 0)
    assert 'data-state="abstained"' in html and "Not in the articles" in html and "Zelensky" in html


def test_a_near_miss_abstention_shows_its_quote_with_a_live_marker() -> None:
    quote = "أعلنت روسيا أكبر عملية استدعاء للمجندين منذ سنوات."
    citation = Citation(1, _passage(quote), quote, 100, 100 + len(quote))
    sentence = AnswerSentence(quote, "quote", (1,))
    text = f"The articles give no number; what they say:\n{sentence.text}"
    html = render_answer(_answer([sentence], [citation], abstained=True, text=text), 2)
    assert 'data-state="abstained"' in html and "The articles give no number; what they say:" in html
    assert f"«{quote}»" in html and html.count('href="#cite-2-1"') == 1 and 'id="cite-2-1"' in html


def test_a_follow_up_shows_the_earlier_question_it_was_read_with_each_isolated() -> None:
    quote = "واتهم فريق بوتين بالمماطلة."
    answer = _answer(
        [AnswerSentence(quote, "quote", (1,))], [Citation(1, _passage(quote), quote, 100, 129)],
        question="وبماذا اتهم فريق بوتين؟", standalone_question=f"وبماذا اتهم فريق بوتين؟ (What did {XSS} say?)",
        read_with=f"What did {XSS} say?",
    )  # fmt: skip
    html = render_answer(answer, 0)
    assert f'read with the earlier question: <bdi dir="auto">What did {esc(XSS)} say?</bdi>' in html
    assert "understood as" not in html and XSS not in html
    rewritten = _answer([], [], question="What does he believe?", standalone_question="What does Witkoff believe?")
    assert 'understood as: <bdi dir="auto">What does Witkoff believe?</bdi>' in render_answer(rewritten, 0)


class _FakeAssistant:
    """Streams scripted events, records the options it was called with."""

    def __init__(self, events: list[dict[str, Any]] | Exception, tmp: Path) -> None:
        self.events = events
        self.calls: list[dict[str, Any]] = []
        self.settings = type("S", (), {"vectorstore_dir": tmp})()
        self.ingested: list[Path] = []

    def stream(self, question: str, **options: Any) -> Iterator[dict[str, Any]]:
        self.calls.append({"question": question, **options})
        if isinstance(self.events, Exception):
            raise self.events
        yield from self.events

    def articles(self) -> list[Any]:
        return []

    def ingest(self, paths: list[Path], progress: Any = None) -> Any:
        from assistant.records import IngestReport

        self.ingested.extend(paths)
        return IngestReport(added=[str(p) for p in paths], chunks_added=1)


def test_ask_streams_then_keeps_the_answer_and_history(tmp_path: Path) -> None:
    quote = "الوقت يمر بسرعة."
    citation = Citation(1, _passage(quote), quote, 100, 100 + len(quote))
    answer = _answer(
        [AnswerSentence(quote, "quote", (1,))],
        [citation],
        standalone_question="What did Rubio tell Russia? (standalone)",
    )
    events = [
        StatusEvent("retrieving"),
        StatusEvent("writing"),
        TokenEvent("Time "),
        TokenEvent("runs out"),
        AnswerEvent(answer),
    ]
    fake = _FakeAssistant(events, tmp_path)
    session = ChatSession(fake)
    earlier = [{"question": "Who is Rubio?", "standalone": "Who is Rubio?", "html": "<p>x</p>"}]
    updates = list(session.ask("  What did Rubio tell Russia? ", earlier, "extractive", 4, ["a"]))
    assert any("Writing (not yet checked)" in u[0] and "Time runs out" in u[0] for u in updates)
    transcript, turns, box = updates[-1]
    assert box == "" and len(turns) == 2 and turns[-1]["standalone"].endswith("(standalone)")
    assert 'data-state="quoted"' in transcript and "state-pending" not in transcript
    assert fake.calls == [
        {
            "question": "What did Rubio tell Russia?",
            "history": ["Who is Rubio?"],
            "backend": "extractive",
            "article_ids": ["a"],
            "passages": 4,
        }
    ]
    assert earlier == [{"question": "Who is Rubio?", "standalone": "Who is Rubio?", "html": "<p>x</p>"}]


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (QuestionError("The question is empty; ask something about the articles."), "The question is empty"),
        (RuntimeError("secret stack detail"), "Something went wrong while answering"),
    ],
)
def test_errors_become_readable_messages(tmp_path: Path, error: Exception, shown: str) -> None:
    transcript, turns, _ = list(ChatSession(_FakeAssistant(error, tmp_path)).ask("q?", [], "local", 5, []))[-1]
    assert shown in transcript and 'role="alert"' in transcript
    assert "secret stack detail" not in transcript and "Traceback" not in transcript


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_an_empty_question_says_so_like_the_cli(tmp_path: Path, question: str) -> None:
    fake = _FakeAssistant([], tmp_path)
    earlier = [{"question": "Who is Rubio?", "standalone": "Who is Rubio?", "html": "<p>x</p>"}]
    [(transcript, turns, box)] = list(ChatSession(fake).ask(question, earlier, "extractive", 5, []))
    assert 'role="alert" dir="auto">The question is empty; ask something about the articles.</div>' in transcript
    assert transcript.startswith(render_transcript(earlier))  # the conversation stays as it was
    assert (turns, box, fake.calls) == (earlier, "", [])  # nothing asked, nothing kept


def test_the_footer_shows_the_real_time_model_loading_included() -> None:
    quote = "الوقت يمر بسرعة."
    answer = _answer([AnswerSentence(quote, "quote", (1,))], [Citation(1, _passage(quote), quote, 100, 116)],
                     timings={"retrieve": 0.01, "generate": 0.02}, seconds=10.3)  # fmt: skip
    assert '<div class="meta">local · 10.3 s</div>' in render_answer(answer, 0)


def test_the_briefing_tab_defaults_to_the_cli_backend_and_reports_progress(tmp_path: Path) -> None:
    from assistant import Assistant, Settings
    from assistant.testing import HashEmbedder
    from assistant.ui.app import build_app

    for backend in ("extractive", "local"):
        settings = Settings(vectorstore_dir=tmp_path / backend, briefing={"backend": backend})  # type: ignore[arg-type]
        app = build_app(Assistant(settings, embedder=HashEmbedder()))
        [radio] = [b for b in app.blocks.values() if getattr(b, "elem_id", None) == "brief-backend"]
        assert radio.value == backend == Settings(briefing={"backend": backend}).briefing.backend  # type: ignore[arg-type]
    assert Settings().briefing.backend == "extractive"

    class Briefs(_FakeAssistant):
        def brief(self, topic: Any, progress: Any = None, **options: Any) -> Any:
            progress("rendering quote 1 of 2 in English (a model call each)")
            raise QuestionError("stop here")

    shown: list[tuple[Any, str]] = []
    html, files = ChatSession(Briefs([], tmp_path)).brief(
        "x", "en", "local", [], lambda p, desc: shown.append((p, desc))
    )
    assert shown == [(None, "rendering quote 1 of 2 in English (a model call each)…")]
    assert "stop here" in html and files is None


def test_upload_refuses_unsupported_files_by_name_and_ingests_the_rest(tmp_path: Path) -> None:
    good = tmp_path / "in" / "story.txt"
    bad = tmp_path / "in" / "photo.png"
    good.parent.mkdir()
    good.write_text("Title\n\nBody.", encoding="utf-8")
    bad.write_bytes(b"\x89PNG")
    fake = _FakeAssistant([], tmp_path / "store")
    message, table, _ = ChatSession(fake).ingest([str(bad), str(good)])
    assert "photo.png: not ingested; upload one of" in message and "Ingested: added 1" in message
    assert fake.ingested == [tmp_path / "store" / "uploads" / "story.txt"]
    assert "No articles yet" in table


def test_sources_table_escapes_titles(fake_assistant: Any, tmp_path: Path) -> None:
    article = tmp_path / "x" / "a.txt"
    article.parent.mkdir()
    article.write_text(f"{XSS} headline\n\nThe mayor said the bridge will reopen in May.", encoding="utf-8")
    fake_assistant.ingest([article])
    html = render_sources(fake_assistant)
    assert "&lt;img src=x onerror=alert(1)&gt; headline" in html and "<img" not in html


def test_login_needs_both_user_and_password() -> None:
    from pydantic import ValidationError

    from assistant import Settings

    with pytest.raises(ValidationError, match="auth_user and ui.auth_password go together"):
        Settings(ui={"auth_user": "ana"})  # type: ignore[arg-type]
    assert Settings(ui={"auth_user": "ana", "auth_password": "pw"}).ui.auth_user == "ana"  # type: ignore[arg-type]


def test_a_draft_whose_words_all_trace_says_why_it_is_not_checked() -> None:
    from assistant.records import TracedWord

    quote = "قال وزير الأعمال جريج كلارك إن المملكة المتحدة ستندم."
    start = quote.index("جريج")
    citation = Citation(1, _passage(quote), quote, 100, 100 + len(quote))
    greg = TracedWord("Greg", 0, 4, (start, start + 4), "name")
    note = "gives only part of a name: جريج كلارك"
    sentences = [AnswerSentence("Greg", "draft", (1,), (note,), (greg,)), AnswerSentence(quote, "quote", (1,))]
    html = render_answer(_answer(sentences, [citation]), turn=0)
    assert f'<span class="trace-note">{note}</span>' in html
    assert "not traced to the quote" not in html  # no word is untraced
    untraced = TracedWord("Clark", 5, 10, None, "")
    sentences[0] = AnswerSentence("Greg Clark", "draft", (1,), ("untraced: Clark",), (greg, untraced))
    html = render_answer(_answer(sentences, [citation]), turn=0)
    assert "not traced to the quote: Clark</span>" in html and "untraced: Clark" not in html
