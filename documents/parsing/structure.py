"""Numbered structure: find unit labels at the start of paragraphs and build the unit tree.

Schemes, from the outside in: 第一编 > 第一章 / 一、 > 第一节 / (一) > 第一条 > 1. / 1.1 >
（1） > ①. Nesting is decided by what is open: a label of a scheme already open closes
everything below it and becomes a sibling; a new scheme nests under the innermost open unit
unless it ranks above it. Numbering may run on across parents ((一)…(二十五) across 一、…六、)
or restart at 1 under each parent; a number that goes backwards is read as text, not a label.
"""

import re
from dataclasses import dataclass

from .noise import fold
from .numerals import NUMERAL_CLASS, chinese_to_int
from .result import ParsedUnit

_N = f"[{NUMERAL_CLASS}]+"
_CN = "[〇零一二三四五六七八九十百千两]+"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (scheme, kind, pattern on the folded line); the number is group 1.
_PATTERNS = [
    ("part", "part", re.compile(rf"^第({_N})编")),
    ("chapter", "chapter", re.compile(rf"^第({_N})章")),
    ("subsection", "section", re.compile(rf"^第({_N})节")),
    # 第十条 at the start of a paragraph is an article; 第十条规定 / 第十条的 is a reference.
    ("article", "article", re.compile(rf"^第({_N})条(?![，,、的款项至和及或规])")),
    ("dun", "chapter", re.compile(rf"^({_CN})[、．]")),
    ("paren", "section", re.compile(rf"^[(（]({_CN})[)）]")),
    (
        "decimal",
        "item",
        re.compile(r"^(\d{1,3}(?:[.．]\d{1,3})+)(?![.．]?\d)(?=[\s\u3000]|[^\x00-\x7f])"),
    ),
    # 1 总则 above 1.1 编制目的 (emergency plans, standards): a number, then a short heading.
    ("bare", "chapter", re.compile(r"^(\d{1,2})(?=[\s\u3000]*[\u4e00-\u9fff])")),
    ("dot", "item", re.compile(r"^(\d{1,3})[.．、](?![\d.．])")),
    ("arabic-paren", "item", re.compile(r"^[(（](\d{1,3})[)）]")),
    ("circled", "item", re.compile(f"^([{_CIRCLED}])")),
]
_RANK = {
    "part": 0,
    "chapter": 1,
    "dun": 1,
    "subsection": 2,
    "paren": 2,
    "article": 3,
    "dot": 4,
    "arabic-paren": 6,
    "circled": 7,
}
_STRUCTURAL = {"part", "chapter", "subsection", "article"}
_MD_HEADING = re.compile(r"^#{1,6}\s*")


@dataclass
class Label:
    """A unit label found at the start of a line."""

    scheme: str
    kind: str
    label: str
    number: int
    rest: str


def match_label(line: str) -> Label | None:
    """The unit label that starts the line, if any (tables, with TABs, never start units)."""
    if "\t" in line:
        return None
    line = _MD_HEADING.sub("", line)
    folded = fold(line)
    for scheme, kind, pattern in _PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        raw = match.group(1)
        if scheme == "decimal":
            parts = re.split(r"[.．]", raw)
            number = int(parts[-1])
            scheme = f"decimal-{len(parts)}"
        elif scheme == "bare":
            # Only a short heading follows: 3 个工作日内… is a sentence, not unit 3.
            if not _heading_like(line[match.end() :].strip(), 20) or "。" in line:
                continue
            number, scheme = int(raw), "decimal-1"
        elif scheme == "circled":
            number = _CIRCLED.index(raw) + 1
        else:
            number = chinese_to_int(raw)
        if number is None or number <= 0:
            continue
        return Label(scheme, kind, line[: match.end()], number, line[match.end() :])
    return None


def _rank(scheme: str) -> float:
    if scheme.startswith("decimal-"):
        return 4 + int(scheme.split("-")[1]) * 0.5
    return _RANK[scheme]


def split_heading(label: Label) -> tuple[str, str]:
    """Split the text after a label into (heading, text) — e.g. 指导思想 / 全面贯彻…."""
    rest = label.rest.strip(" \u3000\u00a0")
    if label.kind == "article":
        return "", rest
    if label.scheme in ("part", "chapter", "subsection") and "。" not in rest:
        return rest, ""
    colon = re.search(r"[：:]", rest)
    stop = rest.find("。")
    if label.kind != "item" and colon and (stop < 0 or colon.start() < stop):
        # （一）指导思想：全面贯彻… — a heading ended by a colon rather than a full stop.
        first, after = rest[: colon.start()], rest[colon.end() :].strip(" \u3000\u00a0")
        # Not a sentence that introduces its list: 各地区要：… / 主要包括：….
        lead_in = re.search(r"[，,]|(?:要|应|是|为|如下|以下|包括|有|的)$", first)
        if _heading_like(first, 12) and not lead_in and after:
            return first, after
    if stop < 0:
        if _heading_like(rest, 40 if label.kind != "item" else 30):
            return rest, ""
        return "", rest
    first, after = rest[:stop], rest[stop + 1 :].strip(" \u3000\u00a0")
    # A lone short sentence after an item label is the item's text (1.北京市推进…。);
    # after a chapter or section label it is the heading.
    if _heading_like(first) and (after or label.kind != "item"):
        return first, after
    return "", rest


def _heading_like(phrase: str, limit: int = 30) -> bool:
    # Real headings run to about 30 characters (实施工业绿色生产，推动…总量趋零增长); a longer
    # first sentence is the unit's text.
    if not phrase or len(phrase) > limit or re.search(r"[；;：:！？!?]", phrase):
        return False
    return len(re.findall(r"[，,]", phrase)) <= 1


@dataclass
class _Open:
    scheme: str
    unit: ParsedUnit
    paragraphs: list[str]


def build_units(lines: list[str], warnings: list[str]) -> tuple[list[str], list[ParsedUnit]]:
    """Split paragraphs into the intro (before the first label) and the tree of units."""
    intro: list[str] = []
    roots: list[ParsedUnit] = []
    stack: list[_Open] = []
    last_global: dict[str, int] = {}
    last_in_parent: dict[tuple[int, str], int] = {}
    opened: list[_Open] = []

    for line in lines:
        if not line:
            continue
        label = match_label(line)
        if label:
            parent_key = _parent_after_placing(stack, label.scheme)
            previous = max(
                last_global.get(label.scheme, 0),
                last_in_parent.get((parent_key, label.scheme), 0),
            )
            if label.number != 1 and label.number <= last_in_parent.get(
                (parent_key, label.scheme), 0
            ):
                warnings.append(f"编号倒退：“{label.label}”按正文处理")
                label = None
            elif label.scheme.startswith("decimal-") and label.number not in (1, previous + 1):
                # 1.5亿元 at the start of a paragraph is an amount, not a decimal label.
                label = None
            elif label.number not in (1, previous + 1) and previous:
                warnings.append(f"编号不连续：跳到“{label.label}”")
        if not label:
            text = _MD_HEADING.sub("", line) if line.startswith("#") else line
            (stack[-1].paragraphs if stack else intro).append(text)
            continue
        _pop_for(stack, label.scheme)
        kind = label.kind
        if stack and stack[-1].scheme == "article" and label.scheme not in _STRUCTURAL:
            kind = "item"  # （一） inside an article enumerates, it is not a section
        heading, text = (
            split_heading(label)
            if kind != "item" or label.kind == "item"
            else (
                "",
                label.rest.strip(" \u3000\u00a0"),
            )
        )
        unit = ParsedUnit(kind, label.label, label.number, heading, "", [])
        entry = _Open(label.scheme, unit, [text] if text else [])
        parent = stack[-1].unit if stack else None
        (parent.children if parent else roots).append(unit)
        key = id(parent) if parent else 0
        last_global[label.scheme] = label.number
        last_in_parent[(key, label.scheme)] = label.number
        stack.append(entry)
        opened.append(entry)

    for entry in opened:
        entry.unit.text = "\n".join(entry.paragraphs)
    return intro, roots


def _pop_for(stack: list[_Open], scheme: str) -> None:
    """Close the open units a new label of this scheme cannot nest under."""
    for depth, entry in enumerate(stack):
        if entry.scheme == scheme:
            del stack[depth:]
            return
    while stack:
        top = stack[-1]
        if top.scheme == "article" and scheme not in _STRUCTURAL:
            return
        if _rank(top.scheme) < _rank(scheme):
            return
        stack.pop()


def _parent_after_placing(stack: list[_Open], scheme: str) -> int:
    """id() of the unit a label of this scheme would nest under (0 for the top level)."""
    probe = list(stack)
    _pop_for(probe, scheme)
    return id(probe[-1].unit) if probe else 0
