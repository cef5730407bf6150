"""PDF and DOCX into paged articles (``ingestion/documents.py``) and Arabic put back in reading order
(``text/bidi.py``). The PDFs are made here with DejaVu Sans from Debian (fonts-dejavu-core): one
shaped by HarfBuzz as word processors do, one stored as presentation forms in visual order as older
tools did; both must read back exactly as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from localweb import DOCX_PARAGRAPHS, DOCX_TITLE, PDF_PAGES, arabic_docx, arabic_pdf, legacy_arabic_pdf

from assistant.errors import IngestError
from assistant.ingestion import documents
from assistant.ingestion.documents import document_article, read_document_file, read_docx, read_pdf
from assistant.records import page_at
from assistant.text.bidi import visual_to_logical


@pytest.mark.parametrize("make", [arabic_pdf, legacy_arabic_pdf], ids=["shaped", "presentation-forms"])
def test_arabic_pdf_pages_read_back_in_logical_order(make) -> None:
    doc = read_pdf(make(PDF_PAGES), "report.pdf")
    assert doc.pages == PDF_PAGES
    assert not any("\ufb50" <= c <= "\ufeff" for page in doc.pages for c in page)  # no presentation forms left


def test_a_pdf_article_knows_where_each_page_starts(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(arabic_pdf(PDF_PAGES))
    article = read_document_file(path, 10**7)
    assert article.text == "\n\n".join(PDF_PAGES)
    assert article.pages == (0, len(PDF_PAGES[0]) + 2, len(PDF_PAGES[0]) + len(PDF_PAGES[1]) + 4)
    assert [article.text[s : s + 10] for s in article.pages] == [p[:10] for p in PDF_PAGES]
    where = article.text.index("700 مليون دولار")
    assert page_at(article.pages, where) == 3
    assert (article.title, article.source, article.lang, article.key) == (
        PDF_PAGES[0], tmp_path.name, "ar", str(path.resolve())
    )  # fmt: skip


def test_an_empty_page_keeps_the_numbers_of_the_pages_after_it() -> None:
    doc = documents.PagedText(["First page.", "", "Third page."])
    article = documents.paged_article(doc, key="k", source="s")
    assert article.text == "First page.\n\nThird page."
    assert [page_at(article.pages, article.text.index(w)) for w in ("First", "Third")] == [1, 3]


def test_a_pdf_with_no_text_layer_says_so() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 100, style="F")  # a scan is an image: no text to extract
    with pytest.raises(IngestError) as info:
        document_article("pdf", bytes(pdf.output()), key="scan.pdf", source="s")
    assert info.value.reason == "the document has no text (a scanned PDF needs OCR first)"


@pytest.mark.parametrize("data", [b"%PDF-1.4 not really", b"<html>not a pdf</html>", b""])
def test_bytes_that_are_no_pdf_are_named(data: bytes) -> None:
    with pytest.raises(IngestError) as info:
        read_pdf(data, "http://127.0.0.1/report.pdf")
    assert info.value.path == "http://127.0.0.1/report.pdf"
    assert info.value.reason.startswith("is not a readable PDF (") and "check that it opens" in info.value.reason


def test_an_encrypted_pdf_is_named_as_such() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Secret report")
    with pytest.raises(IngestError) as info:
        read_pdf(bytes(pdf.output()), "secret.pdf")
    assert info.value.reason == "the PDF is encrypted (password protected); save an unprotected copy"


def test_docx_paragraphs_in_order_and_pages_where_the_document_breaks_them() -> None:
    doc = read_docx(arabic_docx(DOCX_TITLE, DOCX_PARAGRAPHS, page_break_before=1), "memo.docx")
    assert doc.pages == [f"{DOCX_TITLE}\n{DOCX_PARAGRAPHS[0]}", DOCX_PARAGRAPHS[1]]
    article = document_article("docx", arabic_docx(DOCX_TITLE, DOCX_PARAGRAPHS, 1), key="memo.docx", source="s")
    assert page_at(article.pages, article.text.index("وزير الري")) == 2
    assert article.author is None  # python-docx's template names itself the author: not believed


def test_a_docx_without_page_marks_has_no_page_numbers() -> None:
    article = document_article("docx", arabic_docx(DOCX_TITLE, DOCX_PARAGRAPHS), key="memo.docx", source="s")
    assert (article.title, article.pages) == (DOCX_TITLE, ())
    assert article.text == "\n".join([DOCX_TITLE, *DOCX_PARAGRAPHS])


def test_docx_tables_are_read_row_by_row() -> None:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Aid by region")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("Region", "Tonnes"), ("Darfur", "12,000")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    assert read_docx(out.getvalue(), "t.docx").pages == ["Aid by region\nRegion | Tonnes\nDarfur | 12,000"]


def test_a_docx_unpacking_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(IngestError) as info:
        read_docx(arabic_docx(DOCX_TITLE, DOCX_PARAGRAPHS), "bomb.docx")
    assert "(a zip bomb?); not read" in info.value.reason


def test_not_a_docx_is_named() -> None:
    with pytest.raises(IngestError) as info:
        read_docx(b"plain text, not a zip", "memo.docx")
    assert info.value.reason == "is not a readable Word document (BadZipFile); save it as .docx"


@pytest.mark.parametrize(
    ("visual", "logical"),
    [
        ("", ""),
        ("Plain English stays as it is.", "Plain English stays as it is."),
        ("لاق", "قال"),
        ("%25 ةبسنب", "بنسبة 25%"),  # a number run keeps its order and its sign
        ("2025/04/04 يف", "في 2025/04/04"),
        ("«مالسلا»", "«السلام»"),  # guillemets mirror with the line
        ("ةُرْوسُ", "سُورْةُ"),  # harakat follow their letters again
    ],
)
def test_visual_to_logical(visual: str, logical: str) -> None:
    assert visual_to_logical(visual) == logical
