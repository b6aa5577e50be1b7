"""Whole saved web pages: every gov.cn document of the corpus inside a provincial site's page
(tests/data/files/*.saved-page.html: tool bar, menu, breadcrumb, the page's own heading, share
links, previous/next, related notices, footer) parses as the document alone does."""

import re
from pathlib import Path

import pytest

from documents.parsing import parse_notice

DATA = Path(__file__).parent / "data"
PAGE = (DATA / "files" / "notice-fagai-diqu-2016-1771.saved-page.html").read_text(encoding="utf-8")


def saved_page(fragment: str, title: str) -> str:
    start = PAGE.index('<div class="content" id="zoom">')
    end = PAGE.index("</div>", start)
    page = PAGE[:start] + f'<div class="content" id="zoom">{fragment}' + PAGE[end:]
    return re.sub(r"<h1>.*?</h1>", f"<h1>{title}</h1>", page, count=1, flags=re.S)


def fields(parsed) -> dict:
    return {
        "title": re.sub(r"\s+", "", parsed.title),
        "doc_number": parsed.doc_number,
        "issuers": parsed.issuing_bodies,
        "issued_date": parsed.issued_date,
        "addressees": parsed.addressees,
        "attachments": parsed.attachments,
        "units": [(u.label, u.heading, len(u.children)) for u in parsed.units],
        "signatory": parsed.signatory,
    }


@pytest.mark.parametrize(
    "path", sorted((DATA / "corpus").glob("govcn-*.html")), ids=lambda p: p.stem
)
def test_a_saved_page_parses_as_its_document(path):
    fragment = path.read_text(encoding="utf-8")
    alone = parse_notice(fragment, html=True)
    # The page's heading repeats the title the document then prints over two or three lines.
    in_page = parse_notice(saved_page(fragment, alone.title), html=True)
    assert fields(in_page) == fields(alone)
