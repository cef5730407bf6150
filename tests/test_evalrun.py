"""Running a question set with fakes: the folder it writes, resume, stamps, eval-compare, the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings
from assistant.errors import SettingsError
from assistant.evaluation.runner import (
    compare_runs,
    flatten,
    gate_failures,
    read_results,
    run_eval,
    settings_hash,
)

ROWS = [
    {
        "id": "en-1",
        "question": "What did Rubio tell Russia?",
        "lang": "en",
        "answerable": True,
        "must": [["الوقت يمر"]],
        "reference": "time is running out",
        "evidence": ["الوقت يمر بسرعة"],
    },
    {
        "id": "ar-1",
        "question": "ماذا قال روبيو لروسيا عن الوقت؟",
        "lang": "ar",
        "answerable": True,
        "must": [["الوقت يمر"]],
        "reference": "أن الوقت يمر بسرعة",
        "evidence": ["الوقت يمر بسرعة"],
    },
    {
        "id": "un-1",
        "question": "What did Zelensky say about the energy ceasefire?",
        "lang": "en",
        "answerable": False,
        "must": [],
        "reference": "",
        "evidence": [],
    },
    {
        "id": "mt-1",
        "turns": ["Who is Steve Witkoff?"],
        "question": "What does he believe about Putin?",
        "lang": "en",
        "answerable": True,
        "must": [["بوتين"]],
        "reference": "Putin wants a peace deal",
        "evidence": ["على أن بوتين يريد اتفاق سلام"],
    },
]


@pytest.fixture
def seeded(fake_assistant: Assistant, seed_path: Path) -> Assistant:
    fake_assistant.ingest([seed_path])
    return fake_assistant


@pytest.fixture
def question_set(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


def _asked(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every question the answer pipeline is asked (turns included)."""
    asked: list[str] = []
    stream = assistant.stream

    def recording(question: str, **options: Any) -> Any:
        asked.append(question)
        return stream(question, **options)

    monkeypatch.setattr(assistant, "stream", recording)
    return asked


def test_a_run_writes_results_summary_report_and_plots(seeded: Assistant, question_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    summary = run_eval(seeded, question_set, out, backend="extractive")
    assert sorted(p.name for p in out.iterdir()) == [
        "breakdown.png",
        "latency.png",
        "metrics.png",
        "report.md",
        "results.jsonl",
        "retrieval.png",
        "summary.json",
    ]
    rows = read_results(out)
    assert [r["id"] for r in rows] == ["en-1", "ar-1", "un-1", "mt-1"]  # every question, unanswerable too
    assert rows[2]["retrieval"] == {} and rows[2]["key_facts"] is None
    assert rows[3]["turns"] == ["Who is Steve Witkoff?"]
    assert set(rows[0]["retrieval"]) == {"dense", "lexical", "hybrid"}
    assert len(rows[0]["retrieval"]["hybrid"]["retrieved"]) == 10
    assert rows[0]["retrieval"]["hybrid"]["retrieved"][0].startswith("000_409043fa5ea248dc.txt#")
    for row in rows:
        assert {"answer", "state", "citations", "key_facts", "token_f1", "timings", "tokens_in", "run"} <= set(row)
    stamp = summary["stamp"]
    assert stamp["settings_hash"] == settings_hash(seeded.settings, "extractive")
    assert (stamp["embedding_model"], stamp["llm_backend"], stamp["llm_model"]) == (
        "test/hash-embedder",
        "extractive",
        "none",
    )
    assert stamp["store"] == {"articles": 1, "chunks": seeded.catalog.counts()[1]}
    assert summary["questions"] == 4 and summary["unanswerable"] == 1
    assert summary["answers"]["overall"]["quote_fidelity"] == 1.0  # the extractive backend quotes verbatim
    assert json.loads((out / "summary.json").read_text()) == summary
    report = (out / "report.md").read_text()
    assert stamp["settings_hash"] in report and "## Definitions" in report
    for png in ("metrics.png", "retrieval.png", "latency.png", "breakdown.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({png})" in report


def test_an_interrupted_run_resumes_without_asking_again(
    seeded: Assistant, question_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    first = run_eval(seeded, question_set, out, backend="extractive", plots=False)
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    # Killed while writing the third row: two whole rows and half a line.
    (out / "results.jsonl").write_text(lines[0] + "\n" + lines[1] + "\n" + lines[2][:40], encoding="utf-8")
    asked = _asked(seeded, monkeypatch)
    notices: list[str] = []
    progress: list[tuple[int, int]] = []
    second = run_eval(
        seeded,
        question_set,
        out,
        backend="extractive",
        plots=False,
        log=notices.append,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert notices == ["resuming: 2 done"]  # the half line is dropped and its question asked again
    assert asked == [ROWS[2]["question"], *ROWS[3]["turns"], ROWS[3]["question"]]
    assert progress == [(2, 4), (3, 4), (4, 4)]
    assert [r["id"] for r in read_results(out)] == ["en-1", "ar-1", "un-1", "mt-1"]
    assert second["answers"] == first["answers"]


def test_a_finished_run_is_not_asked_again(
    seeded: Assistant, question_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_eval(seeded, question_set, tmp_path / "run", backend="extractive", plots=False)
    asked = _asked(seeded, monkeypatch)
    notices: list[str] = []
    run_eval(seeded, question_set, tmp_path / "run", backend="extractive", plots=False, log=notices.append)
    assert asked == [] and notices == ["resuming: 4 done"]


def test_rows_of_another_run_or_an_edited_question_are_asked_again(
    seeded: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    run_eval(seeded, ROWS, out, backend="extractive", plots=False)
    asked = _asked(seeded, monkeypatch)
    edited = [*ROWS[:3], {**ROWS[3], "question": "What does he think of Putin?"}]
    notices: list[str] = []
    run_eval(seeded, edited, out, backend="extractive", plots=False, log=notices.append)
    assert asked == ["Who is Steve Witkoff?", "What does he think of Putin?"]
    assert notices[0] == "resuming: 3 done" and notices[1].startswith("dropping 1 earlier rows")
    # Retrieval only is another run: nothing of the answer run is kept, no answer is asked.
    notices.clear()
    summary = run_eval(seeded, edited, out, retrieval_only=True, plots=False, log=notices.append)
    assert len(notices) == 1 and notices[0].startswith("dropping 4 earlier rows")
    assert len(asked) == 2 and "answers" not in summary
    assert summary["stamp"]["llm_backend"] == "none (retrieval only)"
    assert all("state" not in r for r in read_results(out))


def test_the_settings_hash_leaves_out_paths_and_secrets(tmp_path: Path) -> None:
    base = Settings(vectorstore_dir=tmp_path / "a", cache_dir=tmp_path / "c")
    moved = Settings(vectorstore_dir=tmp_path / "b", llm={"api_key": "secret"})  # type: ignore[arg-type]
    assert settings_hash(base, "local") == settings_hash(moved, "local")
    assert settings_hash(base, "local") != settings_hash(base, "extractive")
    assert settings_hash(base, "local") != settings_hash(Settings(retrieval={"k": 7}), "local")  # type: ignore[arg-type]
    assert len(settings_hash(base, "local")) == 64


def test_bad_arguments_are_refused(seeded: Assistant, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="modes must be some of dense, lexical, hybrid; got fuzzy"):
        run_eval(seeded, ROWS, tmp_path, modes=["fuzzy"])
    with pytest.raises(SettingsError, match="repeated: en-1"):
        run_eval(seeded, [ROWS[0], ROWS[0]], tmp_path)
    with pytest.raises(SettingsError, match="does not exist"):
        run_eval(seeded, tmp_path / "missing.jsonl", tmp_path)


def _run_folder(folder: Path, summary: dict[str, Any], rows: list[dict[str, Any]]) -> Path:
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_compare_gives_deltas_and_flipped_questions(tmp_path: Path) -> None:
    stamp = {"date": "2026-11-29T10:00:00+00:00", "commit": "abc1234", "settings_hash": "0" * 64}
    a = _run_folder(
        tmp_path / "a",
        {"stamp": stamp, "answers": {"overall": {"key_fact_accuracy": 0.5, "token_f1": 0.25, "n": 2}}},
        [
            {"id": "q1", "lang": "en", "retrieval": {"hybrid": {"rank": 7}}, "key_facts": False, "state": "draft"},
            {"id": "q2", "lang": "ar", "retrieval": {"hybrid": {"rank": 1}}, "key_facts": True, "state": "verified"},
            {"id": "q3", "lang": "ar", "retrieval": {}, "key_facts": None, "state": "abstained"},
        ],
    )
    b = _run_folder(
        tmp_path / "b",
        {"stamp": {**stamp, "commit": "def5678"}, "answers": {"overall": {"key_fact_accuracy": 1.0, "token_f1": 0.25}}},
        [
            {"id": "q1", "lang": "en", "retrieval": {"hybrid": {"rank": 2}}, "key_facts": True, "state": "draft"},
            {"id": "q2", "lang": "ar", "retrieval": {"hybrid": {"rank": 3}}, "key_facts": True, "state": "verified"},
            {"id": "q4", "lang": "en", "retrieval": {}, "key_facts": None, "state": "abstained"},
        ],
    )
    comparison = compare_runs(a, b)
    assert comparison["metrics"] == [
        {"metric": "answers.overall.key_fact_accuracy", "a": 0.5, "b": 1.0, "delta": 0.5},
        {"metric": "answers.overall.token_f1", "a": 0.25, "b": 0.25, "delta": 0.0},
        {"metric": "answers.overall.n", "a": 2, "b": None, "delta": None},
    ]
    # q2 moved from rank 1 to 3: still a hit in the top 5, not a flip.
    assert comparison["flipped"] == [
        {"id": "q1", "lang": "en", "changes": {"hybrid hit@5": [False, True], "key_facts": [False, True]}}
    ]
    assert (comparison["only_in_a"], comparison["only_in_b"]) == (["q3"], ["q4"])
    assert comparison["a"]["commit"] == "abc1234" and comparison["b"]["folder"] == str(b)

    from assistant.cli import main

    result = CliRunner().invoke(main, ["eval-compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "| answers.overall.key_fact_accuracy | 0.500 | 1.000 | 0.500 |" in result.output
    assert "| q1 | en | hybrid hit@5: False → True; key_facts: False → True |" in result.output
    assert "token_f1" not in result.output  # unchanged metrics are left out for people
    as_json = CliRunner().invoke(main, ["eval-compare", str(a), str(b), "--json"])
    assert json.loads(as_json.output)["flipped"] == comparison["flipped"]
    missing = CliRunner().invoke(main, ["eval-compare", str(a), str(tmp_path)])
    assert missing.exit_code == 1 and "holds no summary.json" in missing.output


def test_cli_eval_shows_progress_and_resumes(
    seeded: Assistant, question_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.cli as cli

    monkeypatch.setattr(cli.common, "open_assistant", lambda store, **options: seeded)
    out = tmp_path / "run"
    args = ["eval", str(question_set), "--llm", "extractive", "--out", str(out), "--limit", "3", "--mode", "hybrid"]
    first = CliRunner().invoke(cli.main, args)
    assert first.exit_code == 0, first.output
    assert "questions: 100%" in first.output and f"report: {out / 'report.md'}" in first.output
    assert "| hybrid R@5 |" in first.output and "answers marked verified:" in first.output
    assert [r["id"] for r in read_results(out)] == ["en-1", "ar-1", "un-1"]
    again = CliRunner().invoke(cli.main, [*args[:-4], "--limit", "4", "--mode", "hybrid", "--json"])
    assert again.exit_code == 0, again.output
    assert "resuming: 3 done" in again.output
    assert json.loads(again.stdout)["questions"] == 4


def test_cli_eval_lang_keeps_one_language_and_names_a_missing_one(
    seeded: Assistant, question_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.cli as cli

    monkeypatch.setattr(cli.common, "open_assistant", lambda store, **options: seeded)
    args = ["eval", str(question_set), "--llm", "extractive", "--mode", "hybrid", "--lang"]
    english = CliRunner().invoke(cli.main, [*args, "en", "--limit", "2", "--out", str(tmp_path / "en"), "--json"])
    assert english.exit_code == 0, english.output
    assert [r["id"] for r in read_results(tmp_path / "en")] == ["en-1", "un-1"]
    assert json.loads(english.stdout)["stamp"]["question_set"].endswith("(lang en)")
    with pytest.raises(SettingsError, match="no questions with lang 'ar'"):
        run_eval(seeded, [r for r in ROWS if r["lang"] == "en"], tmp_path / "none", lang="ar", plots=False)


def test_gate_messages_name_the_metric_value_and_threshold() -> None:
    summary = {"stamp": {}, "retrieval": {"hybrid": {"en": {"recall@5": 0.9}}}, "answers": {"overall": {"x": 0.2}}}
    assert flatten(summary) == {"retrieval.hybrid.en.recall@5": 0.9, "answers.overall.x": 0.2}
    assert (
        gate_failures(summary, minimum={"retrieval.hybrid.en.recall@5": 0.85}, maximum={"answers.overall.x": 0.2}) == []
    )
    assert gate_failures(
        summary, minimum={"retrieval.hybrid.en.recall@5": 0.95}, maximum={"answers.overall.x": 0.1}
    ) == [
        "retrieval.hybrid.en.recall@5 = 0.9, below the minimum 0.95",
        "answers.overall.x = 0.2, above the maximum 0.1",
    ]
