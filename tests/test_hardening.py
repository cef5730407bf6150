"""Hardening (issue 8) with the hash embedder: every kind of bad input gets its own clear message
and nothing else is lost; uploads stay in their folder; the UI is not exposed without a login.
(Concurrency and prompt injection with the real models: test_e2e_hardening.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, QuestionError
from assistant.errors import SettingsError

ARABIC = "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في الرياض بحضور الوفدين. " * 8


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Files of every bad kind, and the message each must get (or "" when it must be ingested)."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    damaged = ("عنوان سليم\n\n" + ARABIC).encode("utf-8")
    (folder / "damaged_utf8.txt").write_bytes(damaged[:300] + b"\xff\xfe" + damaged[300:])
    (folder / "cp1256.txt").write_bytes(("عنوان بترميز ويندوز\n\n" + ARABIC).encode("cp1256"))
    (folder / "huge.txt").write_bytes(b"word " * 10_500_000)  # 52.5 MB
    (folder / "page.html").write_text(
        "<html><head><title>Library</title><script>alert(1)</script></head><body>"
        '<iframe src="https://evil.example/"></iframe><article><h1>Library</h1><p>The council said the new '
        "library opens on Monday with ten thousand books on its shelves.</p><script>steal()</script>"
        "</article></body></html>",
        encoding="utf-8",
    )
    rows = [
        json.dumps({"title": "Good one", "text": "The first good article has enough words to be an article."}),
        "{bad json",
        json.dumps({"title": "No text"}),
        json.dumps({"title": "Good two", "text": "The second good article also has enough words to stand."}),
    ]
    (folder / "mixed.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {
        "empty.txt": "the file is empty; nothing to ingest",
        "binary.txt": "the file is binary, not text",
        "huge.txt": "over the limit of 20,000,000; split it or raise BRIEFING_INGEST__MAX_FILE_BYTES",
        "mixed.jsonl:2": "not valid JSON",
        "mixed.jsonl:3": "the row has no 'text' field",
    }


def test_every_bad_input_is_named_and_the_good_ones_get_in(fake_assistant: Assistant, tmp_path: Path) -> None:
    expected = _bad_inputs(tmp_path / "in")
    report = fake_assistant.ingest([tmp_path / "in"])
    failures = {Path(f.path).name: f.reason for f in report.failed}
    assert set(failures) == set(expected)
    for name, message in expected.items():
        assert message in failures[name], (name, failures[name])
    titles = {a.title for a in fake_assistant.articles()}
    assert titles == {"Good one", "Good two", "Library", "عنوان سليم", "عنوان بترميز ويندوز"}
    # Damaged UTF-8 keeps its Arabic, with the bad bytes replaced and a note saying so.
    [warning] = report.warnings
    assert Path(warning.path).name == "damaged_utf8.txt" and "replaced" in warning.reason
    damaged = next(a for a in fake_assistant.articles() if a.title == "عنوان سليم")
    assert "المحادثات ستستأنف" in (fake_assistant.article_text(damaged.article_id) or "")
    # HTML: the main text only, no script or iframe.
    library = next(a for a in fake_assistant.articles() if a.title == "Library")
    text = fake_assistant.article_text(library.article_id) or ""
    assert "ten thousand books" in text and "alert" not in text and "steal" not in text and "iframe" not in text


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "The question is empty"), ("   \n ", "The question is empty"), ("x" * 10_000, "the limit is 2,000")],
)
def test_bad_questions_fail_clearly_everywhere(fake_assistant: Assistant, question: str, message: str) -> None:
    for call in (fake_assistant.search, fake_assistant.ask, lambda q: list(fake_assistant.stream(q))):
        with pytest.raises(QuestionError, match=message):
            call(question)


def test_ui_question_box_reports_a_too_long_question(fake_assistant: Assistant, seed_path: Path) -> None:
    from assistant.ui.app import ChatSession

    fake_assistant.ingest([seed_path])
    *_, (transcript, turns, _) = ChatSession(fake_assistant).ask("x" * 10_000, [], "extractive", 5, [])
    assert "the limit is 2,000" in transcript and 'role="alert"' in transcript


@pytest.mark.parametrize("name", ["../../escape.txt", "..txt", "a/../../b.txt", "<img src=x>.txt", "CON .txt"])
def test_uploads_stay_in_the_uploads_folder(fake_assistant: Assistant, tmp_path: Path, name: str) -> None:
    from assistant.ui.app import ChatSession

    source = tmp_path / "gradio-tmp" / Path(name).name
    source.parent.mkdir(parents=True)
    source.write_text("A title\n\nThe mayor said the bridge will reopen in May.", encoding="utf-8")
    message, _, _ = ChatSession(fake_assistant).ingest([str(source)])
    uploads = (fake_assistant.settings.vectorstore_dir / "uploads").resolve()
    stored = [p for p in uploads.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].parent == uploads, stored
    assert "Ingested: added 1" in message
    assert not list(tmp_path.glob("escape*")) and not (tmp_path.parent / "escape.txt").exists()


def test_serving_beyond_localhost_needs_a_login(tmp_path: Path) -> None:
    from assistant import Settings
    from assistant.ui.app import check_exposure

    open_settings = Settings(vectorstore_dir=tmp_path).ui
    check_exposure("127.0.0.1", open_settings)  # the default: this machine only
    with pytest.raises(SettingsError, match="set BRIEFING_UI__AUTH_USER and BRIEFING_UI__AUTH_PASSWORD"):
        check_exposure("0.0.0.0", open_settings)
    login: Any = {"auth_user": "ana", "auth_password": "secret"}
    check_exposure("0.0.0.0", Settings(vectorstore_dir=tmp_path, ui=login).ui)
    assert open_settings.host == "127.0.0.1"
