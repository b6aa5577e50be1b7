"""Decoding the files editors import: UTF-8, GB18030 or Big5, each read as what it is."""

import io
from pathlib import Path

import pytest

from documents.textfiles import UndecodableText, decode_text, is_html_file, read_document

CORPUS = Path(__file__).parent / "data" / "corpus"
TRADITIONAL = (CORPUS / "govcn-014.zh-hant.txt").read_text(encoding="utf-8")
SIMPLIFIED = (CORPUS / "govcn-014.txt").read_text(encoding="utf-8")


def big5_text(text: str) -> str:
    """The text as Big5 can hold it (a few symbols outside Big5 dropped)."""
    return text.encode("big5", errors="ignore").decode("big5")


@pytest.mark.parametrize("length", [None, 200, 40])
def test_big5_is_read_as_big5_not_as_gb18030_nonsense(length):
    text = big5_text(TRADITIONAL)[:length]
    assert decode_text(text.encode("big5")) == text


@pytest.mark.parametrize("text", [SIMPLIFIED, TRADITIONAL, SIMPLIFIED[:40]])
def test_gb18030_is_read_as_gb18030(text):
    assert decode_text(text.encode("gb18030")) == text


def test_utf8_with_or_without_a_byte_order_mark():
    assert decode_text(SIMPLIFIED.encode("utf-8-sig")) == SIMPLIFIED
    assert decode_text(SIMPLIFIED.encode()) == SIMPLIFIED


def test_bytes_that_are_no_chinese_text_are_refused_with_a_message():
    with pytest.raises(UndecodableText, match="无法识别文件编码"):
        decode_text(bytes(range(128, 256)) * 4)


@pytest.mark.parametrize(
    "name, html", [("a.html", True), ("A.HTM", True), ("a.txt", False), ("a.md", False)]
)
def test_a_file_is_a_web_page_by_its_name(name, html):
    assert is_html_file(name) is html


FILES = Path(__file__).parent / "data" / "files"
SEED = Path(__file__).parent / "data" / "notice-fagai-diqu-2016-1771.txt"


def test_a_word_document_reads_as_its_paragraphs():
    document = read_document("seed.docx", (FILES / "notice-fagai-diqu-2016-1771.docx").read_bytes())
    lines = [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]
    assert document.text.split("\n") == lines and not document.html


def test_a_pdf_reads_as_its_text_layer():
    document = read_document("seed.pdf", (FILES / "notice-fagai-diqu-2016-1771.pdf").read_bytes())
    assert "國家發展改革委關于印發貫徹落實區域發展戰略" in document.text
    assert "(二十五)強化上下聯動協作" in document.text


def test_a_pdf_without_a_text_layer_is_refused_with_a_message():
    from pypdf import PdfWriter

    scan = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(scan)
    with pytest.raises(UndecodableText, match="没有可用的文字层"):
        read_document("scan.pdf", scan.getvalue())


@pytest.mark.parametrize("name", ["broken.docx", "broken.pdf"])
def test_a_damaged_file_is_refused_with_a_message(name):
    with pytest.raises(UndecodableText, match="无法读取"):
        read_document(name, b"not a real file")
