"""Front matter of .txt and .md articles (``ingestion/metadata.py``), read through ``read_file``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingestion.metadata import split_front_matter
from assistant.ingestion.reading import read_file

ARABIC = "قال وزير الخارجية الأمريكي ماركو روبيو إن الوقت ينفد أمام روسيا لإظهار رغبتها في السلام."
FRONT = """---
title: روبيو يحذر روسيا
date: 2025-04-04
outlet: CNN Arabic
url: https://arabic.cnn.com/world/2025/04/04/rubio
lang: ar
author: [Sara Ali, Omar Hassan]
---
"""


def _read(tmp_path: Path, text: str, name: str = "a.txt", notes: list[str] | None = None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [article], errors = read_file(path, 10**6, notes)
    assert errors == []
    return article


def test_front_matter_gives_the_metadata_and_is_not_text(tmp_path: Path) -> None:
    article = _read(tmp_path, FRONT + ARABIC + "\n")
    assert (article.title, article.published, article.source, article.url, article.lang, article.author) == (
        "روبيو يحذر روسيا",
        date(2025, 4, 4),
        "CNN Arabic",
        "https://arabic.cnn.com/world/2025/04/04/rubio",
        "ar",
        "Sara Ali, Omar Hassan",
    )
    assert article.text == ARABIC
    assert article.key == str((tmp_path / "a.txt").resolve())  # a file stays keyed by its path


def test_front_matter_wins_over_the_title_line_and_a_repeated_title_line_is_dropped(tmp_path: Path) -> None:
    other = _read(tmp_path, FRONT + "عنوان آخر\n\n" + ARABIC)
    assert other.title == "روبيو يحذر روسيا" and other.text.startswith("عنوان آخر\n\n")
    repeated = _read(tmp_path, FRONT + "روبيو يحذر روسيا\n\n" + ARABIC, name="b.txt")
    assert repeated.title == "روبيو يحذر روسيا" and repeated.text == ARABIC


def test_front_matter_without_a_title_keeps_the_title_line_rule(tmp_path: Path) -> None:
    article = _read(tmp_path, "---\ndate: 2025-04-04\n---\nعنوان\n\n" + ARABIC)
    assert (article.title, article.text, article.published) == ("عنوان", ARABIC, date(2025, 4, 4))
    source = _read(tmp_path, "---\nsource: BBC Arabic\n---\n" + ARABIC, name="c.txt")
    assert source.source == "BBC Arabic" and source.title == ARABIC[:300].split("\n")[0]


def test_no_front_matter_is_as_before(tmp_path: Path) -> None:
    article = _read(tmp_path, "عنوان\n\n" + ARABIC)
    assert (article.title, article.text, article.published, article.source) == ("عنوان", ARABIC, None, tmp_path.name)


def test_markdown_front_matter(tmp_path: Path) -> None:
    article = _read(
        tmp_path, "---\ndate: 2024-12-01\noutlet: France24\n---\n# Bridge reopens\n\nThe *bridge* reopened.", "a.md"
    )
    assert (article.title, article.published, article.source) == ("Bridge reopens", date(2024, 12, 1), "France24")
    assert article.text == "# Bridge reopens\n\nThe *bridge* reopened."


def test_unusable_values_are_dropped_with_a_note(tmp_path: Path) -> None:
    notes: list[str] = []
    text = "---\ndate: next Friday\nurl: javascript:alert(1)\nlang: <b>\ncolour: red\n---\n" + ARABIC
    article = _read(tmp_path, text, notes=notes)
    assert (article.published, article.url, article.lang) == (None, None, "ar")
    assert notes == [
        "front matter: date 'next Friday' is not a date (write YYYY-MM-DD); url 'javascript:alert(1)' is not an "
        "http(s) address; lang '<b>' is not a language code (write ar, en, …); unknown key(s) colour (known: title, "
        "date, outlet, url, lang, author); the rest was used"
    ]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("title: [unclosed\n", "is not valid YAML (line 3)"),
        ("- a list\n- not keys\n", "is not a set of 'key: value' lines"),
        ("!!python/object/apply:os.system ['echo hi']\n", "is not valid YAML"),
    ],
)
def test_bad_front_matter_is_an_error_naming_the_file(tmp_path: Path, block: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("---\n" + block + "---\n" + ARABIC, encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_file(path, 10**6)
    assert str(path) in str(info.value) and message in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "---\n\nA rule opens this article and no block closes.\n",
        "Text first.\n---\ndate: 2025-01-01\n---\n",
        "---\n" + "line\n" * 150 + "---\nToo long to be front matter.\n",
    ],
)
def test_what_is_not_front_matter_stays_text(text: str) -> None:
    assert split_front_matter(text, "x.txt") == (None, text)
