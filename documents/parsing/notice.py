"""Reading a notice's parts: header, covering notice, signature block and attached documents.

A notice as published reads, top to bottom: title (often split over lines), 发文字号, a header
line (来源/日期/点击) on scraped pages, the addressees ending in a colon, the notice's own text,
附件 lines, the signature (issuer, 成文日期), then the attached document(s) with their own
title, introduction and numbered units. A plain notice (an 意见 issued directly) carries its
numbered units before the signature instead. Policy-library pages may add a metadata table.
The signature block and the issuing bodies' names are read by ``signature``.
"""

import datetime
import re

from .dates import DATE_RE, is_date_line, parse_date
from .docnumber import is_doc_number_line
from .html import html_to_text, looks_like_html
from .noise import clean_lines, compacted, fold
from .result import ParsedNotice, ParsedUnit
from .signature import BODY_SPLIT, body_names, find_signature, issuers_from
from .structure import build_units, match_label

_DOC_TYPES = (
    "通知|意见|办法|条例|规定|决定|批复|复函|函|通报|答复|报告|请示|方案|预案|规划|纲要|细则|公告|"
    "通告|令|指引|规则|制度|计划|目录|清单|标准|名单|建议|指南|意见稿|讲话|命令|决议"
)
_TITLE_END = re.compile(rf"(?:{_DOC_TYPES})[》”]?$")
_META_KEYS = re.compile(
    r"(来源|发布日期|发布时间|日期|时间|点击数|点击|浏览次数|浏览|作者|字号)[:：]"
)
_TABLE_KEYS = ("索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期")
_TABLE_KEY_RE = re.compile(rf"({'|'.join(_TABLE_KEYS)})[:：]")
# 附件：1.… / 附件1.… ; a list number needs its full stop (附件：2008年… is a title).
_ATTACHMENT_LINE = re.compile(r"^附件\s*[:：]?\s*(?:\d{1,2}\s*[.．、:：]\s*)?|^附\s*[:：]\s*")
_ATTACHMENT_MARKER = re.compile(r"^(?:附件\s*(\d*)\s*[.．:：]?|附\s*[:：]?|附表\s*(\d*)\s*[:：]?)$")
_NUMBERED_ITEM = re.compile(r"^\d+\s*[.．、]\s*")
# A publication note, printed after the signature: （此件公开发布）, （此件有删减）, （本文有删减）.
_NOTE = re.compile(r"^[（(](?:此件|本件|本文)[^（）()]{1,20}[)）]$")
# The issuer of a 令 (order): 中华人民共和国国务院令第713号 → 国务院.
_LAW_ORDER = re.compile(r"(?:中华人民共和国)?([^\s，。、]+?)令\s*第\s*\d+\s*号")
_TOC_HEADING = re.compile(r"^目录[:：]?$")
_TOC_LEADERS = re.compile(r"[.．…·-]*\d*$")  # 1.1 编制目的……………3


def parse_notice(text: str, *, html: bool | None = None) -> ParsedNotice:
    """Parse a notice's raw text (plain or HTML) into fields and numbered units; never raises.

    ``html`` says whether the text is a web page's source; None (a paste) looks at the markup.
    A text file is text even when it holds a ``<`` (a title quoting ``<script>``)."""
    warnings: list[str] = []
    try:
        return _parse(text if isinstance(text, str) else "", warnings, html=html)
    except Exception as exc:  # noqa: BLE001 — the contract is warnings, never an exception
        warnings.append(f"解析出错（{type(exc).__name__}），全文保留为正文")
        return ParsedNotice(
            title="",
            doc_number="",
            issuing_bodies=[],
            addressees="",
            preamble=text or "",
            attachments=[],
            signatory="",
            issued_date=None,
            published_date=None,
            source="",
            body_title="",
            body_intro="",
            units=[],
            warnings=warnings,
        )


def _parse(text: str, warnings: list[str], *, html: bool | None) -> ParsedNotice:
    if html or (html is None and looks_like_html(text)):
        text = html_to_text(text)
    lines = _without_table_of_contents(clean_lines(text))
    table = _take_metadata_table(lines)
    header = _take_header_line(lines)
    notice = ParsedNotice(
        title="",
        doc_number="",
        issuing_bodies=[],
        addressees="",
        preamble="",
        attachments=[],
        signatory="",
        issued_date=None,
        published_date=None,
        source=header.get("来源", ""),
        body_title="",
        body_intro="",
        units=[],
        warnings=warnings,
        index_number=table.get("索引号", ""),
    )
    notice.published_date = parse_date(table.get("发布日期", "")) or parse_date(
        header.get("发布日期") or header.get("日期") or header.get("发布时间") or ""
    )

    pos = _read_title_block(lines, notice, table)
    pos = _read_addressees(lines, pos, notice)
    rest = lines[pos:]
    signature = find_signature(rest)
    if signature:
        start, end, signatory, date = signature
        notice.signatory, notice.issued_date = signatory, date
        own, after = rest[:start], rest[end:]
    else:
        own, after = rest, []

    own, notice.attachments = _take_attachment_list(own)
    intro, units = build_units(own, warnings)
    preamble = [line for line in intro if line]
    while after and (not after[0] or is_publication_note(after[0])):
        if after[0]:
            preamble.append(after[0])
        after = after[1:]
    notice.preamble = "\n".join(preamble)
    notice.units = units
    _read_attached_documents(after, notice, warnings)

    _fill_from_table(notice, table, warnings)
    _fill_from_law_header(notice, intro)
    notice.issuing_bodies = body_names(notice.issuing_bodies, warnings)
    if not notice.issuing_bodies:
        notice.issuing_bodies = issuers_from(notice.title, notice.signatory, warnings)
    if not notice.title:
        notice.title = notice.body_title
    _printed_document_as_attachment(notice)
    _warn_missing(notice)
    _warn_implausible(notice, text)
    return notice


_COVERING = re.compile(r"(?:印发|转发|批转|颁发|颁布)")


def _printed_document_as_attachment(notice: ParsedNotice) -> None:
    """A covering notice (关于印发 / 转发 / 批转…的通知) that lists no 附件 has the document it
    prints or forwards as its attachment: the document's own title."""
    if notice.attachments or not _COVERING.search(fold(notice.title)):
        return
    title = notice.body_title
    if not title and notice.units and notice.units[0].kind == "part" and not notice.units[0].label:
        title = notice.units[0].heading  # forwarded, then an 附 of its own
    if title:
        notice.attachments = [title]


def _without_table_of_contents(lines: list[str]) -> list[str]:
    """The lines without a 目录 and its entries (plans and standards print one before the
    body): it ends where its first entry comes again, as the body's first heading. A 目录
    whose first entry never comes again, or holding a sentence, is left as it is."""
    start = next((i for i, line in enumerate(lines) if _TOC_HEADING.match(compacted(line))), None)
    if start is None:
        return lines
    entries = []
    for pos in range(start + 1, len(lines)):
        entry = _TOC_LEADERS.sub("", compacted(lines[pos]))
        if not entry:
            continue
        if entries and entry == entries[0]:
            return lines[:start] + lines[pos:]
        if len(entry) > 60 or "。" in entry:
            return lines
        entries.append(entry)
    return lines


def _take_metadata_table(lines: list[str]) -> dict[str, str]:
    """Read and remove a policy library's metadata table (索引号, 发文机关, 成文日期 …)."""
    found: dict[str, str] = {}
    keep: list[str] = []
    pending_key = ""
    for index, line in enumerate(lines):
        if index > 60 or not line:
            keep.append(line)
            continue
        cells = [c.strip() for c in line.split("\t")]
        folded_cells = [fold(c) for c in cells]
        if pending_key and not _TABLE_KEY_RE.search(folded_cells[0]):
            found[pending_key] = line.strip()  # a key cell alone on the line above its value
            pending_key = ""
            continue
        if not any(_TABLE_KEY_RE.match(c) for c in folded_cells):
            keep.append(line)
            continue
        pending_key = ""
        key = ""
        for cell, folded in zip(cells, folded_cells, strict=True):
            for part, folded_part in _split_keyed(cell, folded):
                match = _TABLE_KEY_RE.match(folded_part)
                if match:
                    key = match.group(1)
                    value = part[match.end() :].strip()
                    if value:
                        found[key] = value
                        key = ""
                elif key:
                    found[key] = part.strip()
                    key = ""
        pending_key = key
    lines[:] = keep
    return found


def _split_keyed(cell: str, folded: str) -> list[tuple[str, str]]:
    """Split one cell holding several "key：value" pairs at each key."""
    starts = [m.start() for m in _TABLE_KEY_RE.finditer(folded)] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(cell)]
    pairs = zip(bounds, bounds[1:], strict=False)
    return [(cell[a:b], folded[a:b]) for a, b in pairs if cell[a:b].strip()]


def _take_header_line(lines: list[str]) -> dict[str, str]:
    """Read and remove the scraped header line: 来源:未知 日期:2016-10-19 点击:次."""
    for index, line in enumerate(lines[:15]):
        folded = fold(line)
        if len(line) > 120 or not _META_KEYS.match(folded):
            continue
        keys = list(_META_KEYS.finditer(folded))
        if len(keys) < 2 and not parse_date(line) and not folded.startswith("来源"):
            continue
        values = {}
        for match, following in zip(keys, keys[1:] + [None], strict=True):
            end = following.start() if following else len(line)
            values[match.group(1)] = line[match.end() : end].strip()
        del lines[index]
        return values
    return {}


def _read_title_block(lines: list[str], notice: ParsedNotice, table: dict[str, str]) -> int:
    """Read title, 令 header and 发文字号 from the top; return the index after them."""
    pos = _skip_blank(lines, 0)
    if pos >= len(lines):
        return pos
    first = lines[pos]
    if first.startswith("#") and not first.startswith("##"):
        notice.title = first.lstrip("#").strip()
        pos += 1
    elif (
        _TITLE_END.search(fold(first))
        and fold(first).endswith("令")
        and is_doc_number_line(_line(lines, _skip_blank(lines, pos + 1)))
    ):
        # A 令 header (中华人民共和国国务院令 / 第706号): the regulation's name comes later.
        second = _skip_blank(lines, pos + 1)
        notice.doc_number = first + lines[second]
        pos = second + 1
    else:
        title_lines: list[str] = []
        while pos < len(lines) and len(title_lines) < 4 and _title_like(lines[pos]):
            title_lines.append(lines[pos])
            pos += 1
            if _TITLE_END.search(fold(lines[pos - 1])):
                break
        notice.title = "".join(title_lines)
    if table.get("标题"):
        if notice.title and fold(notice.title) != fold(table["标题"]):
            notice.warnings.append("正文中的标题与元数据表中的标题不同")
        notice.title = table["标题"]
    pos = _skip_repeated_title(lines, pos, notice.title)
    after = _skip_blank(lines, pos)
    if not notice.doc_number and is_doc_number_line(_line(lines, after)):
        notice.doc_number = lines[after]
        pos = after + 1
    if table.get("发文字号"):
        notice.doc_number = table["发文字号"]
    return pos


def _skip_repeated_title(lines: list[str], pos: int, title: str) -> int:
    """After the title, the same title again (a saved page's heading, then the document's own
    title over one to three lines): the index after the repetition."""
    wanted = re.sub(r"\s+", "", fold(title))
    start = _skip_blank(lines, pos)
    joined = ""
    for end in range(start, min(start + 3, len(lines))):
        joined += re.sub(r"\s+", "", fold(lines[end]))
        if not wanted or not wanted.startswith(joined):
            break
        if joined == wanted:
            return end + 1
    return pos


def _title_like(line: str) -> bool:
    folded = fold(line)
    return bool(
        line
        and len(line) <= 60
        and "\t" not in line
        and not match_label(line)
        and not re.search(r"[。；;：:]$", folded)
        and not is_date_line(line)
        and not is_doc_number_line(line)
        and not folded.startswith("附件")
    )


def _read_addressees(lines: list[str], pos: int, notice: ParsedNotice) -> int:
    """Read the 主送 line (ending in a colon) right after the title block."""
    index = _skip_blank(lines, pos)
    line = _line(lines, index)
    if (
        line
        and re.search(r"[:：]$", line)
        and len(line) <= 300
        and "。" not in line
        and not match_label(line)
        and not fold(line).startswith("附")
    ):
        notice.addressees = line[:-1].strip()
        return index + 1
    return pos


def _take_attachment_list(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split the 附件 list off the end of the covering notice's text."""
    last = None
    for index, line in enumerate(lines):
        if line and _ATTACHMENT_LINE.match(fold(line)) and not _ATTACHMENT_MARKER.match(fold(line)):
            last = index
    if last is None:
        return lines, []
    first = last
    while first > 0 and _ATTACHMENT_LINE.match(fold(lines[first - 1] or "-")):
        first -= 1
    tail = lines[last + 1 :]
    if any(line and not _NUMBERED_ITEM.match(line) for line in tail):
        return lines, []
    titles = []
    for line in lines[first:]:
        if not line:
            continue
        match = _ATTACHMENT_LINE.match(fold(line)) or _NUMBERED_ITEM.match(line)
        title = line[match.end() :].strip() if match else line
        titles.append(title)
    return lines[:first], titles


def _read_attached_documents(lines: list[str], notice: ParsedNotice, warnings: list[str]) -> None:
    """Read what follows the signature: one attached document, or several as "part" units."""
    segments: list[tuple[str, list[str]]] = []
    marker = ""
    current: list[str] = []
    for line in lines:
        if line and _ATTACHMENT_MARKER.match(fold(line)):
            if any(current):
                segments.append((marker, current))
            marker, current = line, []
        else:
            current.append(line)
    if any(current) or marker:
        segments.append((marker, current))
    if not segments:
        return
    if len(segments) == 1 and not notice.units:
        _, segment = segments[0]
        notice.body_title, intro, notice.units = _read_document(segment, warnings)
        notice.body_intro = "\n".join(intro)
        return
    for number, (marker_line, segment) in enumerate(segments, start=1):
        title, intro, units = _read_document(segment, warnings)
        digits = re.search(r"\d+", marker_line)
        notice.units.append(
            ParsedUnit(
                "part",
                marker_line,
                int(digits.group()) if digits else number,
                title,
                "\n".join(intro),
                units,
            )
        )


def _read_document(lines: list[str], warnings: list[str]) -> tuple[str, list[str], list]:
    """An attached document: its title lines, its introduction and its numbered units."""
    pos = _skip_blank(lines, 0)
    title_lines: list[str] = []
    while pos < len(lines) and len(title_lines) < 4 and _title_like(lines[pos]):
        if title_lines and re.search("[:：]", lines[pos]):
            break  # 单位：人 under a table's title is a note, not more title
        title_lines.append(lines[pos])
        pos += 1
    intro, units = build_units(lines[pos:], warnings)
    return "".join(title_lines), [line for line in intro if line], units


def _fill_from_table(notice: ParsedNotice, table: dict[str, str], warnings: list[str]) -> None:
    if table.get("发文机关"):
        notice.issuing_bodies = [b for b in BODY_SPLIT.split(table["发文机关"]) if b]
    table_date = parse_date(table.get("成文日期", ""))
    if table_date and notice.issued_date and table_date != notice.issued_date:
        warnings.append(f"成文日期不一致：元数据表为 {table_date}，落款为 {notice.issued_date}")
    notice.issued_date = notice.issued_date or table_date


def _fill_from_law_header(notice: ParsedNotice, intro: list[str]) -> None:
    """Regulations: the promulgation line (2019年4月20日 中华人民共和国国务院令第713号公布)."""
    for line in intro[:6]:
        start = DATE_RE.match(fold(line))
        begin = start.end() if start else 0
        order = _LAW_ORDER.search(fold(line), begin)
        if not order:
            continue
        if not notice.doc_number:
            notice.doc_number = line[begin : order.end()].strip()
        if not notice.issued_date and start:
            notice.issued_date = parse_date(line[: start.end()])
        break
    order = _LAW_ORDER.match(fold(notice.doc_number))
    if order and not notice.issuing_bodies:
        notice.issuing_bodies = [notice.doc_number[order.start(1) : order.end(1)]]


def is_publication_note(line: str) -> bool:
    """Whether a line is a publication note (（此件公开发布）), in either script."""
    return bool(_NOTE.match(fold(line.strip())))


# What a text decoded with the wrong encoding shows: U+FFFD, the GBK-as-UTF-8 锟斤拷, the
# uninitialised-memory 烫烫烫 / 屯屯屯, and UTF-8 read as Latin-1 (å¹´, â€œ).
_GARBLE = re.compile(r"\ufffd|锟斤拷|烫烫烫|屯屯屯")
_LATIN1_UTF8 = re.compile(r"[\u00c2-\u00e9][\u0080-\u00bf]{1,2}")


def _warn_implausible(notice: ParsedNotice, text: str) -> None:
    """Warnings for what parses but cannot be right: a 成文日期 after today, garbled text."""
    if notice.issued_date and notice.issued_date > datetime.date.today():
        notice.warnings.append(f"成文日期 {notice.issued_date} 在今天之后，请核对")
    latin1 = _LATIN1_UTF8.findall(text)
    garbled = _GARBLE.findall(text) + (latin1 if len(latin1) >= 3 else [])
    if garbled:
        shown = ("".join(c for c in g if c.isprintable()) for g in garbled)
        sample = "、".join(dict.fromkeys(g for g in shown if g))
        notice.warnings.append(f"文本中有乱码（{sample[:20]}），可能是编码不对：请核对原文")


def _warn_missing(notice: ParsedNotice) -> None:
    for name, value in (
        ("标题", notice.title),
        ("发文字号", notice.doc_number),
        ("成文日期", notice.issued_date),
    ):
        if not value:
            notice.warnings.append(f"没有识别出{name}")


def _skip_blank(lines: list[str], pos: int) -> int:
    while pos < len(lines) and not lines[pos]:
        pos += 1
    return pos


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""
