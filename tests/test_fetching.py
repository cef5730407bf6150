"""Fetching within limits (``ingestion/fetching.py``) and pages into articles (``ingestion/web.py``),
over httpx's MockTransport: statuses, sizes, redirects, content types, charsets, canonical URLs."""

from __future__ import annotations

import httpx
import pytest
from localweb import AR_PAGE_TEXT, AR_PAGE_TITLE, CP1256_TEXT, CP1256_TITLE, PNG, page_html

from assistant.errors import FetchError
from assistant.ingestion.fetching import Fetcher
from assistant.ingestion.web import article_from_page, canonical_url, decode_page
from assistant.settings import FetchSettings

SETTINGS = FetchSettings(max_bytes=10_000, max_redirects=3, total_timeout=5)


def _fetcher(handler, settings: FetchSettings = SETTINGS) -> Fetcher:
    return Fetcher(settings, httpx.MockTransport(handler))


def _reason(fetcher: Fetcher, url: str = "http://news.test/a") -> str:
    with pytest.raises(FetchError) as info:
        fetcher.get(url)
    assert info.value.url == url and str(info.value).startswith(f"{url}: ")
    return info.value.reason


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (404, "the server answered 404 Not Found; check the address"),
        (410, "the server answered 410 Gone; check the address"),
        (500, "the server answered 500 Internal Server Error; try again later"),
        (503, "the server answered 503 Service Unavailable; try again later"),
        (
            403,
            "the server answered 403 Forbidden; the page needs a login or refuses this client, so it cannot be fetched",
        ),
        (204, "the server answered 204 No Content; only 200 OK responses are ingested"),
    ],
)
def test_statuses_other_than_200_are_named(status: int, reason: str) -> None:
    assert _reason(_fetcher(lambda request: httpx.Response(status))) == reason


def test_an_announced_size_over_the_cap_is_refused_before_reading() -> None:
    fetcher = _fetcher(lambda r: httpx.Response(200, headers={"Content-Length": "50000", "Content-Type": "text/html"}))
    assert _reason(fetcher) == (
        "the response is over the limit of 10,000 bytes (announced as 50,000 bytes); not ingested. "
        "Raise BRIEFING_FETCH__MAX_BYTES to take it"
    )


def test_an_unannounced_size_over_the_cap_is_counted() -> None:
    def stream(request: httpx.Request) -> httpx.Response:
        chunks = iter([b"<html>" + b"x" * 6000, b"y" * 6000])
        return httpx.Response(200, headers={"Content-Type": "text/html"}, stream=httpx.ByteStream(b"".join(chunks)))

    assert "over the limit of 10,000 bytes (longer than that)" in _reason(_fetcher(stream))


def test_a_redirect_loop_is_stopped_at_the_cap() -> None:
    calls: list[str] = []

    def loop(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(302, headers={"Location": "/b" if request.url.path == "/a" else "/a"})

    assert _reason(_fetcher(loop)) == (
        "was redirected more than 3 times (a redirect loop?); open it in a browser to see where it leads, and give "
        "that address"
    )
    assert len(calls) == 4  # the first request and three redirects, no more


def test_redirects_are_followed_and_the_final_address_kept() -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, text="<html><p>x</p></html>", headers={"Content-Type": "text/html"})

    fetched = _fetcher(moved).get("http://news.test/old")
    assert (fetched.url, fetched.final_url, fetched.kind) == ("http://news.test/old", "http://news.test/new", "html")


def test_a_redirect_to_a_file_is_not_followed() -> None:
    fetcher = _fetcher(lambda r: httpx.Response(302, headers={"Location": "file:///etc/passwd"}))
    assert _reason(fetcher) == "redirects to an address that is not http(s); not followed"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://news.test/a", "/etc/passwd", "javascript:alert(1)"])
def test_only_http_addresses_are_fetched(url: str) -> None:
    fetcher = _fetcher(lambda r: pytest.fail("nothing may be requested"))
    assert _reason(fetcher, url) == "is not an http(s) address; give a URL starting with https://"


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("text/html; charset=utf-8", b"<html>", "html"),
        ("application/pdf", b"%PDF-1.7", "pdf"),
        ("application/rss+xml", b"<rss>", "feed"),
        ("text/xml", b"<rss>", "xml"),
        ("", b"%PDF-1.4 ...", "pdf"),  # no type: sniffed
        ("application/octet-stream", b"<?xml version='1.0'?><feed xmlns='x'>", "feed"),
    ],
)
def test_kinds_we_read(content_type: str, body: bytes, kind: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert _fetcher(lambda r: httpx.Response(200, content=body, headers=headers)).get("http://news.test/a").kind == kind


@pytest.mark.parametrize("content_type", ["image/png", "application/zip", "video/mp4", "application/octet-stream"])
def test_other_content_types_are_refused(content_type: str) -> None:
    fetcher = _fetcher(lambda r: httpx.Response(200, content=PNG, headers={"Content-Type": content_type}))
    assert _reason(fetcher) == (
        f"is served as {content_type}, not as a web page, a feed, a PDF or a Word document (.docx); "
        "give an article's address"
    )


def test_timeouts_are_named() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    assert _reason(_fetcher(slow)) == (
        "the server sent nothing for 20 s (timed out); try later, or raise BRIEFING_FETCH__READ_TIMEOUT"
    )
    assert _reason(_fetcher(unreachable)) == (
        "the server did not accept a connection within 10 s; check the address, or retry"
    )


def test_conditional_requests_send_the_validators_and_a_304_has_no_body() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, content=b"<rss/>", headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    fetcher = _fetcher(server)
    first = fetcher.get("http://news.test/feed")
    second = fetcher.get("http://news.test/feed", etag=first.etag, last_modified="Fri, 04 Apr 2025 12:00:00 GMT")
    assert (first.status, first.etag, second.not_modified, second.body) == (200, '"v1"', True, b"")
    assert seen[1].headers["If-Modified-Since"] == "Fri, 04 Apr 2025 12:00:00 GMT"


def _page(body: bytes, content_type: str, url: str = "http://news.test/a") -> httpx.Response:
    return httpx.Response(200, content=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    ("content_type", "html_charset"),
    [("text/html; charset=windows-1256", ""), ("text/html", "windows-1256"), ("text/html", "")],
)
def test_windows_1256_pages_are_decoded_by_header_meta_or_detection(content_type: str, html_charset: str) -> None:
    html = page_html(CP1256_TITLE, CP1256_TEXT, charset=html_charset)
    if not html_charset:
        html = html.replace('<meta charset="">', "")
    fetched = _fetcher(lambda r: _page(html.encode("cp1256"), content_type)).get("http://news.test/a")
    article = article_from_page(fetched)
    assert (article.title, article.lang) == (CP1256_TITLE, "ar")
    assert "بيروت انقطاعا واسعا" in article.text


def test_a_wrong_charset_label_falls_back_to_detection() -> None:
    html = page_html(AR_PAGE_TITLE, AR_PAGE_TEXT).encode("utf-8")
    fetched = _fetcher(lambda r: _page(html, "text/html; charset=x-no-such-charset")).get("http://news.test/a")
    assert AR_PAGE_TITLE in decode_page(fetched)


def test_binary_served_as_html_is_refused() -> None:
    fetched = _fetcher(lambda r: _page(PNG, "text/html")).get("http://news.test/a")
    with pytest.raises(FetchError) as info:
        article_from_page(fetched)
    assert info.value.reason == "is served as text/html but its body is binary (NUL bytes), not text; check the address"


def test_the_page_is_keyed_by_its_canonical_url_on_its_own_host() -> None:
    html = page_html(AR_PAGE_TITLE, AR_PAGE_TEXT, canonical="http://news.test/rubio", site="News Test").encode()
    fetched = _fetcher(lambda r: _page(html, "text/html")).get("http://news.test/rubio.html?utm_source=rss#x")
    article = article_from_page(fetched)
    assert (article.key, article.url, article.source, article.title) == (
        "http://news.test/rubio", "http://news.test/rubio", "News Test", AR_PAGE_TITLE
    )  # fmt: skip
    assert "Home" not in article.text and "rights reserved" not in article.text


def test_a_canonical_url_on_another_site_is_not_believed() -> None:
    assert canonical_url("https://victim.example/article", "http://news.test/a?utm_medium=x") == "http://news.test/a"
