"""The ``briefing`` command line (assistant/cli.py) through click's CliRunner: every command, its
``--json`` output, and its error messages. The façade's embedder factory is replaced by the hash
fake, and ask / brief / eval run with ``--llm extractive``, so no model loads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistant.assistant import MAX_QUESTION_CHARS
from assistant.cli import main
from assistant.testing import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
RESULTS = ROOT / "evals" / "results"
EMPTY_QUESTION = "Error: The question is empty; ask something about the articles.\n"
PASSAGE_KEYS = [
    "chunk_id", "article_id", "key", "index", "text", "start", "end", "title", "source", "lang",
    "published", "url", "score", "dense_rank", "lexical_rank", "story", "outlets", "page",
]  # fmt: skip
CITATION_KEYS = [
    "n", "quote", "quote_start", "quote_end", "article_id", "chunk_id", "title", "source", "published", "url",
    "page", "outlets",
]  # fmt: skip


def _isolate(monkeypatch: pytest.MonkeyPatch, folder: Path, embedder_name: str = "test/hash-embedder") -> None:
    """The hash embedder wherever the CLI builds an assistant; caches and relative paths in ``folder``."""
    monkeypatch.setattr(
        "assistant.assistant.make_embedder", lambda settings, cache_dir: HashEmbedder(name=embedder_name)
    )
    for name in ("BRIEFING_CHROMA_URL", "BRIEFING_VECTORSTORE_DIR", "BRIEFING_LLM__BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(folder / "cache"))
    monkeypatch.chdir(folder)


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    _isolate(monkeypatch, tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store holding the seed article, ingested once through the CLI and shared by readers."""
    folder = tmp_path_factory.mktemp("cli-store")
    with pytest.MonkeyPatch.context() as patch:
        _isolate(patch, folder)
        result = _run("ingest", str(SEEDS), "--store", str(folder / "store"), "--json")
        assert result.exit_code == 0, result.output
    yield str(folder / "store")


@pytest.fixture
def store(seeded_store: str, isolated: Path) -> str:
    return seeded_store


# -- the group ------------------------------------------------------------------------------


def test_help_lists_every_command() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1].split()
    for command in ("ask", "brief", "eval", "eval-compare", "ingest", "search", "serve", "sources"):
        assert command in commands
    assert "briefing ingest seeds/" in result.output  # the docstring's examples are shown as written


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0 and result.output.startswith("main, version ")


def test_an_unknown_command() -> None:
    result = _run("summarise")
    assert result.exit_code == 2
    assert "Error: No such command 'summarise'." in result.output


def test_a_chroma_url_without_http_is_one_line_of_error(isolated: Path) -> None:
    result = _run("--chroma-url", "localhost:8000", "ingest", str(SEEDS), "--store", str(isolated / "store"))
    assert result.exit_code == 1
    assert result.output == (
        "Error: The Chroma URL must start with http:// or https://, e.g. http://127.0.0.1:8000; got 'localhost:8000'\n"
    )


# -- ingest ----------------------------------------------------------------------------------


def test_ingest_json_report(isolated: Path) -> None:
    store = str(isolated / "store")
    report = _json(_run("ingest", str(SEEDS), "--store", store, "--json"))
    assert list(report) == ["added", "unchanged", "replaced", "failed", "warnings", "chunks_added", "seconds"]
    assert (len(report["added"]), report["unchanged"], report["replaced"], report["failed"]) == (1, [], [], [])
    assert report["chunks_added"] == 15 and report["seconds"] >= 0
    [info] = _json(_run("sources", "--store", store, "--json"))
    assert report["added"] == [info["article_id"]]
    again = _json(_run("ingest", str(SEEDS / "000_409043fa5ea248dc.txt"), "--store", store, "--json"))
    assert (again["added"], again["unchanged"], again["chunks_added"]) == ([], report["added"], 0)


def test_ingest_for_people(isolated: Path) -> None:
    store = isolated / "store"
    result = _run("ingest", str(SEEDS), "--store", str(store))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "added 1, unchanged 0, replaced 0, failed 0 (15 chunks)"
    assert lines[1].startswith("1 articles indexed in ")
    assert lines[-1] == f"store {store}: 1 articles, 15 chunks"
    assert "ingesting" in result.stderr  # the progress bar goes to stderr


INGEST_FAILED = (
    "Error: {n} failed (listed in the report); everything else was ingested. Fix them and run the same "
    "command again: unchanged articles are skipped.\n"
)


def test_ingest_a_missing_path_reports_it_keeps_the_rest_and_exits_1(isolated: Path) -> None:
    missing = isolated / "nowhere"
    result = _run("ingest", str(missing), str(SEEDS), "--store", str(isolated / "store"))
    assert result.exit_code == 1  # a script must notice; the good input is kept
    assert "added 1, unchanged 0, replaced 0, failed 1 (15 chunks)" in result.stdout
    assert f"  failed: {missing}: no such file or folder; check the path" in result.stdout.splitlines()
    assert result.stderr.endswith(INGEST_FAILED.format(n="1 input"))
    assert len(_json(_run("sources", "--store", str(isolated / "store"), "--json"))) == 1
    result = _run("ingest", str(missing), "--store", str(isolated / "store"), "--json")
    assert result.exit_code == 1 and result.stderr == INGEST_FAILED.format(n="1 input")
    report = json.loads(result.stdout)
    assert report["failed"] == [{"path": str(missing), "reason": "no such file or folder; check the path"}]


def test_ingest_an_unsupported_file_exits_1_and_says_so_in_help(isolated: Path) -> None:
    pdf = isolated / "report.xls"
    pdf.write_bytes(b"\xd0\xcf\x11\xe0 not text")
    good = isolated / "good.txt"
    good.write_text("Bridge news\n\nThe mayor said the bridge will reopen in May.", encoding="utf-8")
    result = _run("ingest", str(pdf), str(good), str(isolated / "gone"), "--store", str(isolated / "store"))
    assert result.exit_code == 1
    assert (
        f"  failed: {pdf}: unsupported file type '.xls'; give .txt, .md, .html, .jsonl, .pdf or .docx files"
        in result.stdout
    )
    assert "added 1, unchanged 0, replaced 0, failed 2 " in result.stdout
    assert result.stderr.endswith(INGEST_FAILED.format(n="2 inputs"))
    again = _run("ingest", str(good), "--store", str(isolated / "store"))
    assert again.exit_code == 0 and "added 0, unchanged 1, replaced 0, failed 0" in again.stdout
    help_text = " ".join(_run("ingest", "--help").output.split())
    assert "Exit status: 0 when every input went in; 1 when any path, file or JSON Lines row failed" in help_text


def test_ingest_rows_sharing_a_url_are_a_row_error_and_the_counts_add_up(isolated: Path) -> None:
    rows = [{"url": f"http://example.org/{i}", "title": f"Story {i}", "text": f"Story number {i} is about the bridge."}
            for i in range(6)]  # fmt: skip
    rows.insert(3, {"url": "http://example.org/1", "title": "Not story 1", "text": "Another story on the ferry."})
    path = isolated / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    store = str(isolated / "store")
    result = _run("ingest", str(path), "--store", store, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    counts = [len(report[k]) for k in ("added", "unchanged", "replaced", "failed")]
    assert counts == [6, 0, 0, 1] and sum(counts) == len(rows)
    assert report["failed"] == [
        {"path": f"{path}:4", "reason": "the same url as line 2 ('http://example.org/1') but other text: one key "
         "holds one article, and line 2 was kept; give each row its own 'id', or remove one"},
    ]  # fmt: skip
    again = _run("ingest", str(path), "--store", store)
    assert again.exit_code == 1 and again.stdout.startswith("added 0, unchanged 6, replaced 0, failed 1 (0 chunks)")
    titles = sorted(i["title"] for i in _json(_run("sources", "--store", store, "--json")))
    assert titles == [f"Story {i}" for i in range(6)]  # never replaced by the other row


def test_ingest_the_same_key_in_two_files_is_an_error_naming_both(isolated: Path) -> None:
    first, second = isolated / "a.jsonl", isolated / "b.jsonl"
    first.write_text(json.dumps({"id": "x1", "text": "The bridge reopens in May."}) + "\n", encoding="utf-8")
    second.write_text(json.dumps({"id": "x1", "text": "The ferry stops in June."}) + "\n", encoding="utf-8")
    result = _run("ingest", str(first), str(second), "--store", str(isolated / "store"), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (len(report["added"]), report["unchanged"]) == (1, [])
    assert report["failed"] == [
        {"path": f"{second}:1", "reason": f"the same key as {first}:1 ('x1') but other text: one key holds one "
         f"article, and {first}:1 was kept; give each row its own 'id', or remove one"},
    ]  # fmt: skip


def test_ingest_refuses_a_5_mb_one_line_article_at_once_and_keeps_the_rest(isolated: Path) -> None:
    import time

    line = isolated / "dump.txt"
    line.write_text(" ".join(["المحادثات", "ستستأنف", "في", "الرياض"] * 96_000), encoding="utf-8")  # 5 MB, one line
    good = isolated / "good.txt"
    good.write_text("Bridge news\n\nThe mayor said the bridge will reopen in May.", encoding="utf-8")
    started = time.perf_counter()
    result = _run("ingest", str(line), str(good), "--store", str(isolated / "store"))
    assert time.perf_counter() - started < 60  # seconds, not the hour embedding it would take
    assert result.exit_code == 1 and "added 1, unchanged 0, replaced 0, failed 1 " in result.stdout
    assert (
        f"  failed: {line}: the article is 2,687,999 characters long, over the limit of 200,000 for one article "
        "(embedding takes about a minute per 100,000 characters); split it into articles, or raise "
        "BRIEFING_INGEST__MAX_ARTICLE_CHARS" in result.stdout.splitlines()
    )


def test_ingest_says_what_a_named_pipe_is(isolated: Path) -> None:
    import os

    pipe = isolated / "feed.jsonl"
    os.mkfifo(pipe)
    result = _run("ingest", str(pipe), "--store", str(isolated / "store"))
    assert result.exit_code == 1
    assert (
        f"  failed: {pipe}: is a named pipe (FIFO), not a file; give .txt, .md, .html, .jsonl, .pdf or .docx files"
        in (result.stdout.splitlines())
    )


def test_ingest_needs_a_path(isolated: Path) -> None:
    result = _run("ingest")
    assert result.exit_code == 2 and "Error: Missing argument 'PATHS...'." in result.output


def test_a_store_built_with_another_embedder_is_one_line_of_error(
    store: str, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    _isolate(monkeypatch, isolated, embedder_name="other/embedder")
    result = _run("ingest", str(SEEDS), "--store", store)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: The vector store at {Path(store) / 'chroma'} was built with embedding model "
        "'test/hash-embedder', but the settings ask for 'other/embedder'."
    )
    assert "Traceback" not in result.output and result.output.count("\n") == 1


# -- sources ---------------------------------------------------------------------------------


def test_sources(store: str) -> None:
    [info] = _json(_run("sources", "--store", store, "--json"))
    assert list(info) == ["article_id", "key", "title", "source", "url", "published", "lang", "n_chunks", "author"]
    assert {k: info[k] for k in ("key", "title", "source", "url", "published", "lang", "n_chunks")} == {
        "key": str(SEEDS / "000_409043fa5ea248dc.txt"),
        "title": "محادثات السلام الأوكرانية تتطلب خطوات عاجلة",
        "source": "seeds",
        "url": None,
        "published": None,
        "lang": "ar",
        "n_chunks": 15,
    }
    result = _run("sources", "--store", store)
    assert result.output == "----------  seeds         15 chunks  محادثات السلام الأوكرانية تتطلب خطوات عاجلة\n"


def _missing_store(path: Path) -> str:
    return (
        f"Error: There is no store at {path} (no such folder); check the --store path, or ingest articles "
        f"first: briefing ingest PATH --store {path}\n"
    )


def _empty_store(path: Path) -> str:
    return f"The store at {path} holds no article; ingest articles first: briefing ingest PATH --store {path}\n"


@pytest.fixture
def empty_store(isolated: Path) -> Path:
    """A store that exists and holds no article (an ingestion that failed)."""
    assert _run("ingest", str(isolated / "nowhere"), "--store", str(isolated / "empty")).exit_code == 1
    return isolated / "empty"


def test_sources_of_a_missing_and_an_empty_store(isolated: Path, empty_store: Path) -> None:
    missing = isolated / "stroe"
    assert (_run("sources", "--store", str(missing)).exit_code, _run("sources", "--store", str(missing)).stderr) == (
        1,
        _missing_store(missing),
    )
    assert not missing.exists()  # reading never creates a store
    assert _json(_run("sources", "--store", str(empty_store), "--json")) == []
    result = _run("sources", "--store", str(empty_store))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Note: " + _empty_store(empty_store))


READING = [
    ["search", "روبيو"],
    ["search", "روبيو", "--json"],
    ["ask", "ماذا قال روبيو؟", "--llm", "extractive"],
    ["ask", "ماذا قال روبيو؟", "--llm", "extractive", "--json"],
    ["brief", "--llm", "extractive"],
    ["brief", "--topic", "Ukraine", "--llm", "extractive", "-o", "b.html"],
    ["serve"],
    ["eval", "tiny.jsonl", "--llm", "extractive", "--out", "run"],
]


@pytest.mark.parametrize("args", READING, ids=lambda args: " ".join(args[:2]))
def test_reading_a_missing_store_stops_naming_it(
    args: list[str], isolated: Path, monkeypatch: pytest.MonkeyPatch, question_set: Path
) -> None:
    monkeypatch.setattr("assistant.ui.app.serve", lambda *a, **kw: pytest.fail("served a missing store"))
    missing = isolated / "stroe"
    result = _run(*args, "--store", str(missing))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.endswith(_missing_store(missing)), result.stderr
    assert not missing.exists() and not (isolated / "b.html").exists() and not (isolated / "run").exists()


@pytest.mark.parametrize("args", READING, ids=lambda args: " ".join(args[:2]))
def test_reading_an_empty_store_stops_naming_it(
    args: list[str], empty_store: Path, monkeypatch: pytest.MonkeyPatch, question_set: Path
) -> None:
    monkeypatch.setattr("assistant.ui.app.serve", lambda *a, **kw: pytest.fail("served an empty store"))
    result = _run(*args, "--store", str(empty_store))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.endswith("Error: " + _empty_store(empty_store)), result.stderr


def test_the_default_store_is_not_created_by_reading(isolated: Path) -> None:
    result = _run("search", "روبيو")
    assert result.exit_code == 1 and result.stderr == _missing_store(Path("vectorstore"))
    assert not (isolated / "vectorstore").exists()


# -- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["ماذا قال روبيو لروسيا؟", "What did Rubio tell Russia?"])
def test_search_json(store: str, question: str) -> None:
    hits = _json(_run("search", question, "--store", store, "-k", "3", "--json"))
    assert len(hits) == 3
    assert all(list(hit) == PASSAGE_KEYS for hit in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    seed = (SEEDS / "000_409043fa5ea248dc.txt").read_text(encoding="utf-8")
    for hit in hits:
        assert hit["source"] == "seeds" and hit["published"] is None
        assert hit["end"] - hit["start"] == len(hit["text"]) and hit["text"].split("\n")[0] in seed


def test_search_for_people(store: str) -> None:
    [hit] = _json(_run("search", "ماذا قال روبيو لروسيا؟", "--store", store, "-k", "1", "--json"))
    result = _run("search", "ماذا قال روبيو لروسيا؟", "--store", store, "-k", "1")
    assert result.exit_code == 0
    first, second = result.output.splitlines()[:2]
    assert first == (
        f"[1] {hit['title']} — seeds, date unknown; found by meaning and words (dense #{hit['dense_rank']}, "
        f"lexical #{hit['lexical_rank']}); chars {hit['start']}–{hit['end']}"
    )  # an Arabic question over Arabic text: both searches read it
    assert second == "    " + hit["text"].split("\n")[0]
    assert "score" not in result.output and isinstance(hit["score"], float)  # the fused score only in --json


@pytest.mark.parametrize(
    ("mode", "found"), [("dense", "found by meaning (dense #"), ("lexical", "found by words (lexical #")]
)
def test_search_says_what_found_each_passage(store: str, mode: str, found: str) -> None:
    result = _run("search", "ماذا قال روبيو لروسيا؟", "--store", store, "-k", "3", "--mode", mode)
    heads = [line for line in result.output.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in heads] == ["[1", "[2", "[3"]
    assert all(found in line for line in heads), heads


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_modes(store: str, mode: str) -> None:
    hits = _json(_run("search", "روبيو السعودية مرتين", "--store", store, "--mode", mode, "-k", "2", "--json"))
    assert len(hits) == 2
    if mode == "lexical":
        assert all(h["dense_rank"] is None for h in hits)
    if mode == "dense":
        assert all(h["lexical_rank"] is None for h in hits)


def test_search_filters(store: str) -> None:
    assert _json(_run("search", "روبيو", "--store", store, "--source", "elsewhere", "--json")) == []
    assert _json(_run("search", "روبيو", "--store", store, "--since", "2020-01-01", "--json")) == []  # no date
    assert len(_json(_run("search", "روبيو", "--store", store, "--source", "seeds", "-k", "2", "--json"))) == 2


def test_search_with_filters_that_leave_nothing(store: str) -> None:
    result = _run("search", "روبيو", "--store", store, "--source", "elsewhere")
    assert (result.exit_code, result.output) == (0, "No passage matches; try other words, or fewer filters.\n")


@pytest.mark.parametrize("command", ["search", "ask"])
@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_fails_before_any_model_loads(
    command: str, question: str, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    def no_model(settings: object, cache_dir: object) -> HashEmbedder:
        raise AssertionError("the embedder was built for an empty question")

    monkeypatch.setattr("assistant.assistant.make_embedder", no_model)
    result = _run(command, question, "--store", str(isolated / "store"))
    assert (result.exit_code, result.output) == (1, EMPTY_QUESTION)


@pytest.mark.parametrize("command", ["search", "ask"])
def test_a_too_long_question(command: str, isolated: Path) -> None:
    result = _run(command, "س" * (MAX_QUESTION_CHARS + 1), "--store", str(isolated / "store"))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: The question is {MAX_QUESTION_CHARS + 1:,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
        "Ask a shorter question.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "bogus"], "Error: Invalid value for '--mode': 'bogus' is not one of 'hybrid', 'dense', 'lexical'."),
        (["--since", "2025/01/01"], "Error: Invalid value for '--since': '2025/01/01' does not match the format"),
        (["-k", "many"], "Error: Invalid value for '-k': 'many' is not a valid integer."),
    ],
)
def test_search_bad_options(args: list[str], message: str, isolated: Path) -> None:
    result = _run("search", "روبيو", *args)
    assert result.exit_code == 2 and message in result.output


# -- ask -------------------------------------------------------------------------------------


def test_ask_json(store: str) -> None:
    data = _json(_run("ask", "روبيو السعودية مرتين", "--store", store, "--llm", "extractive", "--json"))
    assert list(data) == [
        "question", "standalone_question", "text", "state", "verified", "abstained", "sentences", "citations",
        "removed", "timings", "seconds",
    ]  # fmt: skip
    assert (data["question"], data["standalone_question"]) == ("روبيو السعودية مرتين", "روبيو السعودية مرتين")
    assert (data["state"], data["verified"], data["abstained"], data["removed"]) == ("quoted", False, False, [])
    [citation] = data["citations"]
    assert list(citation) == CITATION_KEYS and citation["n"] == 1
    assert citation["quote"].startswith("وقد سافر روبيو إلى المملكة العربية السعودية مرتين")
    assert citation["quote_end"] - citation["quote_start"] == len(citation["quote"])
    assert citation["quote"] in (SEEDS / "000_409043fa5ea248dc.txt").read_text(encoding="utf-8")
    assert data["text"] == f"«{citation['quote']}» [1]"
    keys = ["citations", "notes", "raw", "state", "text", "trace", "untraced"]
    assert [sorted(s) for s in data["sentences"]] == [keys]
    assert list(data["timings"]) == ["condense", "retrieve", "evidence", "choose", "generate", "verify"]


def test_ask_for_people(store: str) -> None:
    data = _json(_run("ask", "روبيو السعودية مرتين", "--store", store, "--llm", "extractive", "--json"))
    result = _run("ask", "روبيو السعودية مرتين", "--store", store, "--llm", "extractive")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == data["text"] and lines[1] == ""
    assert lines[2].startswith("[quoted] backend extractive, ") and lines[2].endswith(" s")
    c = data["citations"][0]
    assert lines[3] == f"[1] {c['title']} — seeds, date unknown, chars {c['quote_start']}–{c['quote_end']}"
    assert len(lines) == 4


def test_ask_what_no_article_holds_abstains(store: str) -> None:
    data = _json(_run("ask", "What did Zelensky say about Sudan?", "--store", store, "--llm", "extractive", "--json"))
    assert (data["abstained"], data["citations"], data["verified"]) == (True, [], False)


def _slow_model(monkeypatch: pytest.MonkeyPatch, load_s: float, replies: list[str] | None = None) -> list[str]:
    """The local model replaced by a scripted one that takes ``load_s`` seconds to load; returns the loads."""
    import time

    from assistant.testing import ScriptedChatModel

    loads: list[str] = []

    def load(settings: Any, cache_dir: Any) -> ScriptedChatModel:
        loads.append(settings.backend)
        time.sleep(load_s)
        return ScriptedChatModel(replies=list(replies or []))

    monkeypatch.setattr("assistant.assistant.make_chat_model", load)
    return loads


def test_ask_footer_counts_the_model_loading_and_progress_goes_to_stderr(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    _slow_model(monkeypatch, 1.5)

    def slow_embedder(settings: object, cache_dir: object) -> HashEmbedder:
        time.sleep(1.0)  # the embedding model loading as the store opens
        return HashEmbedder()

    monkeypatch.setattr("assistant.assistant.make_embedder", slow_embedder)
    result = _run("ask", "ماذا قال روبيو لروسيا؟", "--store", store, "--llm", "local")
    assert result.exit_code == 0, result.output
    footer = next(line for line in result.stdout.splitlines() if line.startswith("["))
    assert footer.startswith("[abstained] backend local, ") and float(footer.split(", ")[1].split()[0]) >= 2.5
    steps = [line.split("… (")[0] for line in result.stderr.splitlines()]
    assert steps[:3] == [
        "answering: loading the local model",
        "answering: searching the articles",
        "answering: the model reads the candidate sentences",
    ]
    data = _json(_run("ask", "ماذا قال روبيو لروسيا؟", "--store", store, "--llm", "local", "--json"))
    assert data["seconds"] >= 1.5 > sum(data["timings"].values())  # the stages alone miss the loading


def test_ask_extractive_is_quiet_on_stderr(store: str) -> None:
    result = _run("ask", "روبيو السعودية مرتين", "--store", store, "--llm", "extractive")
    assert result.exit_code == 0 and result.stderr == ""


def test_ask_a_bad_backend(isolated: Path) -> None:
    result = _run("ask", "ماذا قال روبيو؟", "--llm", "gpt")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--llm': 'gpt' is not one of 'local', 'openai', 'extractive'." in result.output


# -- brief -----------------------------------------------------------------------------------


def test_brief_defaults_to_the_extractive_backend_like_the_ui(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = _slow_model(monkeypatch, 0)
    monkeypatch.delenv("BRIEFING_BRIEFING__BACKEND", raising=False)
    result = _run("brief", "--store", store, "-o", "b.json")
    assert result.exit_code == 0 and loads == []  # no model loaded
    assert json.loads(Path("b.json").read_text(encoding="utf-8"))["backend"] == "extractive"
    assert "default: extractive, none, as in the UI" in " ".join(_run("brief", "--help").output.split())


def test_brief_with_a_model_shows_each_step_on_stderr(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _slow_model(monkeypatch, 0, replies=["Rubio said time is running out."] * 8)
    result = _run("brief", "--store", store, "--llm", "local", "-o", "b.md")
    assert result.exit_code == 0, result.output
    steps = [line.split("… (")[0] for line in result.stderr.splitlines()[:-1]]
    assert steps[:4] == [
        "briefing: loading the local model",
        "briefing: choosing the articles",
        "briefing: reading 1 article",
        "briefing: rendering quote 1 of 8 in English (a model call each)",
    ]
    assert steps[3:] == [f"briefing: rendering quote {i} of 8 in English (a model call each)" for i in range(1, 9)]
    assert result.stderr.splitlines()[-1].startswith("b.md: 1 articles, ")


def test_brief_markdown_on_stdout(store: str) -> None:
    result = _run("brief", "--store", store, "--llm", "extractive")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("#") and "محادثات السلام الأوكرانية تتطلب خطوات عاجلة" in result.stdout


@pytest.mark.parametrize("suffix", [".json", ".md", ".html"])
def test_brief_to_a_file(store: str, isolated: Path, suffix: str) -> None:
    as_json = isolated / "brief.json"
    assert _run("brief", "--store", store, "--llm", "extractive", "-o", str(as_json)).exit_code == 0
    briefing = json.loads(as_json.read_text(encoding="utf-8"))
    out = isolated / f"out{suffix}"
    result = _run("brief", "--store", store, "--llm", "extractive", "-o", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"{out}: {len(briefing['articles'])} articles, {len(briefing['statements'])} statements, "
        f"{len(briefing['citations'])} citations\n"
    )
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        written = json.loads(text)
        assert {**written, "timings": None} == {**briefing, "timings": None}  # timings vary run to run
    elif suffix == ".html":
        assert text.startswith('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Briefing</title>')
        assert text.endswith("</body></html>") and "محادثات السلام الأوكرانية تتطلب خطوات عاجلة" in text
    else:
        assert text == _run("brief", "--store", store, "--llm", "extractive").stdout.removesuffix("\n")


def test_brief_json_keys(store: str, isolated: Path) -> None:
    out = isolated / "brief.json"
    _run("brief", "--store", store, "--llm", "extractive", "--language", "ar", "-o", str(out))
    briefing = json.loads(out.read_text(encoding="utf-8"))
    assert list(briefing) == [
        "topic", "language", "backend", "topic_words", "articles", "merged_duplicates", "suspected_injections",
        "renderings", "summary", "statements", "timeline", "disputed", "open_questions", "citations", "timings",
    ]  # fmt: skip
    assert (briefing["topic"], briefing["language"], briefing["backend"]) == (None, "ar", "extractive")
    assert briefing["articles"][0]["title"] == "محادثات السلام الأوكرانية تتطلب خطوات عاجلة"
    assert all(list(c) == CITATION_KEYS for c in briefing["citations"])
    speakers = {s["speaker"] for s in briefing["statements"]}
    assert {"Marco Rubio", "Kirill Dmitriev"} <= speakers


def test_brief_on_a_topic_no_article_matches_stops_and_says_so(store: str, isolated: Path) -> None:
    out = isolated / "brief.md"
    result = _run("brief", "--topic", "Sudan famine", "--store", store, "--llm", "extractive", "-o", str(out))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: No article matches the topic 'Sudan famine': no article mentions Sudan. Try other words (Arabic "
        "words find Arabic articles best), or give no topic to brief on every article.\n"
    )
    assert not out.exists()


def test_brief_on_a_topic_says_which_articles_match(store: str, isolated: Path) -> None:
    out = isolated / "brief.json"
    result = _run("brief", "--topic", "Ukraine peace talks", "--store", store, "--llm", "extractive", "-o", str(out))
    assert result.exit_code == 0, result.output
    briefing = json.loads(out.read_text(encoding="utf-8"))
    assert briefing["topic_words"] == ["Ukraine", "peace", "talks"]
    [article] = briefing["articles"]
    assert (article["title"], article["lacks"]) == ("محادثات السلام الأوكرانية تتطلب خطوات عاجلة", [])
    markdown = _run("brief", "--topic", "Ukraine peace talks", "--store", store, "--llm", "extractive").stdout
    assert "1 article; it matches the topic: it holds its names and most of its words (Ukraine, peace, talks)" in (
        markdown
    )


@pytest.mark.parametrize("out", ["brief.txt", "brief", "brief.MD.bak"])
def test_brief_refuses_another_file_type(out: str, isolated: Path) -> None:
    result = _run("brief", "--store", str(isolated / "store"), "--llm", "extractive", "-o", out)
    assert (result.exit_code, result.output) == (1, f"Error: -o {out}: give a file ending in .md, .html or .json.\n")
    assert not (isolated / "store").exists()  # refused before the store was opened


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-articles", "0"], "Error: Invalid value for '--max-articles': 0 is not in the range 1<=x<=10000."),
        (["--language", "fr"], "Error: Invalid value for '--language': 'fr' is not one of 'en', 'ar'."),
        (["--until", "yesterday"], "Error: Invalid value for '--until': 'yesterday' does not match the format"),
    ],
)
def test_brief_bad_options(args: list[str], message: str, isolated: Path) -> None:
    result = _run("brief", *args)
    assert result.exit_code == 2 and message in result.output


# -- serve -----------------------------------------------------------------------------------


def test_serve_help() -> None:
    result = _run("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host TEXT", "--port INTEGER RANGE", "--store DIR"):
        assert option in result.output


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_serve_refuses_a_bad_port(port: str, isolated: Path) -> None:
    result = _run("serve", "--port", port)
    assert result.exit_code == 2 and "Error: Invalid value for '--port'" in result.output


def test_serve_reports_a_store_it_cannot_open(store: str, monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    served: list[object] = []
    monkeypatch.setattr("assistant.ui.app.serve", lambda *args, **kw: served.append(args))
    _isolate(monkeypatch, isolated, embedder_name="other/embedder")
    result = _run("serve", "--store", store)
    assert result.exit_code == 1 and served == []
    assert result.stderr.startswith("Loading the models…\nError: The vector store at ")


def test_serve_hands_the_assistant_to_the_ui(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[Any, ...]] = []
    monkeypatch.setattr("assistant.ui.app.serve", lambda *args, **kw: served.append(args))
    result = _run("serve", "--store", store, "--host", "127.0.0.1", "--port", "8123")
    assert result.exit_code == 0
    [(assistant, host, port)] = served
    assert (str(assistant.settings.vectorstore_dir), host, port) == (store, "127.0.0.1", 8123)


# -- eval and eval-compare -------------------------------------------------------------------


@pytest.fixture
def question_set(isolated: Path) -> Path:
    """Three seed questions: answerable in English and Arabic, and one the article cannot answer."""
    wanted = {"seed-en-01", "seed-unans-en-01", "seed-ar-01"}
    lines = (ROOT / "evals" / "seed_questions.jsonl").read_text(encoding="utf-8").splitlines()
    path = isolated / "tiny.jsonl"
    path.write_text("\n".join(line for line in lines if json.loads(line)["id"] in wanted) + "\n", encoding="utf-8")
    return path


def test_eval_on_a_corpus(question_set: Path, isolated: Path) -> None:
    out = isolated / "run"
    result = _run("eval", str(question_set), "--corpus", str(SEEDS), "--llm", "extractive", "--out", str(out), "--json")
    summary = _json(result)
    assert list(summary) == [
        "stamp", "questions", "answerable", "unanswerable", "by_lang", "retrieval", "answers", "latency_s", "tokens",
    ]  # fmt: skip
    assert (summary["questions"], summary["answerable"], summary["unanswerable"]) == (3, 2, 1)
    assert summary["by_lang"] == {"ar": 1, "en": 2}
    stamp = summary["stamp"]
    assert (stamp["embedding_model"], stamp["llm_backend"], stamp["llm_model"]) == (
        "test/hash-embedder",
        "extractive",
        "none",
    )
    assert (stamp["corpus"], stamp["store"], stamp["modes"]) == (
        str(SEEDS),
        {"articles": 1, "chunks": 15},
        ["dense", "lexical", "hybrid"],
    )
    assert list(summary["retrieval"]) == ["dense", "lexical", "hybrid"]
    assert summary["answers"]["overall"]["n"] == 3
    assert summary["answers"]["overall"]["abstain_rate_unanswerable"] == 1.0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == summary
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert (out / "report.md").is_file()
    assert result.stderr.startswith(f"ingesting {SEEDS} into a temporary store…")


def test_eval_for_people_retrieval_only_limit_and_lang(question_set: Path, isolated: Path) -> None:
    result = _run("eval", str(question_set), "--corpus", str(SEEDS), "--retrieval-only", "--lang", "en", "--limit", "1",
                  "--mode", "dense", "--mode", "lexical")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = Path("evals") / "runs" / "tiny-retrieval"  # the default folder, under the working directory
    summary = json.loads((isolated / out / "summary.json").read_text(encoding="utf-8"))
    assert "answers" not in summary and summary["questions"] == 1 and summary["by_lang"] == {"en": 1}
    assert (summary["stamp"]["llm_backend"], summary["stamp"]["modes"]) == (
        "none (retrieval only)",
        ["dense", "lexical"],
    )
    lines = result.stdout.splitlines()
    assert lines[:2] == ["| metric | value |", "|---|---|"]
    assert lines[2].startswith("| dense R@1 | ")  # no hybrid: the first mode scored heads the table
    assert lines[-1] == f"report: {out / 'report.md'}"


def test_eval_on_an_ingested_store(question_set: Path, store: str, isolated: Path) -> None:
    out = isolated / "run"
    result = _run("eval", str(question_set), "--store", store, "--llm", "extractive", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["stamp"]["corpus"], summary["stamp"]["store"]) == (None, {"articles": 1, "chunks": 15})
    verified = summary["answers"]["verified"]
    assert f"answers marked verified: {verified['n']}, accuracy " in result.stdout
    assert result.stdout.splitlines()[-1] == f"report: {out / 'report.md'}"


def test_eval_a_corpus_with_no_articles(question_set: Path, isolated: Path) -> None:
    missing = isolated / "no-corpus"
    result = _run("eval", str(question_set), "--corpus", str(missing), "--llm", "extractive", "--out", "run")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: The corpus {missing} gave no articles (no such file or folder; check the path); check the path."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl"], "Error: Invalid value for 'QUESTION_SET': File 'missing.jsonl' does not exist."),
        (["."], "Error: Invalid value for 'QUESTION_SET': File '.' is a directory."),
        (["tiny.jsonl", "--limit", "0"], "Error: Invalid value for '--limit': 0 is not in the range x>=1."),
        (["tiny.jsonl", "--lang", "fr"], "Error: Invalid value for '--lang': 'fr' is not one of 'en', 'ar'."),
        (["tiny.jsonl", "--mode", "sparse"], "Error: Invalid value for '--mode': 'sparse' is not one of"),
    ],
)
def test_eval_bad_arguments(args: list[str], message: str, question_set: Path) -> None:
    result = _run("eval", *args)
    assert result.exit_code == 2 and message in result.output


def test_eval_compare_a_run_with_itself() -> None:
    run = str(RESULTS / "seed-extractive")
    comparison = _json(_run("eval-compare", run, run, "--json"))
    assert list(comparison) == ["a", "b", "metrics", "flipped", "only_in_a", "only_in_b"]
    assert comparison["a"] == comparison["b"] and comparison["a"]["folder"] == run
    assert (comparison["flipped"], comparison["only_in_a"], comparison["only_in_b"]) == ([], [], [])
    assert comparison["metrics"] and all(list(m) == ["metric", "a", "b", "delta"] for m in comparison["metrics"])
    assert {m["delta"] for m in comparison["metrics"] if m["delta"] is not None} == {0}


def test_eval_compare_the_committed_runs() -> None:
    a, b = str(RESULTS / "seed-extractive"), str(RESULTS / "seed-local")
    comparison = _json(_run("eval-compare", a, b, "--json"))
    ids = {json.loads(line)["id"] for line in (RESULTS / "seed-extractive" / "results.jsonl").read_text().splitlines()}
    assert (comparison["a"]["folder"], comparison["b"]["folder"]) == (a, b)
    assert (comparison["a"]["llm_backend"], comparison["b"]["llm_backend"]) == ("extractive", "local")
    assert comparison["flipped"] and {f["id"] for f in comparison["flipped"]} <= ids
    for flip in comparison["flipped"]:
        assert list(flip) == ["id", "lang", "changes"]
        assert all(before != after for before, after in flip["changes"].values())
    for m in comparison["metrics"]:
        if m["delta"] is not None:
            assert m["delta"] == round(m["b"] - m["a"], 4)
    text = _run("eval-compare", a, b)
    assert text.exit_code == 0
    assert text.stdout.startswith(f"A: {a} (") and f"\nB: {b} (" in text.stdout


def test_eval_compare_two_fresh_runs(question_set: Path, isolated: Path) -> None:
    for out, extra in (("ra", []), ("rb", ["--retrieval-only"])):
        args = ["eval", str(question_set), "--corpus", str(SEEDS), "--llm", "extractive", "--out", out, *extra]
        assert _run(*args).exit_code == 0
    comparison = _json(_run("eval-compare", "ra", "rb", "--json"))
    assert (comparison["a"]["llm_backend"], comparison["b"]["llm_backend"]) == ("extractive", "none (retrieval only)")
    by_metric = {m["metric"]: m for m in comparison["metrics"]}
    assert by_metric["questions"] == {"metric": "questions", "a": 3, "b": 3, "delta": 0}
    assert by_metric["answers.overall.n"] == {"metric": "answers.overall.n", "a": 3, "b": None, "delta": None}
    assert comparison["only_in_a"] == comparison["only_in_b"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "."], "Error: Invalid value for 'RUN_A': Directory 'nope' does not exist."),
        ([".", "nope"], "Error: Invalid value for 'RUN_B': Directory 'nope' does not exist."),
        (["tiny.jsonl", "."], "Error: Invalid value for 'RUN_A': Directory 'tiny.jsonl' is a file."),
        (["."], "Error: Missing argument 'RUN_B'."),
    ],
)
def test_eval_compare_bad_arguments(args: list[str], message: str, question_set: Path) -> None:
    result = _run("eval-compare", *args)
    assert result.exit_code == 2 and message in result.output
