"""Saved web pages: PolicyHub's own main-content finding (documents/parsing/html.py) against
trafilatura's, on whole pages built from the development corpus.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/extract_compare.py

Each of the 46 gov.cn documents (tests/data/corpus/govcn-NNN.html, the page body as crawled)
is put into the page around the seed notice in tests/data/files/*.saved-page.html (tool bar,
menu, search box, breadcrumb, font and share links, previous/next, related notices, footer), as
a browser saves a provincial site's page. Each page is then read two ways, and each reading
parsed into a notice:

- **ours**: the page's HTML straight to ``parse_notice(html=True)``;
- **trafilatura**: ``trafilatura.extract`` (text output, tables included, no comments), its
  text to ``parse_notice``.

Both are scored against the parse of the document alone (no page around it), field by field:
title, doc number, issuers, 成文日期, addressees, attachments, the number of top-level units,
the first and the last unit's label, and whether any chrome (上一篇, 设为首页, 相关文件 …) is in
the text. Prints the share of fields right per reader and the pages where they differ, with the
time per page (median).
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

import trafilatura  # noqa: E402

from documents.parsing import parse_notice  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
PAGE = (
    ROOT / "tests" / "data" / "files" / "notice-fagai-diqu-2016-1771.saved-page.html"
).read_text(encoding="utf-8")
CHROME = ["上一篇", "下一篇", "设为首页", "加入收藏", "相关文件", "网站地图", "无障碍", "ICP备"]
FIELDS = [
    "title",
    "doc_number",
    "issuers",
    "issued_date",
    "addressees",
    "attachments",
    "units",
    "first_unit",
    "last_unit",
]


def page_around(fragment: str, title: str) -> str:
    """The seed's saved page with this document in place of the seed's title and content."""
    start = PAGE.index('<div class="content" id="zoom">')
    end = PAGE.index("</div>", start)  # the content holds paragraphs only
    page = PAGE[:start] + f'<div class="content" id="zoom">{fragment}' + PAGE[end:]
    page = re.sub(r"<title>.*?</title>", f"<title>{title}_某某省人民政府门户网站</title>", page)
    return re.sub(r"<h1>.*?</h1>", f"<h1>{title}</h1>", page, count=1, flags=re.S)


def fields(parsed) -> dict:
    units = parsed.units
    return {
        "title": re.sub(r"\s+", "", parsed.title),
        "doc_number": parsed.doc_number,
        "issuers": parsed.issuing_bodies,
        "issued_date": parsed.issued_date,
        "addressees": re.sub(r"\s+", "", parsed.addressees),
        "attachments": parsed.attachments,
        "units": len(units),
        "first_unit": units[0].label if units else "",
        "last_unit": units[-1].label if units else "",
    }


def has_chrome(parsed) -> bool:
    text = "\n".join(
        [parsed.title, parsed.preamble, parsed.body_intro, parsed.signatory]
        + [u.text for u in parsed.units]
    )
    return any(word in text for word in CHROME)


def main():
    readers = {
        "ours": lambda page: parse_notice(page, html=True),
        "trafilatura": lambda page: parse_notice(
            trafilatura.extract(
                page, include_tables=True, include_comments=False, favor_recall=True
            )
            or "",
            html=False,
        ),
    }
    right = {name: 0 for name in readers}
    clean = {name: 0 for name in readers}
    seconds = {name: [] for name in readers}
    misses = {name: [] for name in readers}
    total = 0
    paths = sorted(CORPUS.glob("govcn-*.html"))
    for path in paths:
        fragment = path.read_text(encoding="utf-8")
        expected = fields(parse_notice(fragment, html=True))
        page = page_around(fragment, expected["title"])
        total += len(FIELDS)
        for name, read in readers.items():
            started = time.perf_counter()
            parsed = read(page)
            seconds[name].append(time.perf_counter() - started)
            got = fields(parsed)
            wrong = [f for f in FIELDS if got[f] != expected[f]]
            right[name] += len(FIELDS) - len(wrong)
            clean[name] += not has_chrome(parsed)
            if wrong:
                misses[name].append((path.stem, wrong))
    print(f"{len(paths)} saved pages, {len(FIELDS)} fields each")
    print(f"{'reader':12} {'fields right':>13} {'no chrome':>10} {'ms/page p50':>12}")
    for name in readers:
        print(
            f"{name:12} {right[name] / total:13.3f} {clean[name]:>5}/{len(paths):<4}"
            f" {statistics.median(seconds[name]) * 1000:12.1f}"
        )
    for name in readers:
        print(f"\n{name}: pages with a field wrong: {len(misses[name])}")
        for stem, wrong in misses[name][:12]:
            print(f"  {stem}: {', '.join(wrong)}")


if __name__ == "__main__":
    main()
