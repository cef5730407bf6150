"""Web pages into ``Article`` records: decode, extract the main text, key by the canonical URL.

A page's charset is the one its ``Content-Type`` header names, else its ``<meta charset>``,
else what files get (``decoding``: UTF-8, else the detected charset, so Windows-1256 Arabic
reads right). Its main text, title, date, author and site name come from trafilatura, as for
``.html`` files. Its key is its canonical URL (``<link rel=canonical>`` or ``og:url`` when on the
page's own host, else the address it was fetched from, after redirects), normalised; so a page
fetched again with new text replaces its old version, and one reached by two addresses is one.

Page text is untrusted: it becomes article text only (escaped wherever shown, flagged by
``text.injection`` when it addresses the assistant), never markup, a path or an instruction.

Deliberately not here: fetching (``fetching``), feeds (``feeds``), PDF and Word (``documents``).
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from assistant.errors import FetchError, IngestError
from assistant.ingestion.decoding import decode_bytes
from assistant.ingestion.documents import document_article
from assistant.ingestion.fetching import Fetched
from assistant.ingestion.metadata import parse_date
from assistant.ingestion.reading import make_article, split_title_line
from assistant.records import Article

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.I)


def normalise_url(url: str) -> str:
    """A URL as a key: scheme and host lower-cased, default port, fragment and tracking parameters dropped.

    >>> normalise_url("HTTPS://Example.org:443/news/a?utm_source=rss&id=7#top")
    'https://example.org/news/a?id=7'
    """
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def canonical_url(claimed: str | None, fetched_from: str) -> str:
    """The key of a page: the canonical URL it claims when that is http(s) on the host it was fetched
    from (a page may not claim another site's article), else the address it came from.

    >>> canonical_url("https://www.bbc.com/arabic/x", "https://bbc.com/arabic/x?utm_source=rss")
    'https://www.bbc.com/arabic/x'
    >>> canonical_url("https://other.example/x", "https://bbc.com/arabic/x")
    'https://bbc.com/arabic/x'
    """
    final = normalise_url(fetched_from)
    if not claimed or not re.match(r"https?://", claimed.strip(), re.I):
        return final
    candidate = normalise_url(claimed)

    def site(url: str) -> str:
        return (urlsplit(url).hostname or "").removeprefix("www.")

    return candidate if site(candidate) == site(final) else final


def decode_page(fetched: Fetched) -> str:
    """A text response's characters: the header's charset, else the page's own ``<meta charset>``,
    else as files are decoded; binary bytes served as text are refused."""
    body, url = fetched.body, fetched.url
    if not body.strip():
        raise FetchError(url, "the response is empty; nothing to ingest", fetched.status)
    if b"\x00" in body[:8192] and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FetchError(
            url,
            f"is served as {fetched.media_type} but its body is binary (NUL bytes), not text; check the address",
            fetched.status,
        )
    meta = _META_CHARSET.search(body[:4096]) if fetched.kind == "html" else None
    for declared in (fetched.charset, meta.group(1).decode("ascii").lower() if meta else None):
        if declared and declared not in ("utf-8", "utf8"):
            try:
                return body.decode(declared)
            except (LookupError, UnicodeDecodeError):
                continue  # a wrong or unknown label: detect instead
    try:
        return decode_bytes(body, url)
    except IngestError as exc:
        raise FetchError(url, exc.reason.replace("the file", "the response"), fetched.status) from None


def article_from_page(fetched: Fetched) -> Article:
    """An HTML or plain-text response as an article keyed by its canonical URL."""
    raw = decode_page(fetched)
    if fetched.kind == "text":
        title, body = split_title_line(raw)
        key = normalise_url(fetched.final_url)
        host = urlsplit(key).hostname or ""
        return make_article(key=key, text=body, title=title, source=host, url=key, origin=fetched.url)
    import trafilatura

    doc = trafilatura.bare_extraction(
        raw, url=fetched.final_url, include_comments=False, include_tables=False, with_metadata=True
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text:
        raise FetchError(fetched.url, "no article text found on this page; give the address of an article", 200)
    key = canonical_url(getattr(doc, "url", None), fetched.final_url)
    return make_article(
        key=key,
        text=text,
        title=getattr(doc, "title", None),
        source=getattr(doc, "sitename", None) or urlsplit(key).hostname or "",
        url=key,
        published=parse_date(getattr(doc, "date", None)),
        author=getattr(doc, "author", None),
        origin=fetched.url,
    )


def read_fetched(fetched: Fetched) -> Article:
    """A fetched page, text, PDF or Word document as an article (a feed is ``feeds``' to read)."""
    if fetched.kind in ("html", "text"):
        return article_from_page(fetched)
    if fetched.kind in ("pdf", "docx"):
        key = normalise_url(fetched.final_url)
        source = urlsplit(key).hostname or ""
        return document_article(fetched.kind, fetched.body, key=key, source=source, url=key, origin=fetched.url)
    raise FetchError(fetched.url, f"is served as {fetched.media_type} but is no RSS or Atom feed; give a web page", 200)
