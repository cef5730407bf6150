import json
from datetime import date
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingestion.reading import decode_bytes, detect_language, iter_input_files, parse_date, read_file

ARABIC = "قال وزير الخارجية الأمريكي ماركو روبيو إن الوقت ينفد أمام روسيا لإظهار رغبتها في السلام."


def test_seed_article(seed_path: Path) -> None:
    [article], errors = read_file(seed_path, 10**7)
    assert errors == []
    assert article.lang == "ar"
    assert article.title == "محادثات السلام الأوكرانية تتطلب خطوات عاجلة"
    assert len(article.id) == 16 and article.key == str(seed_path.resolve())
    assert "الوقت يمر بسرعة" in article.text and "النيجر" not in article.text
    assert {s.rule for s in article.stripped} == {"promo-teaser", "see-also-link", "related-news"}
    # Same content → same id.
    assert read_file(seed_path, 10**7)[0][0].id == article.id


def test_windows_1256_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "cp1256.txt"
    path.write_bytes(ARABIC.encode("cp1256"))
    [article], _ = read_file(path, 10**6)
    assert article.text == ARABIC and article.lang == "ar"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ],
)
def test_not_text_is_rejected_with_the_path(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        read_file(path, 10**6)
    assert message in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "export.txt"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")  # "utf-16"/"utf-32" write their own
    path.write_bytes(bom + f"عنوان\n\n{ARABIC}".encode(codec))
    [article], _ = read_file(path, 10**6)
    assert (article.title, article.text, article.lang) == ("عنوان", ARABIC, "ar")  # the title line is the title


def test_utf16_without_a_byte_order_mark_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(f"Bridge news\n\n{ARABIC}".encode("utf-16-le"))
    with pytest.raises(IngestError) as info:
        read_file(path, 10**6)
    assert str(info.value) == (
        f"{path}: the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or UTF-16 with a BOM)"
    )


def test_a_named_pipe_is_reported_as_one_without_reading_it(tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "feed.txt"
    os.mkfifo(pipe)  # nobody writes to it: opening it for reading would block for ever
    with pytest.raises(IngestError) as info:
        list(iter_input_files([pipe]))
    assert (
        str(info.value)
        == f"{pipe}: is a named pipe (FIFO), not a file; give .txt, .md, .html, .jsonl, .pdf or .docx files"
    )


def test_random_bytes_without_nul_are_not_text(tmp_path: Path) -> None:
    data = bytes((i * 37 + 11) % 256 for i in range(4096)).replace(b"\x00", b"\x01")
    with pytest.raises(IngestError, match="not text"):
        decode_bytes(data, "x.txt")


def test_size_limit_and_unsupported_type(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("كلمة " * 100, encoding="utf-8")
    with pytest.raises(IngestError, match="over the limit"):
        read_file(big, 100)
    other = tmp_path / "a.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(IngestError, match="unsupported file type '.pdf'"):
        read_file(other, 100)


def test_jsonl_ant_fields_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    good = {
        "doc_id": "BB-1",
        "src": "bbc",
        "title": "عنوان",
        "time": "Fri, 16 Feb 2018 03:03:10 +0400",
        "url": "http://example.org/a",
        "text": ARABIC,
    }
    path.write_text(
        json.dumps(good, ensure_ascii=False) + "\n{broken\n" + json.dumps({"title": "no text"}) + "\n[1]\n",
        encoding="utf-8",
    )
    articles, errors = read_file(path, 10**6)
    assert [(a.key, a.source, a.published, a.url, a.title) for a in articles] == [
        ("BB-1", "bbc", date(2018, 2, 16), "http://example.org/a", "عنوان")
    ]
    assert [(e.line, e.reason.split(" (")[0]) for e in errors] == [
        (2, "not valid JSON"),
        (3, "the row has no 'text' field"),
        (4, "not a JSON object; each line must be {...}"),
    ]


def test_jsonl_rows_sharing_a_key_with_other_text_name_both_lines(tmp_path: Path) -> None:
    rows = [
        {"url": "http://example.org/a", "title": "First", "text": "The first article about the harbour bridge."},
        {"url": "http://example.org/b", "title": "Other", "text": "Another article, about the city library."},
        {"url": "http://example.org/a", "title": "Second", "text": "A different article about the old ferry."},
        {"url": "http://example.org/a", "title": "First", "text": "The first article about the harbour bridge."},
        {"id": "7", "url": "http://example.org/c", "text": "An article keyed by its id."},
        {"id": "7", "url": "http://example.org/d", "text": "Another article under the same id."},
    ]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    articles, errors = read_file(path, 10**6)
    assert [(a.key, a.title, a.origin) for a in articles] == [
        ("http://example.org/a", "First", f"{path}:1"),
        ("http://example.org/b", "Other", f"{path}:2"),
        ("http://example.org/a", "First", f"{path}:4"),  # the same article again: ingested once, "unchanged"
        ("7", "An article keyed by its id.", f"{path}:5"),
    ]
    assert [(e.line, e.reason) for e in errors] == [
        (3, "the same url as line 1 ('http://example.org/a') but other text: one key holds one article, and "
            "line 1 was kept; give each row its own 'id', or remove one"),
        (6, "the same id as line 5 ('7') but other text: one key holds one article, and line 5 was kept; give "
            "each row its own 'id', or remove one"),
    ]  # fmt: skip


def test_jsonl_line_separator_inside_strings(tmp_path: Path) -> None:
    path = tmp_path / "ls.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "a\u2028b سطر"}, ensure_ascii=False) + "\n", encoding="utf-8")
    articles, errors = read_file(path, 10**6)
    assert len(articles) == 1 and errors == []


def test_html_main_text_and_no_script(tmp_path: Path) -> None:
    body = " ".join([ARABIC] * 3)
    html = (
        "<html><head><title>خبر</title><script>alert(1)</script></head><body>"
        "<nav>القائمة الرئيسية</nav><article><h1>روبيو يحذر روسيا</h1>"
        f"<p>{body}</p><p>{body}</p></article><iframe src='x'></iframe></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [article], _ = read_file(path, 10**6)
    assert ARABIC in article.text
    assert "alert" not in article.text and "<" not in article.text


def test_markdown_title(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Rubio in Brussels\n\nRubio said time is running out.\n", encoding="utf-8")
    [article], _ = read_file(path, 10**6)
    assert article.title == "Rubio in Brussels" and article.lang == "en"


def test_folders_are_walked_and_missing_paths_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.bin").write_bytes(b"\x00")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in iter_input_files([tmp_path])] == ["a.txt"]
    with pytest.raises(IngestError, match="no such file"):
        list(iter_input_files([tmp_path / "missing"]))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("2025-04-04", date(2025, 4, 4)), ("not a date", None)],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_detect_language() -> None:
    assert detect_language(ARABIC) == "ar"
    assert detect_language("The foreign ministers met in Brussels on Friday.") == "en"
