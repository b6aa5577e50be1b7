"""PolicyHub's raw-text parser: a pasted or scraped notice in, plain data out.

``parse_notice(text)`` accepts plain text or HTML, in simplified or traditional script, and
returns a ``ParsedNotice``:

- ``title``, ``doc_number`` (发文字号 as written, noise removed), ``issuing_bodies`` (lead first),
  ``addressees`` (主送, no colon), ``preamble`` (the covering notice's own text), ``attachments``
  (附件 titles), ``signatory``, ``issued_date`` (成文日期), ``published_date`` (发布日期),
  ``source`` (来源), ``index_number`` (索引号, from a metadata table);
- ``body_title`` and ``body_intro``: the attached document's title and its text before the first
  numbered unit (empty for a notice that is its own body);
- ``units``: the tree of ``ParsedUnit`` (kind part/chapter/section/article/item, label as
  written, ordinal number, heading, own text, children). When the covering notice has numbered
  units of its own, or several documents are attached, each attached document is a ``part``
  unit (label 附件1 …, heading = its title, text = its introduction);
- ``warnings``: what could not be read or placed. The parser never raises.

Text is returned as written; only scraping noise is removed (pinyin glosses, stock tickers,
menus, page chrome, duplicated date lines, related-article trailers, stray spaces between
Chinese characters). ``to_dict()`` gives JSON-ready data. No Django imports here: the parser is
tested without a database.
"""

from .docnumber import DocNumber, normalize_doc_number, parse_doc_number
from .notice import parse_notice
from .result import ParsedNotice, ParsedUnit
from .script import to_simplified, to_traditional

__all__ = [
    "DocNumber",
    "ParsedNotice",
    "ParsedUnit",
    "normalize_doc_number",
    "parse_doc_number",
    "parse_notice",
    "to_simplified",
    "to_traditional",
]
