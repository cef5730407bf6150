"""What an input says about itself: dates in the forms feeds, pages and files write them, and
the front matter of a plain ``.txt`` or ``.md`` article.

Front matter follows the convention of static-site generators: a YAML block between two ``---`` lines at the very top
of the file, before the article::

    ---
    title: Rubio tells Russia time is running out
    date: 2025-04-04
    outlet: CNN Arabic
    url: https://arabic.cnn.com/world/article/2025/04/04/rubio-russia
    lang: ar
    ---
    The article's text …

Known keys (aliases in ``KEYS``): ``title``, ``date``, ``outlet``, ``url``, ``lang``, ``author``.
A value that cannot be used (a date that is no date, a URL that is not http(s)) is dropped
with a note, and the article still goes in; a block that is not YAML, or not ``key: value``
lines, is an error naming the file. The YAML is read with ``safe_load``: no tags, no objects.

Deliberately not here: reading the rest of the file (``reading``), guessing a missing date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from assistant.errors import IngestError

# Our field ← the keys it may have in front matter, first match wins.
KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "published": ("date", "published", "published_at"),
    "source": ("outlet", "source", "publisher", "site"),
    "url": ("url", "link", "canonical_url"),
    "lang": ("lang", "language"),
    "author": ("author", "authors", "byline"),
}
MAX_LINES = 100  # a block longer than this is no front matter but an article that starts with ---

_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$\n?", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    """The fields a front-matter block gave (None: not given or not usable)."""

    title: str | None = None
    published: date | None = None
    source: str | None = None
    url: str | None = None
    lang: str | None = None
    author: str | None = None


def parse_date(value: object) -> date | None:
    """A date from ISO text, RFC 2822 text, a datetime or a date; None when unknown.

    >>> parse_date("Fri, 16 Feb 2018 03:03:10 +0400"), parse_date("2025-04-04T10:00:00Z")
    (datetime.date(2018, 2, 16), datetime.date(2025, 4, 4))
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def split_front_matter(raw: str, where: str, notes: list[str] | None = None) -> tuple[FrontMatter | None, str]:
    r"""(front matter, the text after it), or (None, ``raw``) when the text opens with none.

    ``where`` names the file in errors; ``notes`` receives what was dropped and why.

    >>> fm, body = split_front_matter("---\ndate: 2025-04-04\noutlet: CNN Arabic\n---\nText.\n", "a.txt")
    >>> fm.published, fm.source, body
    (datetime.date(2025, 4, 4), 'CNN Arabic', 'Text.\n')
    >>> split_front_matter("No front matter.\n", "a.txt")
    (None, 'No front matter.\n')
    """
    opening = _OPEN.match(raw)
    if not opening:
        return None, raw
    closing = _CLOSE.search(raw, opening.end())
    if not closing or raw.count("\n", opening.end(), closing.start()) > MAX_LINES:
        return None, raw  # a rule (---) opening the article, not a block
    block = raw[opening.end() : closing.start()]
    return _fields(_load(block, where), notes), raw[closing.end() :]


def _load(block: str, where: str) -> dict[str, object]:
    import yaml

    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 2})" if mark is not None else ""
        raise IngestError(
            where,
            f"the front matter between the --- lines is not valid YAML{at}; write one 'key: value' a line "
            "(title, date, outlet, url, lang, author) or remove the block",
        ) from None
    if not isinstance(data, dict):
        raise IngestError(
            where,
            "the front matter between the --- lines is not a set of 'key: value' lines; write e.g. "
            "'date: 2025-04-04' and 'outlet: BBC Arabic', or remove the block",
        )
    return {str(k).lower(): v for k, v in data.items()}


def _fields(data: dict[str, object], notes: list[str] | None) -> FrontMatter:
    dropped: list[str] = []
    values: dict[str, object] = {}
    for name, aliases in KEYS.items():
        key = next((k for k in aliases if data.get(k) not in (None, "")), None)
        if key is not None:
            values[name] = data[key]
    published = parse_date(values.get("published")) if "published" in values else None
    if "published" in values and published is None:
        dropped.append(f"date {values['published']!r} is not a date (write YYYY-MM-DD)")
    url = _text(values.get("url"))
    if url and not re.match(r"https?://\S+\Z", url):
        dropped.append(f"url {url!r} is not an http(s) address")
        url = None
    lang = _text(values.get("lang"))
    if lang and not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", lang):
        dropped.append(f"lang {lang!r} is not a language code (write ar, en, …)")
        lang = None
    unknown = sorted(set(data) - {k for aliases in KEYS.values() for k in aliases})
    if unknown:
        dropped.append(f"unknown key(s) {', '.join(unknown)} (known: title, date, outlet, url, lang, author)")
    if notes is not None and dropped:
        notes.append("front matter: " + "; ".join(dropped) + "; the rest was used")
    author = values.get("author")
    return FrontMatter(
        title=_text(values.get("title")),
        published=published,
        source=_text(values.get("source")),
        url=url,
        lang=lang.split("-")[0].split("_")[0].lower() if lang else None,
        author=", ".join(map(str, author)) if isinstance(author, list) else _text(author),
    )


def _text(value: object) -> str | None:
    """A scalar as one line of text (at most 300 characters), or None."""
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split())[:300]
    return text or None
