"""PDF and Word (DOCX) documents into ``Article`` records that know their pages.

A document's text is read page by page and each page is cleaned on its own; the article's text
is the pages joined by a blank line, and ``Article.pages`` records where each page starts, so a
passage or a citation can say "p. 3" (``records.page_at``).

PDF (pdfminer.six): the characters of each text line are taken in their order on the page (left
to right, by position: the only order every PDF agrees on), a space put where glyphs stand apart,
and the line turned into reading order by ``text.bidi`` (Arabic comes out of PDFs backwards and
in shaped presentation forms). Lines of one text box are one paragraph. Title, author and date
come from the document's information dictionary when it has them. An encrypted PDF, a scan with
no text layer, or bytes that are no PDF are errors naming the file or URL.

DOCX (python-docx): paragraphs and table rows in document order (Word stores them in reading
order). Pages are known only where the document marks them (a page break, or the break Word
records where it last laid out a page); a document with none has no page numbers. The archive's
unpacked size is checked before parsing (a zip bomb).

Deliberately not here: OCR, columns in right-to-left reading order, footnotes and headers.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.ingestion.cleaning import strip_boilerplate
from assistant.ingestion.metadata import parse_date
from assistant.ingestion.reading import make_article, read_bytes_within
from assistant.records import Article, Stripped
from assistant.text.bidi import visual_to_logical

MAX_UNPACKED_BYTES = 200_000_000  # a DOCX unpacking to more is refused before it is parsed
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class PagedText:
    """A document's text, page by page, and what it says about itself."""

    pages: list[str]
    title: str | None = None
    author: str | None = None
    published: date | None = None
    notes: list[str] = field(default_factory=list)


def paged_article(doc: PagedText, *, key: str, source: str, url: str | None = None, origin: str = "") -> Article:
    """An article of a document's pages, each cleaned alone, with where each page starts."""
    texts: list[str] = []
    starts: list[int] = []
    stripped: list[Stripped] = []
    offset = 0
    for page in doc.pages:
        cleaned, removed = strip_boilerplate(page) if page.strip() else ("", [])
        stripped.extend(removed)
        if texts and cleaned:
            offset += 2  # the blank line between pages
        starts.append(offset)
        if cleaned:
            texts.append(cleaned)
            offset += len(cleaned)
    text = "\n\n".join(texts)
    if not text:
        raise IngestError(origin or key, "the document has no text (a scanned PDF needs OCR first)")
    title = doc.title or text.split("\n", 1)[0].strip()[:300]
    return make_article(
        key=key, text=text, title=title, source=source, url=url, published=doc.published, author=doc.author,
        origin=origin or key, pages=tuple(starts), stripped=stripped,
    )  # fmt: skip


# -- PDF ------------------------------------------------------------------------------------


def read_pdf(data: bytes, where: str) -> PagedText:
    """The text of each page of a PDF, in reading order (``where`` names it in errors)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    pages: list[str] = []
    try:
        for layout in extract_pages(io.BytesIO(data), laparams=LAParams()):
            boxes = [box for box in layout if isinstance(box, LTTextContainer)]
            paragraphs = [" ".join(filter(None, (_line_text(line) for line in box))) for box in boxes]
            pages.append(_join_paragraphs([p for p in paragraphs if p]))
        info = _pdf_info(data)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise IngestError(where, "the PDF is encrypted (password protected); save an unprotected copy") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise IngestError(where, f"is not a readable PDF ({type(exc).__name__}); check that it opens") from None
    return PagedText(pages, **info)


def _join_paragraphs(paragraphs: list[str]) -> str:
    r"""Text boxes as paragraphs, except that a box not ending a sentence goes on in the next one (a
    wrapped line a layout analysis boxed apart: a line break would end the sentence there).

    >>> _join_paragraphs(["Title", "He said the talks", "will resume.", "Next."])
    'Title He said the talks will resume.\nNext.'
    """
    out = ""
    for paragraph in paragraphs:
        out += ("\n" if re.search(r"[.!?؟…:»\"”]$", out) else " ") + paragraph if out else paragraph
    return out


def _line_text(line: object) -> str:
    """A text line's glyphs by position, spaces where glyphs stand apart, in reading order. A
    combining mark (a haraka drawn as its own glyph) goes with the letter under it, wherever its
    box begins, so it stays with that letter when the line is turned round."""
    from pdfminer.layout import LTChar

    chars = [c for c in line if isinstance(c, LTChar)]  # type: ignore[attr-defined]
    bases = sorted((c for c in chars if not _is_mark(c.get_text())), key=lambda c: c.x0)
    clusters = [[c.get_text()] for c in bases]
    letters = [i for i, c in enumerate(bases) if unicodedata.category(c.get_text()[:1] or " ").startswith("L")]
    for mark in (c for c in chars if _is_mark(c.get_text())):
        centre = (mark.x0 + mark.x1) / 2
        # The letter whose box holds the mark's centre, else the nearest one (never a space or a stop).
        nearest = min(
            letters,
            key=lambda i: (not bases[i].x0 <= centre <= bases[i].x1, abs((bases[i].x0 + bases[i].x1) / 2 - centre)),
            default=None,
        )
        if nearest is None:
            clusters.append([mark.get_text()])
        else:
            clusters[nearest].append(mark.get_text())
    glyphs: list[str] = []
    for prev, char, cluster in zip([None, *bases], bases, clusters, strict=False):
        text = "".join(cluster)
        apart = prev is not None and char.x0 - prev.x1 > 0.2 * max(char.size, 1.0)
        if apart and glyphs and not glyphs[-1].isspace() and not text.isspace():
            glyphs.append(" ")
        glyphs.append(text)
    return " ".join(visual_to_logical(glyphs).split())


def _is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.combining(c) for c in text)


def _pdf_info(data: bytes) -> dict[str, Any]:
    """Title, author and date from the PDF's information dictionary, when it has usable ones."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    info: dict[str, Any] = {}
    for entry in document.info or []:
        info.update({str(k): resolve1(v) for k, v in entry.items()})

    def text(name: str) -> str | None:
        value = info.get(name)
        if isinstance(value, bytes):
            value = value.decode("utf-16") if value.startswith((b"\xfe\xff", b"\xff\xfe")) else value.decode("latin-1")
        value = " ".join(str(value).split()) if value else ""
        # Tools write their own names or file names as titles; those are no titles.
        return None if not value or re.search(r"\.(docx?|pdf|tex)$|^untitled$|^microsoft", value, re.I) else value[:300]

    created = text("CreationDate") or ""
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", created)
    published = parse_date(f"{match[1]}-{match[2]}-{match[3]}") if match else None
    return {"title": text("Title"), "author": text("Author"), "published": published}


# -- DOCX -----------------------------------------------------------------------------------


def read_docx(data: bytes, where: str) -> PagedText:
    """A Word document's paragraphs and table rows, split into pages where it marks them."""
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise IngestError(where, f"the document unpacks to {unpacked:,} bytes (a zip bomb?); not read")
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(where, f"is not a readable Word document ({type(exc).__name__}); save it as .docx") from None
    pages: list[list[str]] = [[]]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:  # merged cells repeat their text: once each
                cells = dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip())
                pages[-1].extend([" | ".join(cells)] if cells else [])
            continue
        if _breaks_page(block._p) and pages[-1]:
            pages.append([])
        if block.text.strip():
            pages[-1].append(block.text.strip())
    props = document.core_properties
    author = (props.author or "").strip()
    return PagedText(
        ["\n".join(p) for p in pages] if len(pages) > 1 else ["\n".join(pages[0])],
        title=(props.title or "").strip()[:300] or None,
        author=None if author in ("", "python-docx") else author,  # python-docx's template names itself
    )


def _breaks_page(paragraph: object) -> bool:
    """Whether a paragraph starts on a new page: a page break before its text, or Word's record of one."""
    for element in paragraph.iter():  # type: ignore[attr-defined]
        if element.tag == f"{_W}lastRenderedPageBreak":
            return True
        if element.tag == f"{_W}br" and element.get(f"{_W}type") == "page":
            return True
        if element.tag == f"{_W}t" and (element.text or "").strip():
            return False
    return False


def document_article(
    kind: str, data: bytes, *, key: str, source: str, url: str | None = None, origin: str = ""
) -> Article:
    """A PDF or DOCX (``kind``) as an article; a DOCX without page marks has no page numbers."""
    doc = read_pdf(data, origin or key) if kind == "pdf" else read_docx(data, origin or key)
    article = paged_article(doc, key=key, source=source, url=url, origin=origin)
    if kind == "docx" and len(doc.pages) == 1:
        article = replace(article, pages=())
    return article


def read_document_file(path: Path, max_bytes: int) -> Article:
    """A ``.pdf`` or ``.docx`` file as an article keyed by its path, its folder as the outlet."""
    data = read_bytes_within(path, max_bytes)
    kind = path.suffix.lower().lstrip(".")
    return document_article(kind, data, key=str(path.resolve()), source=path.parent.name, origin=str(path))
