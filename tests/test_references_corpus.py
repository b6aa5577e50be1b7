"""References read from real documents: the 46 gov.cn notices and 6 regulations of the corpus.

The expected references (tests/data/references.json) and the strings that look like references
but are none (references_not.json: dates, article and proposal numbers, a notice's own number,
the document a covering notice prints) were listed by reading each document, not taken from
the extractor's output.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from documents import services
from documents.models import Notice, Reference
from documents.parsing import parse_notice
from documents.parsing.references import title_key
from documents.textfiles import read_file

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
EXPECTED = json.loads((DATA / "references.json").read_text(encoding="utf-8"))
NOT_REFERENCES = json.loads((DATA / "references_not.json").read_text(encoding="utf-8"))
# Forms and permits in 《》 (诉讼要素表, 通行证): quoted like documents, read as titles that no
# archived notice will bear; the reader sees them as plain text.
FORMS = {"《诉讼要素表》", "《有效抗辩释明表》", "《剧毒化学品公路运输通行证》"}


def source_of(stem: str) -> Path:
    return next(
        CORPUS / f"{stem}{suffix}"
        for suffix in (".html", ".md")
        if (CORPUS / f"{stem}{suffix}").exists()
    )


def imported(stem: str) -> Notice:
    document = read_file(source_of(stem))
    parsed = parse_notice(document.text, html=document.html)
    return services.import_notice(parsed=parsed, status=Notice.Status.PUBLISHED).notice


def found(notice: Notice) -> list[Reference]:
    return list(Reference.objects.filter(citing=notice).order_by("position"))


@pytest.mark.django_db
@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_every_numbered_reference_is_found_with_its_title_and_effect(stem):
    references = found(imported(stem))
    got = Counter((title_key(r.title), r.doc_number, r.effect) for r in references if r.doc_number)
    wanted = Counter(
        (title_key(e["title"]), e["doc_number"], e["effect"])
        for e in EXPECTED[stem]
        if e["doc_number"]
    )
    assert got == wanted


@pytest.mark.django_db
@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_every_quoted_title_is_found_and_nothing_else(stem):
    references = [r for r in found(imported(stem)) if r.text not in FORMS]
    # As the page shows it: the parser joins what a line break split (中共中央 国务院).
    got = Counter(title_key(r.title) for r in references if not r.doc_number)
    wanted = Counter(title_key(e["title"]) for e in EXPECTED[stem] if not e["doc_number"])
    assert got == wanted


@pytest.mark.django_db
@pytest.mark.parametrize("stem", sorted(NOT_REFERENCES))
def test_dates_article_numbers_and_own_documents_are_no_references(stem):
    texts = [r.text for r in found(imported(stem))]
    # A short name's definition (以下简称《决定》) is no reference; its later mentions are, and
    # the test above counts them.
    for string in {s for s in NOT_REFERENCES[stem] if "简称" not in s} - FORMS:
        assert not [t for t in texts if t in string or string in t], string
