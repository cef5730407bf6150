"""Reading inputs into cleaned ``Article`` records.

Supported: ``.txt``, ``.md`` (with optional front matter, ``metadata``), ``.html``/``.htm`` (main
text by trafilatura) and ``.jsonl`` (one article a line); ``.pdf`` and ``.docx`` are listed here
and read by ``documents``. Folders are walked for those extensions. Bytes are decoded as UTF-8,
UTF-16 or UTF-32 when a byte-order mark says so, else as whatever charset-normalizer detects
(Arabic often arrives as Windows-1256); a file that is not text, a pipe or a device raises
``IngestError`` naming it, and a batch goes on without it.

JSON Lines fields: ``title, text, url, published, source, lang`` plus an optional id; the
aliases in ``JSONL_FIELDS`` let other shapes load as is (the ANT corpus: ``doc_id, title,
time, url, src, text``).

Deliberately not here: chunking, embedding, storing (later stages), and fetching URLs.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import IngestError
from assistant.ingestion.cleaning import strip_boilerplate
from assistant.ingestion.decoding import GIVE_FILES, decode_bytes
from assistant.ingestion.metadata import FrontMatter, parse_date, split_front_matter
from assistant.records import Article, Stripped, content_hash
from assistant.text.arabic import language_of

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
DOCUMENT_SUFFIXES = {".pdf", ".docx"}  # read by ``documents``, page by page
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | DOCUMENT_SUFFIXES

# Our field ← the names it may have in a JSON Lines file, first match wins.
JSONL_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "passage_id", "doc_id", "article_id", "guid"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article"),
    "url": ("url", "link"),
    "published": ("published", "time", "date", "published_at", "datetime"),
    "source": ("source", "src", "site", "publisher"),
    "lang": ("lang", "language"),
}


@dataclass(frozen=True)
class RowError:
    """A JSON Lines row (or a feed's entry, ``line`` 0) that could not be read; the rest still is."""

    path: str
    line: int
    reason: str

    @property
    def where(self) -> str:
        """``path:line`` for a row, the entry's address for a feed entry."""
        return f"{self.path}:{self.line}" if self.line else self.path


def iter_input_files(paths: list[str | Path]) -> Iterator[Path]:
    """Files to ingest: given files as they are, folders walked in sorted order.

    Raises ``IngestError`` for a path that does not exist or a given file of an unsupported type.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                ):
                    yield child
        elif path.is_file():
            yield path
        elif path.exists():  # reading a pipe or a device could block for ever, or never end
            raise IngestError(path, f"is a {_special_kind(path)}, not a file; {GIVE_FILES}")
        else:
            raise IngestError(path, "no such file or folder; check the path")


def _special_kind(path: Path) -> str:
    """What a path that exists but is neither a file nor a folder is, for people."""
    mode = path.stat().st_mode
    kinds = ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
             (stat.S_ISBLK, "block device"))  # fmt: skip
    return next((name for test, name in kinds if test(mode)), "special file")


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``: 'ar' when mostly Arabic script, else py3langid's guess.

    >>> detect_language("قال روبيو إن الوقت ينفد"), detect_language("Rubio said time is running out")
    ('ar', 'en')
    """
    sample = text[:3000]
    if language_of(sample) == "ar":
        return "ar"
    import py3langid  # imported here: loading its model costs ~0.3 s and Arabic needs none

    lang, _score = py3langid.classify(sample)
    return str(lang)


def make_article(
    *,
    key: str,
    text: str,
    title: str | None = None,
    source: str = "",
    url: str | None = None,
    published: date | None = None,
    lang: str | None = None,
    origin: str = "",
    author: str | None = None,
    pages: tuple[int, ...] = (),
    stripped: list[Stripped] | None = None,
) -> Article:
    """Clean ``text`` and build an ``Article`` whose id hashes its title and cleaned text.

    The title defaults to the first line of the cleaned text; ``origin`` says where it was read.
    A paged document (PDF, DOCX) is cleaned page by page by its reader, which passes the
    cleaned text, what was ``stripped`` and where each page starts (``pages``).
    """
    cleaned, stripped = strip_boilerplate(text) if stripped is None else (text, stripped)
    if not cleaned:
        raise IngestError(key, "no article text is left after removing boilerplate")
    if not title:
        title = cleaned.split("\n", 1)[0].strip().lstrip("#").strip()[:300]
    return Article(
        id=content_hash(title, cleaned),
        key=key,
        title=title,
        text=cleaned,
        source=source,
        lang=lang or detect_language(cleaned),
        published=published,
        url=url or None,
        stripped=tuple(stripped),
        origin=origin or key,
        author=author or None,
        pages=pages,
    )


def _read_html(raw: str, path: Path) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(raw, include_comments=False, include_tables=False, with_metadata=True)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text:
        raise IngestError(path, "no article text found in this HTML page")
    url = getattr(doc, "url", None)
    return make_article(
        key=url or str(path.resolve()),
        text=text,
        title=getattr(doc, "title", None),
        source=getattr(doc, "sitename", None) or getattr(doc, "hostname", None) or path.parent.name,
        url=url,
        published=parse_date(getattr(doc, "date", None)),
    )


def _field(row: dict[str, object], name: str) -> object:
    for alias in JSONL_FIELDS[name]:
        if row.get(alias) not in (None, ""):
            return row[alias]
    return None


def article_from_row(row: dict[str, object], where: str) -> Article:
    """An ``Article`` from one JSON Lines object (field aliases in ``JSONL_FIELDS``)."""
    text = _field(row, "text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(where, "the row has no 'text' field (or it is empty)")
    ident, url = _field(row, "id"), _field(row, "url")
    title = _field(row, "title")
    return make_article(
        key=str(ident or url or content_hash(str(title), text)),
        text=text,
        title=str(title) if title else None,
        source=str(_field(row, "source") or ""),
        url=str(url) if url else None,
        published=parse_date(_field(row, "published")),
        lang=str(_field(row, "lang") or "") or None,
        origin=where,
    )


def _key_field(row: dict[str, object]) -> str:
    """Which field keys a row's article: its id, else its url, else its title and text."""
    return "id" if _field(row, "id") is not None else "url" if _field(row, "url") is not None else "title and text"


def read_jsonl(raw: str, path: Path) -> tuple[list[Article], list[RowError]]:
    """Articles from a JSON Lines text; bad rows are reported with their line numbers.

    A row whose key (id, else url) an earlier row of the file already holds with other text is
    an error naming both lines: one key keeps one article, and the second would silently replace
    (or be dropped for) the first."""
    articles: list[Article] = []
    errors: list[RowError] = []
    first: dict[str, tuple[int, Article]] = {}  # key → the line that holds it, and its article
    # split("\n"), not splitlines(): JSON strings may hold U+2028 or U+0085, which
    # splitlines() would treat as line ends and so cut a row in two.
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(RowError(str(path), number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(row, dict):
            errors.append(RowError(str(path), number, "not a JSON object; each line must be {...}"))
            continue
        try:
            article = article_from_row(row, where)
        except IngestError as exc:
            errors.append(RowError(str(path), number, exc.reason))
            continue
        earlier = first.setdefault(article.key, (number, article))
        if earlier[1].id != article.id:
            reason = duplicate_key(_key_field(row), article.key, f"line {earlier[0]}")
            errors.append(RowError(str(path), number, reason))
            continue
        articles.append(article)
    if not articles and not errors:
        raise IngestError(path, "the file has no JSON lines")
    return articles, errors


def duplicate_key(field: str, key: str, kept: str) -> str:
    """The reason a row is refused because ``kept`` holds its key with other text.

    >>> print(duplicate_key("url", "https://x/a", "line 2"))  # doctest: +NORMALIZE_WHITESPACE
    the same url as line 2 ('https://x/a') but other text: one key holds one article, and line 2 was kept;
    give each row its own 'id', or remove one
    """
    return (
        f"the same {field} as {kept} ({key!r}) but other text: one key holds one article, and {kept} was kept; "
        "give each row its own 'id', or remove one"
    )


def article_too_long(chars: int, limit: int) -> str:
    """The reason an article is refused for its length.

    >>> print(article_too_long(2_480_000, 200_000))  # doctest: +NORMALIZE_WHITESPACE
    the article is 2,480,000 characters long, over the limit of 200,000 for one article (embedding takes about a
    minute per 100,000 characters); split it into articles, or raise BRIEFING_INGEST__MAX_ARTICLE_CHARS
    """
    return (
        f"the article is {chars:,} characters long, over the limit of {limit:,} for one article (embedding takes "
        "about a minute per 100,000 characters); split it into articles, or raise BRIEFING_INGEST__MAX_ARTICLE_CHARS"
    )


def read_bytes_within(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, or ``IngestError`` when it is over ``max_bytes`` (checked before reading)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            path,
            f"the file is {size:,} bytes, over the limit of {max_bytes:,}; split it or raise "
            "BRIEFING_INGEST__MAX_FILE_BYTES",
        )
    return path.read_bytes()


def read_file(path: Path, max_bytes: int, notes: list[str] | None = None) -> tuple[list[Article], list[RowError]]:
    """Read one input file into articles (and, for JSON Lines, the rows that failed); ``notes``
    receives what was repaired on the way (damaged UTF-8)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES or suffix in DOCUMENT_SUFFIXES:  # documents: ``documents.read_document_file``
        raise IngestError(path, f"unsupported file type {suffix or '(none)'!r}; {GIVE_FILES}")
    raw = decode_bytes(read_bytes_within(path, max_bytes), path, notes)
    if suffix in JSONL_SUFFIXES:
        return read_jsonl(raw, path)
    if suffix in HTML_SUFFIXES:
        return [_read_html(raw, path)], []
    return [_read_text(raw, path, notes)], []


def _read_text(raw: str, path: Path, notes: list[str] | None) -> Article:
    """A ``.txt`` or ``.md`` article: its front matter (when it opens with one) says its title, date,
    outlet, URL, language and author; the title otherwise comes from the text (below)."""
    front, body = split_front_matter(raw, str(path), notes)
    fm = front or FrontMatter()
    if path.suffix.lower() in {".md", ".markdown"}:
        # Markdown emphasis and link syntax stay in the text: quotes must match the file.
        first = next((ln for ln in body.splitlines() if ln.strip()), "")
        title = fm.title or re.sub(r"^#+\s*", "", first).strip() or None
    else:
        title_line, rest = split_title_line(body)
        if fm.title is None or title_line is not None and " ".join(title_line.split()) == fm.title:
            body = rest  # the title line is the title (or repeats the front matter's), not text
        title = fm.title or title_line
    return make_article(
        key=str(path.resolve()), text=body, title=title, source=fm.source or path.parent.name, url=fm.url,
        published=fm.published, lang=fm.lang, author=fm.author,
    )  # fmt: skip


_TITLE_LINE = re.compile(r"[ \t]*([^\n]{1,300}?)[ \t]*\r?\n[ \t]*\r?\n(?=\s*\S)")


def split_title_line(raw: str) -> tuple[str | None, str]:
    r"""A plain-text article's title and body: a first line of at most 300 characters, not ending
    a sentence, followed by a blank line, is the title (the way people save an article, and what
    a JSON Lines row keeps in its ``title``), and the text starts after it. Otherwise no title
    (the first line then stands for one) and the whole text.

    >>> split_title_line("Rubio in Brussels\n\nRubio said time is running out.\n")
    ('Rubio in Brussels', 'Rubio said time is running out.\n')
    >>> split_title_line("Rubio said so.\n\nThen he left.")[0] is None
    True
    """
    match = _TITLE_LINE.match(raw)
    if not match or match.group(1).rstrip()[-1:] in ".!?؟…:":
        return None, raw
    return match.group(1), raw[match.end() :]
