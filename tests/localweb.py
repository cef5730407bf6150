"""A real HTTP server on 127.0.0.1 for the tests of URLs, feeds and the watcher, and the fixtures it
serves: pages in UTF-8 and Windows-1256, RSS 2.0 and Atom feeds with Arabic and English entries,
an Arabic PDF (DejaVu Sans from Debian's fonts-dejavu-core, shaped by HarfBuzz) and DOCX, and the
bad cases: a malformed feed, a 404, a 500, a server that stalls, a redirect loop, a response over
the size cap, a binary file served as HTML.

``LocalWeb`` runs a ``ThreadingHTTPServer`` in a thread; routes can change while it runs (a feed
gains an item), it answers conditional requests (ETag / If-Modified-Since → 304) and it records
every request it saw, so a test can check what a client asked. Nothing here reaches any other
address.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

AR_PAGE_TITLE = "روبيو يبلغ روسيا أن الوقت ينفد"
AR_PAGE_TEXT = (
    "قال وزير الخارجية الأمريكي ماركو روبيو يوم الجمعة إن الوقت ينفد أمام روسيا لإظهار رغبتها في السلام. "
    "وأضاف روبيو في بروكسل أن الولايات المتحدة لن تنتظر إلى الأبد حتى تقبل موسكو وقف إطلاق النار. "
    "وكان المبعوث الأمريكي ستيف ويتكوف قد التقى الرئيس الروسي فلاديمير بوتين مرتين هذا العام."
)
CP1256_TITLE = "انقطاع الكهرباء في بيروت"
CP1256_TEXT = (
    "شهدت العاصمة اللبنانية بيروت انقطاعا واسعا للتيار الكهربائي استمر أكثر من عشرين ساعة. "
    "وقالت شركة كهرباء لبنان إن نقص الوقود أجبرها على إيقاف محطتين رئيسيتين عن العمل. "
    "ويعتمد السكان على المولدات الخاصة التي رفعت أسعارها مرة أخرى هذا الشهر."
)
EN_PAGE_TITLE = "Harbour bridge reopens after repairs"
EN_PAGE_TEXT = (
    "The city's harbour bridge reopened to traffic on Monday after eighteen months of repairs. "
    "Engineers replaced all 240 steel cables and resurfaced the deck, the transport authority said. "
    "The repairs cost 310 million dollars, forty million more than first planned."
)
PDF_PAGES = [
    "تقرير الأمم المتحدة عن الأمن الغذائي في السودان",
    "حذرت الأمم المتحدة من أن نحو 25 مليون شخص في السودان يواجهون الجوع الحاد هذا العام.",
    "وقال برنامج الأغذية العالمي إنه يحتاج إلى 700 مليون دولار لإيصال المساعدات قبل موسم الأمطار.",
]
DOCX_TITLE = "مذكرة عن محادثات المياه"
DOCX_PARAGRAPHS = [
    "اتفقت مصر والسودان وإثيوبيا على استئناف محادثات سد النهضة في أديس أبابا الشهر المقبل.",
    "وقال وزير الري المصري إن بلاده تريد اتفاقا ملزما حول قواعد ملء السد وتشغيله.",
]


def page_html(title: str, text: str, *, charset: str = "utf-8", canonical: str | None = None, site: str = "") -> str:
    """A news page: navigation, the article, a footer (what trafilatura must tell apart)."""
    head = f'<meta charset="{charset}"><title>{escape(title)}</title>'
    if canonical:
        head += f'<link rel="canonical" href="{escape(canonical)}">'
    if site:
        head += f'<meta property="og:site_name" content="{escape(site)}">'
    paragraphs = "".join(f"<p>{escape(s.strip())}.</p>" for s in text.split(".") if s.strip())
    return (
        f"<!doctype html><html><head>{head}</head><body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(title)}</h1>{paragraphs}</article><footer>© News site. All rights reserved.</footer>"
        "</body></html>"
    )


def arabic_pdf(pages: list[str]) -> bytes:
    """A PDF of one paragraph a page, in Arabic, as a word processor writes it: DejaVu Sans embedded,
    glyphs shaped by HarfBuzz and laid out right to left (so extractors see them in visual order)."""
    from fpdf import FPDF

    assert DEJAVU.is_file(), f"{DEJAVU} is missing: install Debian's fonts-dejavu-core (make test does)"
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=14)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text, align="R")
    return bytes(pdf.output())


# Letters that join only to the letter before them (never to the next one).
_RIGHT_JOINING = set("اأإآدذرزوؤةى")


def _shaped_forms(word: str) -> str:
    """A word as presentation forms (isolated, initial, medial, final), as legacy PDF tools stored Arabic."""
    import unicodedata

    out = []
    for i, letter in enumerate(word):
        joins_before = i > 0 and word[i - 1] not in _RIGHT_JOINING
        joins_after = i + 1 < len(word) and letter not in _RIGHT_JOINING
        form = {(False, False): "ISOLATED", (False, True): "INITIAL", (True, True): "MEDIAL", (True, False): "FINAL"}
        name = unicodedata.name(letter).replace("ARABIC LETTER ", "")
        try:
            out.append(unicodedata.lookup(f"ARABIC LETTER {name} {form[(joins_before, joins_after)]} FORM"))
        except KeyError:
            out.append(unicodedata.lookup(f"ARABIC LETTER {name} ISOLATED FORM"))
    return "".join(out)


def legacy_arabic_pdf(pages: list[str]) -> bytes:
    """A PDF as older tools wrote Arabic: each line stored as presentation forms in visual order
    (reversed), with no shaping engine; digits stay left to right. What extractors give back reversed."""
    import re

    from fpdf import FPDF

    assert DEJAVU.is_file(), f"{DEJAVU} is missing: install Debian's fonts-dejavu-core (make test does)"
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=14)
    for text in pages:
        pdf.add_page()
        shaped = re.sub("[\u0621-\u064a]+", lambda m: _shaped_forms(m.group()), text)
        visual = re.sub(r"\d+", lambda m: m.group()[::-1], shaped)[::-1]  # numbers keep their order
        pdf.cell(0, 10, visual, align="R")
    return bytes(pdf.output())


def arabic_docx(title: str, paragraphs: list[str], page_break_before: int | None = None) -> bytes:
    """A Word document: a heading and paragraphs; a page break before paragraph ``page_break_before``."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for i, text in enumerate(paragraphs):
        if i == page_break_before:
            document.add_page_break()
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0  # seconds to wait before answering
    conditional: bool = False  # send an ETag and Last-Modified, and answer 304 when they still hold
    modified: datetime = field(default_factory=lambda: datetime(2025, 4, 4, 12, 0, tzinfo=UTC))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    status: int


class LocalWeb:
    """A threading HTTP server on 127.0.0.1 (a free port), serving ``routes``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.after: Callable[[Seen, LocalWeb], None] | None = None  # called after each answer (a test's hook)
        self._lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                web._answer(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a stalled handler must not hold the test's end
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(handler.path)
        if route is None:
            route = Route(b"<html><body>Not found</body></html>", status=404)
        if route.stall:
            time.sleep(route.stall)
        status = route.status
        headers = dict(route.headers)
        if route.conditional:
            headers["ETag"] = route.etag
            headers["Last-Modified"] = format_datetime(route.modified, usegmt=True)
            if handler.headers.get("If-None-Match") == route.etag:
                status = 304
        with self._lock:
            self.seen.append(Seen(handler.path, dict(handler.headers.items()), status))
        try:
            handler.send_response(status)
            if status != 304:
                handler.send_header("Content-Type", route.content_type)
                handler.send_header("Content-Length", str(len(route.body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if status != 304:
                handler.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
        if self.after is not None:
            self.after(Seen(handler.path, dict(handler.headers.items()), status), self)


@contextmanager
def serving() -> Iterator[LocalWeb]:
    """A ``LocalWeb`` running for the ``with`` block, stopped after it."""
    web = LocalWeb()
    web.thread.start()
    try:
        yield web
    finally:
        web.server.shutdown()
        web.server.server_close()


def rss(items: list[dict[str, str]], title: str = "Local news") -> bytes:
    """An RSS 2.0 feed; an item's ``content`` goes in content:encoded, its ``summary`` in description."""
    parts = []
    for item in items:
        inner = "".join(
            f"<{tag}>{escape(item[key])}</{tag}>"
            for key, tag in (("title", "title"), ("link", "link"), ("guid", "guid"), ("date", "pubDate"),
                             ("summary", "description"), ("content", "content:encoded"))
            if key in item
        )  # fmt: skip
        parts.append(f"<item>{inner}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>Local</description>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode("utf-8")


def atom(entries: list[dict[str, str]], title: str = "Local Atom") -> bytes:
    """An Atom 1.0 feed; an entry's ``content`` is its full text, ``summary`` a summary."""
    parts = []
    for entry in entries:
        inner = f"<title>{escape(entry['title'])}</title><id>{escape(entry['id'])}</id>"
        inner += f'<link href="{escape(entry["link"])}"/><updated>{entry["updated"]}</updated>'
        if "summary" in entry:
            inner += f"<summary>{escape(entry['summary'])}</summary>"
        if "content" in entry:
            inner += f'<content type="text">{escape(entry["content"])}</content>'
        parts.append(f"<entry>{inner}</entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:local:atom</id><updated>2025-04-04T12:00:00Z</updated>"
        + "".join(parts)
        + "</feed>"
    ).encode("utf-8")


BIG_BYTES = 300_000  # the over-size page; tests set BRIEFING_FETCH__MAX_BYTES below it
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def install_pages(web: LocalWeb) -> None:
    """The pages and the bad cases: good pages at /news/…, the rest as their names say."""
    routes = web.routes
    routes["/news/rubio.html?utm_source=rss"] = routes["/news/rubio.html"] = Route(
        page_html(AR_PAGE_TITLE, AR_PAGE_TEXT, canonical=web.url("/news/rubio"), site="Local Arabic News").encode()
    )
    # Windows-1256 with no charset anywhere: decoded by detection, as files are.
    routes["/news/beirut.html"] = Route(
        page_html(CP1256_TITLE, CP1256_TEXT, charset="").replace('<meta charset="">', "").encode("cp1256"),
        content_type="text/html",
    )
    routes["/news/bridge.html"] = Route(page_html(EN_PAGE_TITLE, EN_PAGE_TEXT, site="Harbour Times").encode())
    routes["/error"] = Route(b"<html><body>Internal error</body></html>", status=500)
    routes["/stall"] = Route(page_html("Slow", "Too slow to matter.").encode(), stall=4.0)
    routes["/loop/a"] = Route(status=302, headers={"Location": "/loop/b"})
    routes["/loop/b"] = Route(status=302, headers={"Location": "/loop/a"})
    routes["/big.html"] = Route(page_html("Big", "word " * (BIG_BYTES // 5)).encode())
    routes["/binary.html"] = Route(PNG, content_type="text/html")
    routes["/photo.png"] = Route(PNG, content_type="image/png")


def install_documents(web: LocalWeb) -> None:
    """An Arabic PDF and DOCX, as a site serves them."""
    from assistant.ingestion.fetching import DOCX_TYPE

    web.routes["/docs/sudan.pdf"] = Route(arabic_pdf(PDF_PAGES), content_type="application/pdf")
    web.routes["/docs/water.docx"] = Route(
        arabic_docx(DOCX_TITLE, DOCX_PARAGRAPHS, page_break_before=1), content_type=DOCX_TYPE
    )
    web.routes["/docs/broken.pdf"] = Route(b"%PDF-1.4 truncated", content_type="application/pdf")


AR_FULL_TITLE = "مجلس الأمن يناقش الوضع الإنساني في غزة"
AR_FULL_TEXT = (
    "عقد مجلس الأمن الدولي جلسة طارئة لمناقشة الوضع الإنساني في قطاع غزة بعد تحذيرات الأمم المتحدة. "
    "وقال مندوب الجزائر إن إدخال المساعدات يجب أن يتم دون أي قيود وفي أسرع وقت ممكن. "
    "وأكدت منظمة الصحة العالمية أن المستشفيات العاملة في القطاع لا تتجاوز ثلث العدد الكلي. "
    "ودعا الأمين العام للأمم المتحدة إلى وقف فوري لإطلاق النار لأسباب إنسانية وحماية المدنيين. "
    "وأشار مسؤولون إلى أن شاحنات الوقود ما زالت تنتظر عند المعبر منذ أسبوعين دون إذن بالدخول. "
    "وتوقع دبلوماسيون أن يصوت المجلس على مشروع قرار جديد خلال الأيام المقبلة بعد مشاورات مغلقة. "
    "وقالت وكالة غوث وتشغيل اللاجئين إن مخازنها في جنوب القطاع شبه فارغة وإن توزيع الطحين توقف."
)
EN_FULL_TITLE = "Central bank holds interest rates at 4.5 percent"
EN_FULL_TEXT = (
    "The central bank held its main interest rate at 4.5 percent on Thursday, as expected by most economists. "
    "The governor said inflation had fallen to 2.8 percent but remained above the bank's target of two percent. "
    "Seven of the nine members of the rate committee voted to keep rates unchanged, and two voted for a cut. "
    "The bank said it would watch wage growth and energy prices closely before deciding on its next move. "
    "Markets now expect the first cut in the spring, and the currency fell slightly after the announcement. "
    "Business groups said higher borrowing costs had already slowed investment in new factories and homes."
)
NEW_ITEM_TITLE = "زلزال بقوة خمس درجات يضرب جنوب تركيا"
NEW_ITEM_TEXT = (
    "ضرب زلزال بقوة خمس درجات على مقياس ريختر جنوب تركيا فجر اليوم دون أن يسفر عن خسائر بشرية. "
    "وقالت هيئة إدارة الكوارث إن فرق الإنقاذ تتفقد المباني القديمة في ولاية هاتاي احتياطا. "
    "وشعر السكان بالهزة في مدن سورية قريبة من الحدود، وفق ما ذكرت وسائل إعلام محلية. "
    "وأوضح مرصد قنديلي أن مركز الزلزال كان على عمق سبعة كيلومترات قرب بلدة أنطاكية. "
    "وأعلنت السلطات إغلاق المدارس في المنطقة ليوم واحد حتى تنتهي فرق الهندسة من فحص الأبنية. "
    "ولم تسجل أي أضرار في المطار أو الطرق الرئيسية، بحسب بيان لوزارة النقل التركية. "
    "وكانت المنطقة نفسها قد شهدت زلزالا مدمرا قبل عامين أودى بحياة عشرات الآلاف."
)


def arabic_items(web: LocalWeb) -> list[dict[str, str]]:
    """The RSS feed's items: two summaries whose pages are fetched, a full text, two dead links."""
    return [
        {"title": AR_PAGE_TITLE, "link": web.url("/news/rubio.html?utm_source=rss"), "guid": "ar-1",
         "date": "Fri, 04 Apr 2025 10:00:00 GMT", "summary": "روبيو يحذر روسيا"},
        {"title": CP1256_TITLE, "link": web.url("/news/beirut.html"), "guid": "ar-2",
         "date": "Thu, 03 Apr 2025 08:30:00 GMT", "summary": "<p>انقطاع الكهرباء</p>"},
        {"title": AR_FULL_TITLE, "link": web.url("/news/gaza"), "guid": "ar-3",
         "date": "Wed, 02 Apr 2025 18:00:00 GMT", "content": f"<p>{AR_FULL_TEXT}</p><script>alert(1)</script>"},
        {"title": "صفحة محذوفة", "link": web.url("/missing"), "guid": "ar-4", "summary": "لم تعد موجودة"},
        {"title": "ملف ثنائي", "link": web.url("/binary.html"), "guid": "ar-5", "summary": "ليس نصا"},
    ]  # fmt: skip


def install_feeds(web: LocalWeb) -> None:
    """An RSS 2.0 feed (Arabic) and an Atom feed (English and Arabic), both answering conditional
    requests; a malformed feed. The failing feeds are /error (500) and /stall (a timeout)."""
    install_pages(web)
    web.routes["/feeds/arabic.rss"] = Route(
        rss(arabic_items(web), title="أخبار محلية"), content_type="application/rss+xml", conditional=True
    )
    web.routes["/feeds/world.atom"] = Route(
        atom([
            {"title": EN_PAGE_TITLE, "id": "urn:bridge", "link": web.url("/news/bridge.html"),
             "updated": "2025-04-01T09:00:00Z", "summary": "The bridge reopened."},
            {"title": EN_FULL_TITLE, "id": "urn:rates", "link": web.url("/news/rates"),
             "updated": "2025-04-03T12:00:00Z", "content": EN_FULL_TEXT},
        ], title="World Wire"),
        content_type="application/atom+xml", conditional=True,
    )  # fmt: skip
    web.routes["/feeds/broken.xml"] = Route(
        b"<html><body><h1>503</h1> Service temporarily unavailable", content_type="application/rss+xml"
    )


def add_new_item(web: LocalWeb) -> None:
    """The RSS feed gains an item (full text): its ETag changes, so the next conditional request gets it."""
    item = {"title": NEW_ITEM_TITLE, "link": web.url("/news/quake"), "guid": "ar-6",
            "date": "Sat, 05 Apr 2025 04:00:00 GMT", "content": f"<p>{NEW_ITEM_TEXT}</p>"}  # fmt: skip
    route = web.routes["/feeds/arabic.rss"]
    web.routes["/feeds/arabic.rss"] = Route(
        rss([item, *arabic_items(web)], title="أخبار محلية"), content_type=route.content_type, conditional=True,
        modified=datetime(2025, 4, 5, 4, 0, tzinfo=UTC),
    )  # fmt: skip
