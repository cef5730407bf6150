"""The chat UI (Gradio Blocks): streamed, cited answers, passage previews, sources and uploads.

Layout: the conversation on the left, the sources panel (articles, a filter, uploads) and the
answer settings on the right. Every answer shows its verification state; every ``[n]`` marker
opens its passage with the quoted sentence highlighted. The HTML is made by ``ui.html``; this
module wires it to Gradio and to the ``Assistant``.

Each browser session has its own conversation (``gr.State``); the models are shared.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.assistant import MAX_QUESTION_CHARS, SUPPORTED_SUFFIXES, check_question
from assistant.errors import BriefingError, QuestionError, SettingsError
from assistant.records import AnswerEvent, StatusEvent, TokenEvent
from assistant.settings import BACKENDS, Backend
from assistant.ui.html import (
    CSS,
    STATUS_TEXT,
    TRANSCRIPT_JS,
    Turn,
    article_choices,
    render_answer,
    render_error,
    render_pending,
    render_sources,
    render_transcript,
)
from assistant.ui.sources import add_address

log = logging.getLogger(__name__)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls


class ChatSession:
    """The UI's handlers, bound to one assistant (shared) — state per browser lives in ``gr.State``."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant

    def ask(
        self, question: str, turns: list[Turn], backend: Backend, passages: float, article_ids: list[str]
    ) -> Iterator[tuple[str, list[Turn], str]]:
        """Stream (transcript HTML, turns, question box) while the answer is made."""
        turns = list(turns or [])
        question = (question or "").strip()
        if not question:  # the same words as the CLI and the API; nothing is asked, nothing kept
            try:
                check_question(question)
            except QuestionError as exc:
                yield render_transcript(turns) + render_error(str(exc)), turns, ""
            return
        pending = render_pending(STATUS_TEXT["retrieving"], "")
        yield render_transcript(turns, (question, pending)), turns, ""
        history = [t["standalone"] for t in turns if t.get("standalone")]
        written = ""
        status = STATUS_TEXT["retrieving"]
        answer_html: str
        standalone = ""
        try:
            events = self.assistant.stream(
                question,
                history=history,
                backend=backend,
                article_ids=list(article_ids or []),
                passages=int(passages),
            )
            for event in events:
                if isinstance(event, StatusEvent):
                    status = STATUS_TEXT.get(event.stage, status)
                    if event.quote:  # the quote comes first; its rendering once checked
                        written = f"«{event.quote}»"
                elif isinstance(event, TokenEvent):
                    written += event.text
                elif isinstance(event, AnswerEvent):
                    standalone = event.answer.standalone_question
                    answer_html = render_answer(event.answer, len(turns))
                    break
                yield render_transcript(turns, (question, render_pending(status, written))), turns, ""
            else:
                answer_html = render_error("The answer pipeline stopped without an answer; please ask again.")
        except BriefingError as exc:
            answer_html = render_error(str(exc))
        except Exception:  # noqa: BLE001 - a user sees a sentence, the log keeps the traceback
            log.exception("answering %r failed", question)
            answer_html = render_error("Something went wrong while answering; the server log has the details.")
        turns.append({"question": question, "standalone": standalone, "html": answer_html})
        yield render_transcript(turns), turns, ""

    def brief(
        self, topic: str, language: str, backend: Backend, article_ids: list[str], progress: Any = None
    ) -> tuple[str, list[str] | None]:
        """(briefing HTML, its .md/.html/.json files) — or a readable error and no files. ``progress``
        (Gradio's) shows each step as it starts: a model's renderings take seconds each."""
        try:
            briefing = self.assistant.brief(
                (topic or "").strip() or None,
                articles=list(article_ids or []) or None,
                language=language,
                backend=backend,
                progress=(lambda step: progress(None, desc=f"{step}…")) if progress is not None else None,
            )
        except BriefingError as exc:
            return render_error(str(exc)), None
        except Exception:  # noqa: BLE001
            log.exception("briefing %r failed", topic)
            return render_error(
                "Something went wrong while writing the briefing; the server log has the details."
            ), None
        folder = Path(tempfile.mkdtemp(prefix="briefing-"))
        files = {
            "briefing.md": briefing.to_markdown(),
            "briefing.html": briefing.to_html(),
            "briefing.json": json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2),
        }
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return briefing.html_body(), [str(folder / name) for name in files]

    def ingest(self, files: list[str] | None, progress: Any = None) -> tuple[str, str, Any]:
        """Copy uploads into ``<store>/uploads`` and ingest them; (message, sources table, filter update)."""
        import gradio as gr

        messages: list[str] = []
        paths: list[Path] = []
        uploads = Path(self.assistant.settings.vectorstore_dir) / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        for name in files or []:
            source = Path(name)
            if source.suffix.lower() not in SUPPORTED_SUFFIXES:
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                messages.append(f"{source.name}: not ingested; upload one of {kinds}.")
                continue
            stem = re.sub(r"[^\w.\- ]", "_", source.name[: -len(source.suffix)]).strip(". ") or "upload"
            name = stem + source.suffix.lower()  # a plain name in the uploads folder, never a path
            target = uploads / name
            if target.exists() and target.read_bytes() != source.read_bytes():
                target = uploads / f"{Path(name).stem}-{os.urandom(3).hex()}{Path(name).suffix}"
            if target.resolve().parent != uploads.resolve():
                messages.append(f"{source.name}: not ingested; the file name is not allowed.")
                continue
            shutil.copyfile(source, target)
            paths.append(target)
        if paths:

            def report(done: int, seen: int) -> None:
                if progress is not None and seen:
                    progress(done / seen, desc=f"ingesting {done}/{seen}")

            try:
                result = self.assistant.ingest(paths, progress=report)
                messages.insert(0, f"Ingested: {result.summary()}.")
                messages.extend(f"{Path(f.path).name}: {f.reason}" for f in result.failed)
                messages.extend(f"{Path(w.path).name}: ingested; {w.reason}" for w in result.warnings)
            except BriefingError as exc:
                messages.append(str(exc))
            except Exception:  # noqa: BLE001
                log.exception("ingesting %s failed", paths)
                messages.append("Ingestion failed; the server log has the details. Nothing else was changed.")
        if not messages:
            messages.append("Choose files to ingest first.")
        return (
            "\n".join(f"- {m}" for m in messages),
            render_sources(self.assistant),
            gr.update(choices=article_choices(self.assistant)),
        )

    def add_url(self, url: str) -> tuple[str, str, Any, str]:
        """Ingest a page, PDF or feed by its URL; (message, sources table, filter update, emptied box)."""
        import gradio as gr

        message = add_address(self.assistant, url)
        return message, render_sources(self.assistant), gr.update(choices=article_choices(self.assistant)), ""


def build_app(assistant: Any) -> Any:
    """The Gradio Blocks app for an assistant (not launched)."""
    import gradio as gr

    session = ChatSession(assistant)
    with gr.Blocks(title="Briefing assistant") as app:
        turns = gr.State([])
        gr.Markdown(
            "## Briefing assistant\n"
            "Answers come only from the ingested articles. Every answer says how it was checked: "
            "**Verified** (code checked it against the quoted sentence), **Checked translation** (code "
            "traced every English word to the quoted Arabic: hover a word), **Quoted** (the article's own "
            "words), **Draft, unverified** (a machine translation with untraced words: rely on the original "
            "beside it), or **Not in the articles**."
        )
        with gr.Row():
            with gr.Column(scale=3), gr.Tabs():
                transcript, question, ask, clear = _chat_tab()
                topic, brief_language, brief_backend, write, briefing_view, downloads = _briefing_tab(
                    assistant.settings.briefing.backend
                )
            with gr.Column(scale=2):
                sources, only, upload, ingest_status, address, add = _sources_panel(assistant)
                backend, passages = _answer_settings(assistant.settings)
        inputs = [question, turns, backend, passages, only]
        outputs = [transcript, turns, question]
        ask.click(session.ask, inputs, outputs, concurrency_limit=1, concurrency_id="answer", api_name="ask")
        question.submit(
            session.ask, inputs, outputs, concurrency_limit=1, concurrency_id="answer", api_visibility="private"
        )
        clear.click(lambda: (render_transcript([]), []), None, [transcript, turns])

        def ingest(files: list[str] | None, progress: Any = gr.Progress()) -> tuple[str, str, Any]:  # noqa: B008
            return session.ingest(files, progress)

        upload.upload(ingest, upload, [ingest_status, sources, only], concurrency_limit=1)
        add.click(session.add_url, address, [ingest_status, sources, only, address], concurrency_limit=1)

        def brief(
            topic: str,
            language: str,
            backend: Backend,
            ids: list[str],
            progress: Any = gr.Progress(),  # noqa: B008
        ) -> tuple[str, list[str] | None]:
            return session.brief(topic, language, backend, ids, progress)

        write.click(
            brief,
            [topic, brief_language, brief_backend, only],
            [briefing_view, downloads],
            concurrency_limit=1,
            concurrency_id="answer",
        )
        # Each page load lists the store as it is now (another session may have added articles).
        app.load(
            lambda: (render_sources(assistant), gr.update(choices=article_choices(assistant))), None, [sources, only]
        )
    return app


def _text_input(placeholder: str, elem_id: str, scale: int, **options: Any) -> Any:
    """A one-line box for a question or a topic, as long as a question may be."""
    import gradio as gr

    return gr.Textbox(
        placeholder=placeholder,
        show_label=False,
        scale=scale,
        elem_id=elem_id,
        max_length=MAX_QUESTION_CHARS,
        **options,
    )


def _chat_tab() -> tuple[Any, ...]:
    """The conversation tab: (transcript, question box, ask button, new-conversation button)."""
    import gradio as gr

    with gr.Tab("Chat", id="chat"):
        transcript = gr.HTML(render_transcript([]), elem_id="transcript", js_on_load=TRANSCRIPT_JS)
        with gr.Row():
            question = _text_input("What did Rubio tell Russia?  /  ماذا قال روبيو لروسيا؟", "question", 5, rtl=False)
            ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
        clear = gr.Button("New conversation", size="sm", elem_id="clear")
    return transcript, question, ask, clear


def _briefing_tab(default_backend: str) -> tuple[Any, ...]:
    """The briefing tab: (topic, language, backend, write button, briefing view, downloads); the
    backend defaults to ``settings.briefing.backend``, as ``briefing brief`` does."""
    import gradio as gr

    with gr.Tab("Briefing", id="briefing"):
        with gr.Row():
            topic = _text_input(
                "Topic, e.g. Ukraine peace talks (empty: all articles, or the ticked ones)", "brief-topic", 4
            )
            brief_language = gr.Radio(["en", "ar"], value="en", show_label=False, scale=1, elem_id="brief-language")
            brief_backend = gr.Radio(
                sorted(BACKENDS, key=lambda name: name != "extractive"),  # the quick one first
                value=default_backend,
                label="Renderings",
                info="extractive: quotes only; local: adds draft English for up to 8 quotes (slow)",
                scale=2,
                elem_id="brief-backend",
            )
        write = gr.Button("Write briefing", variant="primary", elem_id="brief-write")
        briefing_view = gr.HTML(
            '<p class="empty-hint">A briefing lists the summary, who said what, a timeline, disputed '
            "points and open questions, each line quoting its article.</p>",
            elem_id="briefing",
        )
        downloads = gr.File(label="Download", file_count="multiple", elem_id="brief-files")
    return topic, brief_language, brief_backend, write, briefing_view, downloads


def _sources_panel(assistant: Any) -> tuple[Any, ...]:
    """The sources accordion: (articles table, article filter, upload, ingestion messages, address box, its
    button)."""
    import gradio as gr

    with gr.Accordion("Sources", open=True):
        sources = gr.HTML(render_sources(assistant), elem_id="sources")
        only = gr.CheckboxGroup(
            choices=article_choices(assistant),
            label="Answer only from these articles (none ticked: all)",
            elem_id="filter",
        )
        upload = gr.File(
            label="Add articles (.txt, .md, .html, .jsonl, .pdf, .docx)",
            file_count="multiple",
            file_types=sorted(SUPPORTED_SUFFIXES),
            elem_id="upload",
        )
        with gr.Row():
            address = gr.Textbox(placeholder="https://… a web page, a PDF or an RSS/Atom feed", show_label=False,
                                 scale=4, elem_id="address")  # fmt: skip
            add = gr.Button("Add", size="sm", scale=1, elem_id="add-address")
        ingest_status = gr.Markdown(elem_id="ingest-status")
    return sources, only, upload, ingest_status, address, add


def _answer_settings(settings: Any) -> tuple[Any, Any]:
    """The answer settings accordion: (backend choice, passages slider)."""
    import gradio as gr

    with gr.Accordion("Answer settings", open=True):
        backend = gr.Radio(
            list(BACKENDS),
            value=settings.llm.backend,
            label="Who writes the answer",
            info="local: the offline model; openai: an OpenAI-compatible server; extractive: quotes only",
            elem_id="backend",
        )
        passages = gr.Slider(
            1, 10, value=settings.answer.passages, step=1, label="Passages retrieved", elem_id="passages"
        )
    return backend, passages


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def check_exposure(host: str, settings: Any) -> None:
    """Refuse to serve beyond this machine without a login: the store and the model are shared."""
    if host not in LOOPBACK and not settings.auth_user:
        raise SettingsError(
            f"--host {host} exposes the assistant beyond this machine; set BRIEFING_UI__AUTH_USER and "
            "BRIEFING_UI__AUTH_PASSWORD for a login, or bind 127.0.0.1."
        )


def serve(assistant: Any, host: str | None = None, port: int | None = None, *, warm: bool = True) -> None:
    """Load the models, then serve the UI until interrupted; prints the address."""
    import gradio as gr

    settings = assistant.settings.ui
    host = host or settings.host
    port = port or settings.port
    check_exposure(host, settings)
    if warm:  # load the embedder and the answer model now, not on the first question
        assistant.search("warm-up", 1)
        assistant.answerer()
    auth = (settings.auth_user, settings.auth_password) if settings.auth_user else None
    app = build_app(assistant)
    app.queue(default_concurrency_limit=1)
    print(f"Briefing assistant UI: http://{host}:{port}  (Ctrl+C stops it)", flush=True)
    app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        share=False,
        ssr_mode=False,
        quiet=True,
        max_file_size=f"{settings.max_upload_mb}mb",
        theme=gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]),
        css=CSS,
    )
