"""Fetching web pages, documents and feeds over HTTP(S), within limits.

A ``Fetcher`` wraps one httpx client (connections reused across an ingestion or a watch cycle)
and returns the whole body of one response as ``Fetched``, or raises ``FetchError`` naming the URL,
what went wrong and what to do. The limits (``settings.fetch``): connect and read timeouts, a
total time per response (a server trickling bytes), a size cap (the announced length, then the
bytes counted as they come, decompressed), a redirect cap (a loop), http(s) only (a ``file:``
link in a feed is no path to read), status 200 (or 304 for a conditional request), and the
content types we can read: HTML, plain text, PDF, Word (DOCX) and RSS/Atom/XML feeds. A response
with no content type is sniffed from its first bytes.

Conditional requests: ``get(url, etag=..., last_modified=...)`` sends ``If-None-Match`` and
``If-Modified-Since``; a 304 comes back as ``Fetched`` with ``not_modified`` true and no body.

Deliberately not here: what the bytes mean (``web``, ``feeds``, ``documents``), their charset
(``web.decode_page``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.message import Message
from typing import Any

import httpx

from assistant.errors import FetchError
from assistant.settings import FetchSettings

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Media type → the kind of input it is; anything else is refused.
KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/pdf": "pdf",
    DOCX_TYPE: "docx",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/xml": "xml",  # a feed or not: ``web`` looks
    "text/xml": "xml",
}
WHAT_WE_READ = "a web page, a feed, a PDF or a Word document (.docx)"


@dataclass(frozen=True)
class Fetched:
    """One response: where it ended up, what it is, its bytes and its validators."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    kind: str  # a value of ``KINDS`` ("" for a 304)
    media_type: str
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_url(value: object) -> bool:
    """Whether an input names a web address rather than a path.

    >>> is_url("https://example.org/a"), is_url("HTTP://x"), is_url("seeds/a.txt"), is_url("file:///etc/passwd")
    (True, True, False, False)
    """
    return isinstance(value, str) and value[:8].lower().startswith(("http://", "https://"))


def sniff_kind(head: bytes) -> str:
    """The kind of a body with no (or a generic) content type, from its first bytes; "" if unknown.

    >>> sniff_kind(b"%PDF-1.7"), sniff_kind(b"<?xml version='1.0'?><rss>"), sniff_kind(b"<!doctype html><p>")
    ('pdf', 'feed', 'html')
    """
    start = head.lstrip()[:512].lower()
    if start.startswith(b"%pdf-"):
        return "pdf"
    if start.startswith(b"pk\x03\x04"):
        return "docx"
    if b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start:
        return "feed"
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start:
        return "html"
    return ""


class Fetcher:
    """GETs URLs within ``settings``' limits; ``transport`` replaces the network (tests)."""

    def __init__(self, settings: FetchSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._client = httpx.Client(
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={"User-Agent": settings.user_agent},
            transport=transport,
            trust_env=False,  # no proxy from the environment: addresses are fetched as given
            event_hooks={"request": [_only_http]},  # every hop of a redirect, too
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The whole response to GET ``url`` (a 304 when the validators still hold), or ``FetchError``."""
        if not is_url(url):
            raise FetchError(url, "is not an http(s) address; give a URL starting with https://")
        headers = {"Accept": "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
                   "application/xml;q=0.9, application/pdf, text/plain;q=0.8, */*;q=0.1"}  # fmt: skip
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                return self._read(url, response)
        except httpx.HTTPError as exc:
            permanent = isinstance(exc, httpx.TooManyRedirects | httpx.UnsupportedProtocol)
            raise FetchError(url, self._explain(exc), retryable=not permanent) from None

    def _read(self, url: str, response: httpx.Response) -> Fetched:
        status, final = response.status_code, str(response.url)
        validators = {"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
        if status == 304:
            return Fetched(url, final, 304, "", "", None, b"", **validators)
        if status != 200:
            retry = status == 429 or status >= 500
            raise FetchError(url, _status_reason(status, response.reason_phrase), status, retryable=retry)
        media_type, charset = _content_type(response.headers.get("Content-Type", ""))
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > self.settings.max_bytes:
            raise FetchError(url, self._too_big(f"announced as {int(announced):,} bytes"), status)
        body = self._body(url, response)
        kind = KINDS.get(media_type, "")
        if not media_type or media_type in ("application/octet-stream", "binary/octet-stream"):
            kind = sniff_kind(body[:1024]) or kind
        if not kind:
            raise FetchError(
                url, f"is served as {media_type or 'an unknown type'}, not as {WHAT_WE_READ}; give an article's address"
            )
        return Fetched(url, final, status, kind, media_type, charset, body, **validators)

    def _body(self, url: str, response: httpx.Response) -> bytes:
        deadline = time.monotonic() + self.settings.total_timeout
        parts: list[bytes] = []
        size = 0
        for part in response.iter_bytes():
            size += len(part)
            if size > self.settings.max_bytes:
                raise FetchError(url, self._too_big("longer than that"), response.status_code)
            if time.monotonic() > deadline:
                raise FetchError(
                    url,
                    f"took over {self.settings.total_timeout:g} s to send ({size:,} bytes so far); try later, or "
                    "raise BRIEFING_FETCH__TOTAL_TIMEOUT",
                    response.status_code,
                    retryable=True,
                )
            parts.append(part)
        return b"".join(parts)

    def _too_big(self, how: str) -> str:
        return (
            f"the response is over the limit of {self.settings.max_bytes:,} bytes ({how}); not ingested. Raise "
            "BRIEFING_FETCH__MAX_BYTES to take it"
        )

    def _explain(self, exc: httpx.HTTPError) -> str:
        """What a transport error means for the person who gave the URL."""
        s = self.settings
        if isinstance(exc, httpx.ConnectTimeout):
            return f"the server did not accept a connection within {s.connect_timeout:g} s; check the address, or retry"
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
            return (
                f"the server sent nothing for {s.read_timeout:g} s (timed out); try later, or raise "
                "BRIEFING_FETCH__READ_TIMEOUT"
            )
        if isinstance(exc, httpx.TooManyRedirects):
            return (
                f"was redirected more than {s.max_redirects} times (a redirect loop?); open it in a browser to see "
                "where it leads, and give that address"
            )
        if isinstance(exc, httpx.UnsupportedProtocol):
            return "redirects to an address that is not http(s); not followed"
        if isinstance(exc, httpx.ConnectError):
            return f"could not connect ({_first_line(exc)}); check the address, or whether the site is up"
        return f"the request failed ({type(exc).__name__}: {_first_line(exc)}); try again later"


def _only_http(request: httpx.Request) -> None:
    """Refuse a request (a redirect's, too) to anything but http(s): a ``file:`` link is no page."""
    if request.url.scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(f"not http(s): {request.url.scheme}", request=request)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _status_reason(status: int, phrase: str) -> str:
    """Why a status other than 200 stops an input, and what to do.

    >>> _status_reason(404, "Not Found")
    'the server answered 404 Not Found; check the address'
    """
    answered = f"the server answered {status} {phrase}".rstrip()
    if status in (404, 410):
        return f"{answered}; check the address"
    if status in (401, 403):
        return f"{answered}; the page needs a login or refuses this client, so it cannot be fetched"
    if status == 429 or status >= 500:
        return f"{answered}; try again later"
    return f"{answered}; only 200 OK responses are ingested"


def _content_type(header: str) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header.

    >>> _content_type("text/html; charset=Windows-1256")
    ('text/html', 'windows-1256')
    """
    message = Message()
    message["Content-Type"] = header or "application/octet-stream"
    charset: Any = message.get_param("charset")
    media_type = message.get_content_type() if header else ""
    return media_type, str(charset).strip().lower() if isinstance(charset, str) and charset.strip() else None
