"""Decoding the files editors import: UTF-8, GB18030 or Big5, each read as what it is."""

from pathlib import Path

import pytest

from documents.textfiles import UndecodableText, decode_text, is_html_file

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
